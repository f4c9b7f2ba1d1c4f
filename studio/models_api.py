"""The models API: the model-backed providers of this installation, what they can do, what they
need and whether a worker has them loaded.

Each entry is the backend's own `describe()`: everything there reads paths and small status
records only, so the web process never imports torch. A text-to-video model's status comes
from the worker that loaded it (see pipeline/providers/t2v/status.py).
"""

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from pipeline.providers import get_provider
from pipeline.providers.t2v.status import STATES


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


MODEL_ROLES = ("t2v", "images")


def models_list() -> list[dict]:
    return [_model(role) for role in MODEL_ROLES]


def model_get(model_id: str) -> dict | None:
    return next((m for m in models_list() if m["id"] == model_id), None)


def _model(role: str) -> dict:
    try:
        return {"id": role, **get_provider(role).describe()}
    except ImproperlyConfigured as exc:
        return {
            "id": role,
            "role": role,
            "backend": "",
            "label": "",
            "available": False,
            "reason": str(exc),
            "setting": "VIDEOGEN_PROVIDERS",
            "model": "",
            "capabilities": [],
            "constraints": {},
            "memory_needs": None,
            "status": "error",
            "error": "",
            "device": None,
            "memory_in_use_bytes": None,
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
