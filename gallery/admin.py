"""The moderation desk. Every action goes through gallery.services, like the pages and API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from gallery import services
from gallery.models import Report, Video
from gallery.templatetags.gallery_tags import clock


class ReportedFilter(admin.SimpleListFilter):
    title = "reported"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Reported"), ("no", "Not reported")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


class ReportInline(admin.TabularInline):
    """Reports are evidence: moderators read them, nobody edits them."""

    model = Report
    fields = ("created_at", "reporter", "reason", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HideForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        initial=services.HIDE_REASON_DEFAULT,
        help_text="The owner sees this beside the video.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = (
        "thumbnail",
        "title",
        "owner",
        "visibility",
        "moderation",
        "report_count",
        "length",
        "check_summary",
        "created_at",
    )
    list_display_links = ("thumbnail", "title")
    list_filter = ("moderation", "visibility", ReportedFilter, "reviewed")
    search_fields = ("title", "owner__email", "owner__display_name")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    actions = ["hide_videos", "unhide_videos"]
    inlines = [ReportInline]
    fields = (
        "preview",
        "title",
        "owner",
        "visibility",
        "moderation",
        "hidden_reason",
        "hidden_at",
        "hidden_by",
        "reviewed",
        "report_count",
        "job_id",
        "duration",
        "width",
        "height",
        "fps",
        "size",
        "has_audio",
        "captions_burned",
        "loudness_summary",
        "check_list",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        # Videos come from finished jobs.
        return False

    def has_change_permission(self, request, obj=None):
        # Changing happens through the actions (which need this permission on the list);
        # one video's page is for reading, so it shows no form to save.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="")
    def thumbnail(self, obj):
        return format_html(
            '<img src="{}" width="96" height="54" loading="lazy" alt="" '
            'style="object-fit:cover;background:#111;border-radius:4px">',
            reverse("api-video-thumbnail", args=[obj.pk]),
        )

    @admin.display(description="Length", ordering="duration")
    def length(self, obj):
        return clock(obj.duration)

    @admin.display(description="Checks")
    def check_summary(self, obj):
        warnings = obj.warnings
        return f"{len(warnings)} warning(s)" if warnings else "passed"

    @admin.display(description="Loudness")
    def loudness_summary(self, obj):
        loud = obj.loudness or {}
        if loud.get("integrated") is None:
            return "not measured"
        return (
            f"{loud['integrated']:.1f} LUFS integrated, true peak {loud.get('true_peak', 0):.1f} "
            f"dBTP, range {loud.get('range') or 0:.1f} LU"
        )

    @admin.display(description="What the check found")
    def check_list(self, obj):
        if not obj.checks:
            return "nothing"
        return format_html_join(
            mark_safe("<br>"), "{}: {}", ((c["level"], c["message"]) for c in obj.checks)
        )

    @admin.display(description="Video")
    def preview(self, obj):
        return format_html(
            '<video controls preload="none" poster="{}" src="{}" width="480" '
            'style="max-width:100%;background:#000"></video><br><a href="{}">Open its page</a>',
            reverse("api-video-thumbnail", args=[obj.pk]),
            reverse("api-video-stream", args=[obj.pk]),
            reverse("gallery:video", args=[obj.pk]),
        )

    @admin.action(description="Hide the selected videos…", permissions=["change"])
    def hide_videos(self, request, queryset):
        """Asks for the reason the owners will see, then hides."""
        form = HideForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            for video in queryset:
                services.video_hide(video=video, by=request.user, reason=reason)
            self.message_user(request, f"Hid {len(queryset)} video(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Hide videos",
            "opts": self.model._meta,
            "form": form,
            "videos": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "gallery/admin/hide.html", context)

    @admin.action(description="Unhide the selected videos", permissions=["change"])
    def unhide_videos(self, request, queryset):
        for video in queryset:
            services.video_unhide(video=video, by=request.user)
        self.message_user(request, f"Unhid {len(queryset)} video(s).", messages.SUCCESS)

    # Django's own delete (the list action with its confirmation page, and the button on a
    # video's page) lands here, so deleting removes the files too.
    def delete_model(self, request, obj):
        services.video_delete(video=obj)

    def delete_queryset(self, request, queryset):
        for video in queryset:
            services.video_delete(video=video)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "video_link", "reason", "reporter", "short_text")
    list_filter = ("reason", "created_at")
    search_fields = ("video__title", "reporter__email", "text")
    list_select_related = ("video", "reporter")
    date_hierarchy = "created_at"
    fields = ("video_link", "reporter", "reason", "text", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A report goes with its video; deleting one alone would leave the count wrong.
        return False

    @admin.display(description="Video", ordering="video__title")
    def video_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:gallery_video_change", args=[obj.video_id]),
            obj.video.title,
        )

    @admin.display(description="Details")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"
