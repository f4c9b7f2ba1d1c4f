import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(max_length=32)
    prompt = models.TextField()
    options = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=200, blank=True)

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    stage = models.CharField(max_length=40, blank=True)
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    error_type = models.CharField(max_length=80, blank=True)
    error_message = models.TextField(blank=True)
    error_hint = models.TextField(blank=True)

    # Run only up to this stage, then pause (keeping the work folder); `continue` goes on.
    until = models.CharField(max_length=40, blank=True)
    paused_after = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    # Who runs the job now ("host:pid:start-time:nonce"); a worker keeps it only while its
    # heartbeat is fresh, and checks it before every write so that a job never runs twice.
    lease = models.CharField(max_length=160, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    run_after = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Per stage: outputs (JSON), files (relative to the work folder), seconds, finished_at.
    manifest = models.JSONField(default=dict, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    # The number of the plan's current revision (PlanRevision); 0 until the plan is written.
    plan_revision = models.PositiveIntegerField(default=0)
    result = models.OneToOneField(
        "gallery.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_job",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
            # Jobs by status and kind, counted on every metrics scrape.
            models.Index(fields=["status", "kind"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def error(self) -> dict | None:
        if not self.error_message:
            return None
        return {"type": self.error_type, "message": self.error_message, "hint": self.error_hint}


class JobEvent(models.Model):
    class Type(models.TextChoices):
        STATUS = "status"
        PROGRESS = "progress"
        STAGE_COMPLETE = "stage_complete"
        SHOT_COMPLETE = "shot_complete"
        JOB_COMPLETE = "job_complete"
        ERROR = "error"
        CANCELED = "canceled"
        PLAN_UPDATED = "plan_updated"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=20, choices=Type.choices)
    stage = models.CharField(max_length=40, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    steps = models.PositiveSmallIntegerField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["job", "seq"], name="pipeline_jobevent_job_seq_unique")
        ]

    def __str__(self):
        return f"{self.job_id}#{self.seq} {self.type}"


class PlanRevision(models.Model):
    """One version of a job's plan: the planner's (no author) and each saved edit after it.

    The newest row is the plan the next render uses; the older ones are the history."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="plan_revisions")
    number = models.PositiveIntegerField()
    plan = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What changed, when the change is not an edit of the text ("Scene 3: a new seed").
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="pipeline_planrevision_unique")
        ]

    def __str__(self):
        return f"{self.job_id} plan r{self.number}"


def upload_to(instance, filename):
    return f"uploads/{instance.owner_id}/{uuid.uuid4().hex}.{instance.format.lower()}"


class Upload(models.Model):
    """A reference image a person uploaded for a job (image-to-video, say)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    file = models.FileField(upload_to=upload_to, max_length=300)
    format = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"upload {self.id}"


class StageDurationBucket(models.Model):
    """How long finished stages took, as histogram buckets: one row per kind, stage and
    bucket (`le`, the bucket's upper bound in seconds, as Prometheus writes it).

    Counts are added to by whichever worker ran the stage and never shrink when jobs are
    deleted, so every web process reports the same histogram with one small query.
    """

    kind = models.CharField(max_length=32)
    stage = models.CharField(max_length=40)
    le = models.CharField(max_length=16)
    count = models.PositiveBigIntegerField(default=0)
    sum = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stage", "le"], name="pipeline_stageduration_unique"
            )
        ]

    def __str__(self):
        return f"{self.kind}/{self.stage} ≤ {self.le} s: {self.count}"


class JobOutcomeCount(models.Model):
    """How many times jobs of a kind ended succeeded, failed or canceled (a counter)."""

    kind = models.CharField(max_length=32)
    outcome = models.CharField(max_length=12)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "outcome"], name="pipeline_joboutcome_unique")
        ]

    def __str__(self):
        return f"{self.kind} {self.outcome}: {self.count}"


def media_upload_to(instance, filename):
    extension = "mp4" if instance.kind == MediaItem.Kind.VIDEO else instance.format.lower()
    return f"media/{instance.owner_id}/{uuid.uuid4().hex}.{extension}"


def media_thumbnail_to(instance, filename):
    return f"media/{instance.owner_id}/{uuid.uuid4().hex}.thumb.jpg"


class MediaItem(models.Model):
    """A picture or clip in a person's media library: their own upload, or a stock file kept
    with its licence and author so the videos that use it can credit it."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video clip"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        PEXELS = "pexels", "Pexels"
        PIXABAY = "pixabay", "Pixabay"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_items"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file = models.FileField(upload_to=media_upload_to, max_length=300)
    # A JPEG of the picture or of the clip's first frame, for the library page.
    thumbnail = models.FileField(upload_to=media_thumbnail_to, max_length=300, blank=True)
    format = models.CharField(max_length=8)  # JPEG, PNG, WEBP or MP4
    original_name = models.CharField(max_length=255, blank=True)
    tags = models.JSONField(default=list, blank=True)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration = models.FloatField(null=True, blank=True)  # seconds, clips only
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.UPLOAD)
    # Where a stock file came from: the provider's own id, its page, author and licence.
    source_id = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_url = models.URLField(max_length=500, blank=True)
    license = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A stock file is downloaded once per person, however many videos use it.
            models.UniqueConstraint(
                fields=["owner", "source", "source_id", "kind"],
                condition=~models.Q(source="upload"),
                name="pipeline_mediaitem_stock_once",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.original_name or self.id}"

    @property
    def credit(self) -> str:
        """The attribution line a video using this item shows ("" for a person's own)."""
        if self.source == self.Source.UPLOAD:
            return ""
        return f"{self.get_kind_display()} by {self.author} on {self.get_source_display()}"
