"""The JSON shapes of jobs and events, shared by the REST API and the WebSocket messages."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.links import id_link
from pipeline.engine.events import event_to_dict
from pipeline.engine.lifecycle import ACTIONS, job_actions
from pipeline.generators import all_generators
from pipeline.models import Job, JobEvent


class JobErrorSerializer(serializers.Serializer):
    type = serializers.CharField()
    message = serializers.CharField()
    hint = serializers.CharField(allow_blank=True)


class JobStageSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=["pending", "running", "done"])
    seconds = serializers.FloatField(allow_null=True)


class JobVideoSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    duration = serializers.FloatField()
    url = serializers.CharField(help_text="The MP4, with HTTP Range support.")
    captions_vtt = serializers.CharField(allow_null=True)
    captions_burned = serializers.BooleanField(
        help_text="The captions are drawn into the picture: the captions track is off by default."
    )
    thumbnail = serializers.CharField()
    page = serializers.CharField()


ALL_ACTIONS = sorted({action for actions in ACTIONS.values() for action in actions})

# Unbound and shared: how a time is written depends only on the settings.
_DATETIME = serializers.DateTimeField()


class JobSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()
    events_url = serializers.SerializerMethodField()
    websocket_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "prompt",
            "options",
            "status",
            "stage",
            "step",
            "steps",
            "progress",
            "message",
            "error",
            "attempts",
            "until",
            "paused_after",
            "plan_revision",
            "actions",
            "last_seq",
            "stages",
            "video",
            "events_url",
            "websocket_url",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def to_representation(self, job):
        """The fields above, built directly: jobs are read on every poll, and DRF building
        its field set anew for each job cost more than the job's query. The schema still
        comes from the fields, and a test holds the two to the same output."""
        when = _DATETIME.to_representation
        return {
            "id": str(job.id),
            "kind": str(job.kind),
            "title": str(job.title),
            "prompt": str(job.prompt),
            "options": job.options,
            "status": str(job.status),
            "stage": str(job.stage),
            "step": int(job.step),
            "steps": int(job.steps),
            "progress": int(job.progress),
            "message": str(job.message),
            "error": self.get_error(job),
            "attempts": int(job.attempts),
            "until": str(job.until),
            "paused_after": str(job.paused_after),
            "plan_revision": int(job.plan_revision),
            "actions": self.get_actions(job),
            "last_seq": int(job.last_seq),
            "stages": self.get_stages(job),
            "video": self.get_video(job),
            "events_url": self.get_events_url(job),
            "websocket_url": self.get_websocket_url(job),
            "created_at": when(job.created_at),
            "started_at": when(job.started_at),
            "finished_at": when(job.finished_at),
        }

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job) -> dict | None:
        return job.error

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=ALL_ACTIONS),
            help_text="What may be done to the job now.",
        )
    )
    def get_actions(self, job) -> list[str]:
        return job_actions(job)

    @extend_schema_field(JobStageSerializer(many=True))
    def get_stages(self, job) -> list[dict]:
        generator = all_generators().get(job.kind)
        if generator is None:
            return []
        recorded = (job.manifest or {}).get("stages", {})
        stages = []
        for stage in generator.stages:
            record = recorded.get(stage.name) or {}
            if record.get("finished_at"):
                state = "done"
            elif job.status == Job.Status.RUNNING and job.stage == stage.name:
                state = "running"
            else:
                state = "pending"
            stages.append(
                {
                    "name": stage.name,
                    "label": stage.label,
                    "state": state,
                    "seconds": record.get("seconds"),
                }
            )
        return stages

    @extend_schema_field(JobVideoSerializer(allow_null=True))
    def get_video(self, job) -> dict | None:
        video = job.result
        if video is None:
            return None
        return {
            "id": str(video.id),
            "title": video.title,
            "duration": video.duration,
            "url": id_link("api-video-stream", video.id),
            "captions_vtt": id_link("api-video-captions-vtt", video.id)
            if video.captions_vtt
            else None,
            "captions_burned": video.captions_burned,
            "thumbnail": id_link("api-video-thumbnail", video.id),
            "page": id_link("gallery:video", video.id),
        }

    def get_events_url(self, job) -> str:
        return id_link("api-job-events", job.id)

    def get_websocket_url(self, job) -> str:
        return f"/ws/jobs/{job.id}/"


class JobEventSerializer(serializers.ModelSerializer):
    """Reads through `event_to_dict`, the shape the WebSocket sends too."""

    job = serializers.UUIDField(source="job_id")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = JobEvent
        fields = [
            "seq",
            "type",
            "job",
            "stage",
            "step",
            "steps",
            "progress",
            "message",
            "payload",
            "at",
        ]

    def to_representation(self, instance):
        return event_to_dict(instance)
