"""The jobs API: thin views over studio.services and pipeline.services."""

import mimetypes

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import StrictCharField, query_params
from accounts.throttling import ScopedRateThrottle
from gallery.conditional import conditional_response, row_values
from gallery.streaming import StoredName, download_name, stored_file_response
from pipeline.engine.artifacts import job_artifact_files
from pipeline.generators import all_generators, get_generator
from pipeline.models import Job, JobEvent
from pipeline.providers import provider_describe
from pipeline.serializers import JobEventSerializer, JobSerializer
from pipeline.services import (
    job_cancel,
    job_continue,
    job_delete,
    job_retry,
    upload_create,
)
from studio.selectors import job_artifact, job_visible_to
from studio.services import job_create, stage_name_validate

CONFLICT_RESPONSE = {
    409: inline_serializer("StateConflict", {"detail": serializers.CharField()}),
}


LIMIT_SHAPE = inline_serializer(
    "JobLimitError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(
            required=False,
            help_text="`too_many_active_jobs`, `storage_quota_exceeded` or "
            "`storage_cap_exceeded` (absent for the request-rate throttle).",
        ),
        "quota": serializers.CharField(
            required=False, help_text="What is over: `active_jobs`, `user` or `site`."
        ),
        "used": serializers.IntegerField(
            required=False, help_text="Active jobs, or bytes stored (yours, or everyone's)."
        ),
        "limit": serializers.IntegerField(required=False, help_text="The limit, in the same unit."),
    },
)
# A job is refused before any work when a limit is reached: 403 for storage (the person's
# quota or the site's cap), 429 for the active-job cap (and the request-rate throttle).
LIMIT_RESPONSES = {403: LIMIT_SHAPE, 429: LIMIT_SHAPE}


def _kinds() -> list[str]:
    return sorted(all_generators())


def _stage_names() -> list[str]:
    """Every stage any generator has; which of them a job's generator has is checked against
    its kind when the job is made."""
    return sorted({name for g in all_generators().values() for name in g.stage_names()})


# `kind` and `until` are enums, in the schema and on the server: the generators installed
# here and their stage names, read when a serializer is made (the registry is a setting).
class GeneratorChoicesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].choices = _kinds()
        if "until" in self.fields:
            self.fields["until"].choices = _stage_names()


UNTIL_HELP = "Stop after this stage; `POST jobs/<id>/continue` runs the rest."


class JobCreateSerializer(GeneratorChoicesMixin, serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[], error_messages={"invalid_choice": 'Unknown generator "{input}".'}
    )
    prompt = StrictCharField(allow_blank=True, trim_whitespace=False, max_length=200_000)
    options = serializers.JSONField(required=False, default=dict)
    title = StrictCharField(required=False, allow_blank=True, max_length=200, default="")
    until = serializers.ChoiceField(
        choices=[], required=False, allow_blank=True, default="", help_text=UNTIL_HELP
    )
    review = serializers.BooleanField(
        required=False, default=False,
        help_text="Pause after planning so the plan can be read and edited "
        "(`GET`/`PUT jobs/<id>/plan`) before `POST jobs/<id>/render`.",
    )  # fmt: skip


class JobListFilterSerializer(GeneratorChoicesMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Job.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=[], required=False)


class JobListCreateView(generics.ListAPIView):
    serializer_class = JobSerializer
    throttle_scope = "job_create"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        filters = JobListFilterSerializer(data=query_params(self.request))
        filters.is_valid(raise_exception=True)
        jobs = Job.objects.filter(owner=self.request.user).select_related("result")
        if status_ := filters.validated_data.get("status"):
            jobs = jobs.filter(status=status_)
        if kind := filters.validated_data.get("kind"):
            jobs = jobs.filter(kind=kind)
        return jobs

    @extend_schema(parameters=[JobListFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=JobCreateSerializer, responses={202: JobSerializer, **LIMIT_RESPONSES})
    def post(self, request):
        data = JobCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = job_create(user=request.user, **data.validated_data)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class JobMixin:
    def get_job(self) -> Job:
        job = job_visible_to(self.request.user, self.kwargs["job_id"])
        if job is None:
            raise NotFound("No such job.")
        return job


class JobDetailView(JobMixin, APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, job_id):
        job = self.get_job()
        return conditional_response(
            request, row_values(job, job.result), lambda: Response(JobSerializer(job).data)
        )

    @extend_schema(responses={204: None})
    def delete(self, request, job_id):
        job_delete(job=self.get_job())
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobCancelView(JobMixin, APIView):
    @extend_schema(request=None, responses={202: JobSerializer, **CONFLICT_RESPONSE})
    def post(self, request, job_id):
        job = job_cancel(job=self.get_job(), by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class JobRetryView(JobMixin, APIView):
    @extend_schema(
        request=None, responses={202: JobSerializer, **LIMIT_RESPONSES, **CONFLICT_RESPONSE}
    )
    def post(self, request, job_id):
        job = job_retry(job=self.get_job(), by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ContinueSerializer(GeneratorChoicesMixin, serializers.Serializer):
    until = serializers.ChoiceField(
        choices=[], required=False, allow_blank=True, default="", help_text=UNTIL_HELP
    )


class JobContinueView(JobMixin, APIView):
    @extend_schema(
        request=ContinueSerializer,
        responses={202: JobSerializer, **LIMIT_RESPONSES, **CONFLICT_RESPONSE},
    )
    def post(self, request, job_id):
        """Runs the remaining stages of a paused job (one that stopped after a stage: `until`)."""
        job = self.get_job()
        body = ContinueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        until = stage_name_validate(get_generator(job.kind), body.validated_data["until"])
        job = job_continue(job=job, until=until, by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


ARTIFACTS_SHAPE = inline_serializer(
    "JobArtifacts",
    {
        "stages": serializers.DictField(child=serializers.DictField()),
        "files": serializers.ListField(child=serializers.DictField()),
    },
)


class JobArtifactsView(JobMixin, APIView):
    @extend_schema(responses=ARTIFACTS_SHAPE)
    def get(self, request, job_id):
        """What each finished stage produced: its outputs and the files it wrote, copied to
        storage when the stage ended (they outlive the worker's work folder)."""
        job = self.get_job()
        stages = {
            name: {"outputs": record.get("outputs", {}), "seconds": record.get("seconds")}
            for name, record in (job.manifest or {}).get("stages", {}).items()
        }
        files = [
            {
                "path": item["path"],
                "size": item["size"],
                "url": reverse("api-job-artifact", args=[job.id, item["path"]]),
            }
            for item in job_artifact_files(job.manifest)
        ]
        return Response({"stages": stages, "files": files})


class JobArtifactFileView(JobMixin, APIView):
    @extend_schema(
        operation_id="v1_jobs_artifacts_file",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, job_id, path):
        """One file a stage of the job wrote (see `artifacts`), from storage."""
        job = self.get_job()
        item = job_artifact(job, path)
        if item is None:
            raise NotFound("No such file.")
        content_type, inline = artifact_content_type(item["path"])
        response = stored_file_response(
            request,
            StoredName(item["name"]),
            content_type=content_type,
            download_name=None if inline else item["path"].rsplit("/", 1)[-1],
        )
        if inline:
            response["Content-Disposition"] = "inline"
        # Even a file a browser could run is inert here: no script, no access to this site.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response


# Work files a browser may show: pictures, sound, video, JSON and text (shown as plain text).
# Anything else, HTML and SVG above all, is a download, never a page on this site.
_INLINE_PREFIXES = ("image/png", "image/jpeg", "image/webp", "video/", "audio/")
_ACTIVE_TEXT = {"text/html", "text/javascript", "text/css", "text/xml", "text/xsl"}


def artifact_content_type(name: str) -> tuple[str, bool]:
    """The Content-Type for a work file, and whether it may be shown inline."""
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith(_INLINE_PREFIXES) or guessed == "application/json":
        return guessed, True
    if guessed.startswith("text/") and guessed not in _ACTIVE_TEXT:
        return "text/plain; charset=utf-8", True
    return "application/octet-stream", False


class EventQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Only events with a larger seq."
    )
    limit = serializers.IntegerField(
        required=False, default=500, min_value=1, max_value=1000, help_text="At most this many."
    )


class JobEventsView(JobMixin, APIView):
    @extend_schema(
        parameters=[EventQuerySerializer],
        responses=JobEventSerializer(many=True),
    )
    def get(self, request, job_id):
        query = EventQuerySerializer(data=query_params(request))
        query.is_valid(raise_exception=True)
        job = self.get_job()
        events = JobEvent.objects.filter(job=job, seq__gt=query.validated_data["after"])
        events = events.order_by("seq")[: query.validated_data["limit"]]
        return Response(JobEventSerializer(events, many=True).data)


class JobScriptView(JobMixin, APIView):
    @extend_schema(
        responses=inline_serializer(
            "JobScript",
            {
                "stage": serializers.CharField(),
                "format": serializers.CharField(),
                "script": serializers.JSONField(),
            },
        )
    )
    def get(self, request, job_id):
        """The plan or code the job's generator wrote, once its planning stage has run."""
        job = self.get_job()
        # The latest one, in the generator's order (the manifest is a JSON object, whose
        # keys PostgreSQL does not keep in order): an explainer's Manim code comes after
        # its plan.
        recorded = (job.manifest or {}).get("stages", {})
        generator = all_generators().get(job.kind)
        order = generator.stage_names() if generator else list(recorded)
        for name in reversed(order):
            record = recorded.get(name) or {}
            script = (record.get("outputs") or {}).get("script")
            if script is not None:
                fmt = "text" if isinstance(script, str) else "json"
                return Response({"stage": name, "format": fmt, "script": script})
        raise NotFound("This job has no script yet.")


class JobVideoView(JobMixin, APIView):
    @extend_schema(responses={(200, "video/mp4"): OpenApiTypes.BINARY})
    def get(self, request, job_id):
        """The finished MP4 (supports HTTP Range); 404 until the job has succeeded."""
        job = self.get_job()
        if job.result is None:
            raise NotFound("This job has no video yet.")
        return stored_file_response(
            request,
            job.result.file,
            content_type="video/mp4",
            download_name=download_name(job.result.title, "mp4")
            if request.query_params.get("download")
            else None,
            redirect=True,
        )


class UploadSerializer(serializers.Serializer):
    image = serializers.ImageField(
        help_text="JPEG, PNG or WebP; it is decoded and re-encoded.", use_url=False
    )


class UploadView(APIView):
    # A form without multipart cannot carry a file: the schema says multipart, with the file.
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=UploadSerializer,
        responses={
            201: inline_serializer(
                "Upload",
                {
                    "id": serializers.UUIDField(),
                    "format": serializers.CharField(),
                    "width": serializers.IntegerField(),
                    "height": serializers.IntegerField(),
                    "size": serializers.IntegerField(),
                },
            ),
            403: LIMIT_SHAPE,
        },
    )
    def post(self, request):
        file = request.FILES.get("image")
        if file is None:
            raise serializers.ValidationError({"image": ["No file was submitted."]})
        try:
            upload = upload_create(owner=request.user, file=file)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"image": exc.messages})
        return Response(
            {
                "id": str(upload.id),
                "format": upload.format,
                "width": upload.width,
                "height": upload.height,
                "size": upload.size,
            },
            status=status.HTTP_201_CREATED,
        )


class GeneratorsView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Generator",
            {
                "kind": serializers.CharField(),
                "label": serializers.CharField(),
                "description": serializers.CharField(),
                "available": serializers.BooleanField(),
                "reason": serializers.CharField(allow_blank=True),
                "setting": serializers.CharField(allow_blank=True),
                "prompt_max_chars": serializers.IntegerField(),
                "stages": serializers.ListField(child=serializers.CharField()),
                "options": serializers.ListField(child=serializers.DictField()),
                "providers": serializers.ListField(
                    child=serializers.DictField(),
                    help_text="The backends its stages use: role, backend, label, available, "
                    "reason, setting.",
                ),
            },
            many=True,
        )
    )
    def get(self, request):
        """Every generator, whether it can run here and why not, and its options with limits."""
        listing = []
        for kind, generator in all_generators().items():
            if not generator.listed:
                continue
            availability = generator.availability()
            listing.append(
                {
                    "kind": kind,
                    "label": generator.label,
                    "description": generator.description,
                    "available": availability.available,
                    "reason": availability.reason,
                    "setting": availability.setting,
                    "prompt_max_chars": generator.prompt_max_chars,
                    "stages": generator.stage_names(),
                    "options": generator.describe_options(),
                    "providers": [provider_describe(role) for role in generator.roles],
                }
            )
        return Response(listing)
