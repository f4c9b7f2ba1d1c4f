import uuid

from django.conf import settings
from django.db import models


def video_upload_to(instance, filename):
    # Names never come from titles or uploaders: a random name under the owner's folder.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"videos/{instance.owner_id}/{uuid.uuid4().hex}.{ext}"


class Video(models.Model):
    # The stored files of a video (deleted with it; counted by retention).
    FILE_FIELDS = ("file", "poster", "captions_vtt", "captions_srt")

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private"
        UNLISTED = "unlisted", "Unlisted"
        PUBLIC = "public", "Public"

    class Moderation(models.TextChoices):
        VISIBLE = "visible", "Visible"
        # Hidden by a moderator.
        HIDDEN = "hidden", "Hidden"
        # Hidden automatically after enough reports, until a moderator looks at it.
        PENDING = "pending", "Pending review"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos"
    )
    # The job that made it; kept as a plain id so that deleting the job keeps the video.
    job_id = models.UUIDField(null=True, blank=True, db_index=True)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=video_upload_to, max_length=300)
    poster = models.FileField(upload_to=video_upload_to, max_length=300, blank=True)
    captions_vtt = models.FileField(upload_to=video_upload_to, max_length=300, blank=True)
    captions_srt = models.FileField(upload_to=video_upload_to, max_length=300, blank=True)
    duration = models.FloatField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    fps = models.FloatField(default=0)
    size = models.BigIntegerField(default=0)
    has_audio = models.BooleanField(default=False)
    # The captions are drawn into the picture (the captions track then repeats them).
    captions_burned = models.BooleanField(default=False)
    # EBU R128 as measured on the delivered file: integrated (LUFS), true_peak (dBTP), range (LU).
    loudness = models.JSONField(default=dict, blank=True)
    # What the check before delivery found: [{"code", "level": "error"|"warning", "message",
    # optional "start"/"end" seconds}].
    checks = models.JSONField(default=list, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Null for an automatic hide (too many reports) as well as for a visible video.
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A moderator has looked at it: further reports are recorded but no longer hide it.
    reviewed = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)
    # The plan revision of the job this render was made from, and when a render after an
    # edit replaced the first one (the video's page then says "updated").
    plan_revision = models.PositiveIntegerField(default=0)
    revised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["visibility", "moderation", "-created_at"]),
        ]

    def __str__(self):
        return self.title

    @property
    def warnings(self) -> list[dict]:
        return [c for c in self.checks or [] if c.get("level") == "warning"]

    @property
    def is_visible(self) -> bool:
        return self.moderation == self.Moderation.VISIBLE


class Report(models.Model):
    """One person's complaint about a video; each person may report a video once."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or misleading"
        SEXUAL = "sexual", "Sexual content"
        VIOLENT = "violent", "Violent or repulsive content"
        HATEFUL = "hateful", "Hateful or abusive content"
        HARASSMENT = "harassment", "Harassment or bullying"
        COPYRIGHT = "copyright", "Infringes my rights"
        OTHER = "other", "Something else"

    TEXT_MAX = 500

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.CharField(max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "reporter"], name="gallery_report_once_per_reporter"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.video}"
