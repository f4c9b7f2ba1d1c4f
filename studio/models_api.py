"""The models API: the model-backed providers of this installation, what they can do, what they
need and whether a worker has them loaded.

Everything here reads paths and small status records only: the web process never imports
torch. A model's status comes from the worker that loaded it (see
pipeline/providers/t2v/status.py).
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from pipeline.providers import get_provider
from pipeline.providers.images.base import MAX_SIDE, MIN_SIDE
from pipeline.providers.t2v.base import FRAME_STEP, MIN_FRAMES, SIZE_MULTIPLE
from pipeline.providers.t2v.status import STATES

TEXT_TO_IMAGE = "text-to-image"


class ModelSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Use it in `GET models/<id>`.")
    role = serializers.CharField(help_text="The provider role the model serves.")
    backend = serializers.CharField()
    label = serializers.CharField()
    model = serializers.CharField(
        allow_blank=True, help_text="The configured model folder or Hugging Face repo id."
    )
    available = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="Why it is unavailable.")
    setting = serializers.CharField(allow_blank=True, help_text="The setting that would fix it.")
    capabilities = serializers.ListField(child=serializers.CharField())
    constraints = serializers.DictField(help_text="Size and frame rules, and the limits here.")
    memory_needs = serializers.DictField(
        allow_null=True, help_text="Parameters and rough GPU memory; null when unknown."
    )
    status = serializers.ChoiceField(choices=STATES)
    error = serializers.CharField(allow_blank=True, help_text="Set when status is error.")
    device = serializers.CharField(allow_null=True, help_text="Where it is loaded.")
    memory_in_use_bytes = serializers.IntegerField(
        allow_null=True,
        help_text="GPU memory allocated on CUDA; the weights' bytes on the CPU.",
    )


def models_list() -> list[dict]:
    return [_t2v_model(), _images_model()]


def model_get(model_id: str) -> dict | None:
    return next((m for m in models_list() if m["id"] == model_id), None)


def _entry(role: str, provider, **fields) -> dict:
    return {
        "id": role,
        "role": role,
        "backend": getattr(provider, "name", ""),
        "label": getattr(provider, "display_name", ""),
        "model": "",
        "available": False,
        "reason": "",
        "setting": "",
        "capabilities": [],
        "constraints": {},
        "memory_needs": None,
        "status": "not_configured",
        "error": "",
        "device": None,
        "memory_in_use_bytes": None,
        **fields,
    }


def _broken(role: str, exc: Exception) -> dict:
    return _entry(role, None, reason=str(exc), setting="VIDEOGEN_PROVIDERS", status="error")


def _t2v_model() -> dict:
    try:
        t2v = get_provider("t2v")
    except ImproperlyConfigured as exc:
        return _broken("t2v", exc)
    availability = t2v.available()
    status = t2v.status()
    return _entry(
        "t2v",
        t2v,
        model=t2v.model_name(),
        available=availability.available,
        reason=availability.reason,
        setting=availability.setting,
        capabilities=list(t2v.capabilities),
        constraints={
            "size_multiple": SIZE_MULTIPLE,
            "frames_rule": f"{FRAME_STEP}n+1",
            "min_frames": MIN_FRAMES,
            "max_width": settings.T2V_MAX_WIDTH,
            "max_height": settings.T2V_MAX_HEIGHT,
            "max_frames": settings.T2V_MAX_FRAMES,
            "max_shots": settings.T2V_MAX_SHOTS,
        },
        memory_needs=t2v.memory_needs(),
        status=status["status"],
        error=status.get("error") or "",
        device=status.get("device"),
        memory_in_use_bytes=status.get("memory_bytes"),
    )


def _images_model() -> dict:
    try:
        images = get_provider("images")
    except ImproperlyConfigured as exc:
        return _broken("images", exc)
    constraints = {"min_side": MIN_SIDE, "max_side": MAX_SIDE}
    if "model_path" not in images.options:
        return _entry(
            "images",
            images,
            reason=f"The images role uses the {images.display_name} backend, which has no model.",
            setting="VIDEOGEN_IMAGES",
            capabilities=[TEXT_TO_IMAGE],
            constraints=constraints,
        )
    availability = images.available()
    folder = str(images.options["model_path"] or "").strip()
    loaded = _images_loaded_on(folder) if availability.available else None
    return _entry(
        "images",
        images,
        model=folder,
        available=availability.available,
        reason=availability.reason,
        setting=availability.setting,
        capabilities=[TEXT_TO_IMAGE],
        constraints=constraints,
        memory_needs=_weights(Path(folder)) if availability.available else None,
        status=(
            "not_configured"
            if not availability.available
            else ("loaded" if loaded else "not_loaded")
        ),
        device=loaded,
    )


def _images_loaded_on(folder: str) -> str | None:
    """The device the images pipeline is loaded on in this process, if it is."""
    from pipeline.providers.images import diffusion

    resolved = str(Path(folder).resolve())
    return next(
        (device for path, device in getattr(diffusion, "_pipelines", {}) if path == resolved),
        None,
    )


def _weights(folder: Path) -> dict | None:
    from pipeline.providers.t2v.diffusion import parameter_count

    parameters = parameter_count(folder)
    if parameters is None:
        return None
    return {
        "parameters": parameters,
        "weights_bytes_bf16": parameters * 2,
        "gpu_gb": None,
        "note": "Weights only; running needs more.",
    }


class ModelsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ModelSerializer(many=True))
    def get(self, request):
        """The model-backed providers: capabilities, constraints, memory and status."""
        return Response(ModelSerializer(models_list(), many=True).data)


class ModelDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: ModelSerializer, 404: OpenApiResponse(description="No such model.")}
    )
    def get(self, request, model_id: str):
        """One model-backed provider (`t2v` or `images`)."""
        model = model_get(model_id)
        if model is None:
            raise NotFound("No such model.")
        return Response(ModelSerializer(model).data)
