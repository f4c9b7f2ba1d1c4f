import uuid

from django.conf import settings
from django.db import models


def video_upload_to(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"videos/{instance.owner_id}/{uuid.uuid4().hex}.{ext}"


class Video(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private"
        UNLISTED = "unlisted", "Unlisted"
        PUBLIC = "public", "Public"

    class Moderation(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden"

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
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    hidden_reason = models.CharField(max_length=300, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return self.title
