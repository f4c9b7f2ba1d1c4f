"""Jobs in the admin: their state and events, with cancel and retry through the services."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from pipeline.library.services import media_delete
from pipeline.models import Job, JobEvent, MediaItem, PlanRevision, Upload
from pipeline.services import JobLimit, JobStateError, job_cancel, job_delete, job_retry


class HistoryInline(admin.TabularInline):
    """Rows that record what happened: shown as they are, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class JobEventInline(HistoryInline):
    """The job's history as it happened; events are facts, so nobody edits them."""

    model = JobEvent
    fields = ("seq", "created_at", "type", "stage", "progress", "message")
    readonly_fields = fields
    ordering = ("seq",)


class PlanRevisionInline(HistoryInline):
    """The plan's history: the planner's revision and each saved edit, as they were."""

    model = PlanRevision
    fields = ("number", "created_at", "author", "note", "plan")
    readonly_fields = fields
    ordering = ("-number",)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("short_id", "kind", "owner", "status", "stage", "progress", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("id", "owner__email", "title", "prompt")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    actions = ("cancel_jobs", "retry_jobs", "delete_jobs")
    inlines = (PlanRevisionInline, JobEventInline)
    readonly_fields = (
        "id", "owner", "kind", "title", "prompt", "options", "status", "stage", "step",
        "steps", "progress", "message", "error_type", "error_message", "error_hint",
        "attempts", "until", "paused_after", "cancel_requested", "lease", "heartbeat_at",
        "run_after", "enqueued_at", "manifest", "last_seq", "plan_revision", "video_link",
        "created_at",
        "started_at", "finished_at",
    )  # fmt: skip
    exclude = ("result",)

    def has_add_permission(self, request):
        return False  # jobs come from people, through the studio or the API

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # delete_jobs also removes the work files
        return actions

    @admin.display(description="job", ordering="id")
    def short_id(self, job):
        return str(job.id)[:8]

    @admin.display(description="video")
    def video_link(self, job):
        if not job.result_id:
            return "—"
        url = reverse("admin:gallery_video_change", args=[job.result_id])
        return format_html('<a href="{}">{}</a>', url, job.result)

    def _each(self, request, queryset, action, verb):
        done = 0
        for job in queryset:
            try:
                action(job=job, by=request.user)
                done += 1
            except (JobStateError, JobLimit) as exc:
                self.message_user(request, f"{str(job.id)[:8]}: {exc}", messages.WARNING)
        if done:
            self.message_user(request, f"{verb} {done} job(s).", messages.SUCCESS)

    @admin.action(description="Cancel the selected jobs")
    def cancel_jobs(self, request, queryset):
        self._each(request, queryset, job_cancel, "Canceled")

    @admin.action(description="Retry the selected jobs")
    def retry_jobs(self, request, queryset):
        self._each(request, queryset, job_retry, "Queued again")

    @admin.action(description="Delete the selected jobs and their work files")
    def delete_jobs(self, request, queryset):
        count = 0
        for job in queryset:
            job_delete(job=job)
            count += 1
        self.message_user(request, f"Deleted {count} job(s).", messages.SUCCESS)


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "format", "width", "height", "size", "created_at")
    search_fields = ("id", "owner__email")
    readonly_fields = ("id", "owner", "file", "format", "width", "height", "size", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(MediaItem)
class MediaItemAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "original_name", "source", "size", "created_at")
    list_filter = ("kind", "source")
    search_fields = ("id", "owner__email", "original_name", "author")
    readonly_fields = [f.name for f in MediaItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        media_delete(item=obj)

    def delete_queryset(self, request, queryset):
        for item in queryset:
            media_delete(item=item)
