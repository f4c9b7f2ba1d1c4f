"""The storyboard API: a job's plan read, edited and rendered, one scene listened to or made
again. Thin views over pipeline.storyboard and pipeline.services."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import StrictCharField, query_params
from accounts.throttling import ScopedRateThrottle
from pipeline.engine.lifecycle import may
from pipeline.generators import get_generator
from pipeline.library.choose import scene_candidates, scene_queries
from pipeline.library.stock import stock_clients
from pipeline.library.visuals import library_candidates, stock_candidates
from pipeline.plan import NARRATION_MAX, SEARCH_TERM_MAX, PlanError, plan_from_json
from pipeline.serializers import JobSerializer
from pipeline.services import job_render, scene_regenerate
from pipeline.storyboard import (
    author_name,
    plan_estimated_seconds,
    plan_replace,
    plan_revision_get,
    plan_revisions,
    scene_limit,
)
from studio.api import CONFLICT_RESPONSE, LIMIT_RESPONSES, JobMixin
from studio.listen import scene_listen
from studio.media_api import MediaItemSerializer, thumbnail_url

PLAN_SHAPE = inline_serializer(
    "JobPlan",
    {
        "revision": serializers.IntegerField(),
        "current": serializers.IntegerField(help_text="The newest revision's number."),
        "author": serializers.CharField(
            allow_null=True, help_text="Who saved it; null for the planner."
        ),
        "note": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "editable": serializers.BooleanField(help_text="Whether the job's plan may change now."),
        "estimated_seconds": serializers.FloatField(),
        "plan": serializers.JSONField(
            help_text="title, summary, style, scenes (narration, on_screen_text, bullets, "
            "formula, visual, image_prompt, search_terms, duration_hint, seed, asset), youtube."
        ),
        "pictures": serializers.JSONField(
            allow_null=True,
            help_text="Per scene, what its picture was in the latest render: scene, source "
            "(library, stock, procedural), reason, chosen, item, kind, name, credit, "
            "thumbnail_url; null for a generator that does not choose pictures.",
        ),
    },
)
REVISIONS_SHAPE = inline_serializer(
    "JobPlanRevision",
    {
        "revision": serializers.IntegerField(),
        "author": serializers.CharField(allow_null=True),
        "note": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "scenes": serializers.IntegerField(),
    },
    many=True,
)
_DATETIME = serializers.DateTimeField()


def _author(revision) -> str | None:
    return author_name(revision.author) or None


def plan_document(job, revision) -> dict:
    plan = plan_from_json(revision.plan, max_scenes=len(revision.plan["scenes"]))
    return {
        "revision": revision.number,
        "current": job.plan_revision,
        "author": _author(revision),
        "note": revision.note,
        "created_at": _DATETIME.to_representation(revision.created_at),
        "editable": may(job.pk, "edit"),
        "estimated_seconds": plan_estimated_seconds(
            plan, speaking_rate=float((job.options or {}).get("speaking_rate") or 1.0)
        ),
        "plan": revision.plan,
        "pictures": scene_pictures(job),
    }


# What the plan document says of each scene's picture, from the visuals stage's records.
PICTURE_FIELDS = ("scene", "source", "reason", "chosen", "item", "kind", "name", "origin", "credit")


def scene_pictures(job) -> list | None:
    """What each scene showed in the job's latest render of its visuals stage (source, item,
    reason, a thumbnail for library items), [] before that stage ran; None for a generator
    whose scenes do not show chosen pictures."""
    stage = get_generator(job.kind).visuals_stage
    if not stage:
        return None
    records = ((job.manifest or {}).get("stages", {}).get(stage) or {}).get("outputs") or {}
    return [
        {key: record.get(key) for key in PICTURE_FIELDS}
        | {"thumbnail_url": thumbnail_url(record["item"]) if record.get("item") else None}
        for record in records.get("visuals") or []
    ]


class PlanQuerySerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False, min_value=1, help_text="An older revision; the newest when absent."
    )


class PlanSaveSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1, help_text="The revision this edit was made from (409 when stale)."
    )
    plan = serializers.DictField(help_text="The whole plan, as GET returns it.")


class JobPlanView(JobMixin, APIView):
    @extend_schema(parameters=[PlanQuerySerializer], responses=PLAN_SHAPE)
    def get(self, request, job_id):
        """The job's plan (its newest revision, or `?revision=N`), once its planning stage
        has written it."""
        job = self.get_job()
        query = PlanQuerySerializer(data=query_params(request))
        query.is_valid(raise_exception=True)
        revision = plan_revision_get(job=job, number=query.validated_data.get("revision"))
        if revision is None:
            raise NotFound("This job has no such plan revision." if job.plan_revision
                           else "This job has no plan yet.")  # fmt: skip
        return Response(plan_document(job, revision))

    @extend_schema(request=PlanSaveSerializer, responses={200: PLAN_SHAPE, **CONFLICT_RESPONSE})
    def put(self, request, job_id):
        """Replaces the plan with an edited one (scenes changed, added, removed or moved),
        checked like a planner's; allowed while the job is paused or finished."""
        job = self.get_job()
        body = PlanSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            revision = plan_replace(
                job=job,
                revision=body.validated_data["revision"],
                data=body.validated_data["plan"],
                by=request.user,
            )
        except PlanError as exc:
            problems: dict[str, list[str]] = {}
            for path, message in exc.problems:
                problems.setdefault(path, []).append(message)
            raise ValidationError({"plan": problems})
        return Response(plan_document(job, revision))


class JobPlanRevisionsView(JobMixin, APIView):
    @extend_schema(responses=REVISIONS_SHAPE)
    def get(self, request, job_id):
        """The plan's history, newest first: who saved each revision and when."""
        job = self.get_job()
        return Response(
            [
                {
                    "revision": revision.number,
                    "author": _author(revision),
                    "note": revision.note,
                    "created_at": _DATETIME.to_representation(revision.created_at),
                    "scenes": len(revision.plan.get("scenes") or []),
                }
                for revision in plan_revisions(job=job)
            ]
        )


class JobRenderView(JobMixin, APIView):
    @extend_schema(
        request=None, responses={202: JobSerializer, **LIMIT_RESPONSES, **CONFLICT_RESPONSE}
    )
    def post(self, request, job_id):
        """Renders a paused job's remaining stages, or a finished job again from its newest
        plan: only what changed is made again, and the gallery video is replaced when the new
        render is ready."""
        job = job_render(job=self.get_job(), by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SceneMixin(JobMixin):
    def scene_index(self, job) -> int:
        revision = plan_revision_get(job=job)
        index = int(self.kwargs["scene"])
        if revision is None or not 0 <= index < len(revision.plan.get("scenes") or []):
            raise NotFound("This job's plan has no such scene.")
        return index


class SceneRegenerateView(SceneMixin, APIView):
    @extend_schema(
        request=None, responses={202: JobSerializer, **LIMIT_RESPONSES, **CONFLICT_RESPONSE}
    )
    def post(self, request, job_id, scene):
        """Makes scene `n` (from 0) again with a new seed (its picture, shot or generated
        animation) and renders the job; the rest is reused."""
        job = self.get_job()
        job = scene_regenerate(job=job, index=self.scene_index(job), by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class CandidatesQuerySerializer(serializers.Serializer):
    q = StrictCharField(
        required=False, max_length=SEARCH_TERM_MAX,
        help_text="Words to look for instead of the saved scene's search terms and narration.",
    )  # fmt: skip


STOCK_CANDIDATE_SHAPE = inline_serializer(
    "StockCandidate",
    {
        "key": serializers.CharField(help_text="What `POST media/stock` takes, with `query`."),
        "query": serializers.CharField(),
        "provider": serializers.CharField(),
        "kind": serializers.CharField(),
        "author": serializers.CharField(),
        "author_url": serializers.CharField(),
        "license": serializers.CharField(),
        "page_url": serializers.CharField(),
        "width": serializers.IntegerField(),
        "height": serializers.IntegerField(),
        "duration": serializers.FloatField(allow_null=True),
        "tags": serializers.ListField(child=serializers.CharField()),
    },
    many=True,
)
CANDIDATES_SHAPE = inline_serializer(
    "SceneCandidates",
    {
        "queries": serializers.ListField(child=serializers.CharField()),
        "library": inline_serializer(
            "LibraryCandidate",
            {
                "item": MediaItemSerializer(),
                "score": serializers.FloatField(),
                "reason": serializers.CharField(),
            },
            many=True,
        ),
        "stock": STOCK_CANDIDATE_SHAPE,
        "stock_configured": serializers.BooleanField(),
    },
)


class SceneCandidatesView(SceneMixin, APIView):
    @extend_schema(
        parameters=[
            CandidatesQuerySerializer,
            OpenApiParameter("scene", int, OpenApiParameter.PATH),
        ],
        responses=CANDIDATES_SHAPE,
    )
    def get(self, request, job_id, scene):
        """The pictures and clips scene `n` could show, best match first: items of the job
        owner's library, then stock results when a stock source is configured (keep one with
        `POST media/stock`, then set it as the scene's `asset`)."""
        job = self.get_job()
        if job.owner_id != request.user.pk:
            raise NotFound("Only the job's owner chooses from their library.")
        query = CandidatesQuerySerializer(data=query_params(request))
        query.is_valid(raise_exception=True)
        index = self.scene_index(job)
        words = query.validated_data.get("q", "").strip()
        saved = plan_revision_get(job=job).plan["scenes"][index]
        wanted = {"search_terms": [words]} if words else saved
        items, library = library_candidates(job.owner)
        queries = scene_queries(wanted)
        clients = stock_clients()
        return Response(
            {
                "queries": list(queries),
                "library": [
                    {
                        "item": MediaItemSerializer(items[choice.candidate.key]).data,
                        "score": choice.score,
                        "reason": choice.reason,
                    }
                    for choice in scene_candidates(index, wanted, library)
                ],
                "stock": stock_candidates(clients, queries) if clients else [],
                "stock_configured": bool(clients),
            }
        )


class ListenSerializer(serializers.Serializer):
    narration = StrictCharField(
        required=False, max_length=NARRATION_MAX,
        help_text="The words to hear; the saved scene's narration when absent.",
    )  # fmt: skip


class SceneListenView(SceneMixin, APIView):
    throttle_scope = "listen"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(
        request=ListenSerializer,
        responses={(200, "audio/wav"): OpenApiTypes.BINARY},
        parameters=[OpenApiParameter("scene", int, OpenApiParameter.PATH)],
    )
    def post(self, request, job_id, scene):
        """Narrates one scene in the job's voice (the given words, or the saved ones) and
        returns the audio; the render reuses it when the words are saved unchanged. With
        words, `n` may be a scene added since the last save."""
        job = self.get_job()
        body = ListenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        text = body.validated_data.get("narration")
        if text is None:
            index = self.scene_index(job)
            text = plan_revision_get(job=job).plan["scenes"][index]["narration"]
        elif plan_revision_get(job=job) is None or int(scene) >= scene_limit(job.kind):
            # Words given: a scene added in the editor and not saved yet can be heard too.
            raise NotFound("This job's plan has no such scene.")
        if not text.strip():
            raise ValidationError({"narration": ["There is nothing to say in this scene."]})
        audio, reused = scene_listen(job=job, text=text.strip())
        response = HttpResponse(audio, content_type="audio/wav")
        response["X-Reused"] = "1" if reused else "0"  # heard before with the same words
        return response
