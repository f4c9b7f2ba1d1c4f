"""The voices API: what the configured narration backend can speak with, and how each sounds."""

from django.http import FileResponse
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from pipeline.voices import UnknownVoice, voice_catalogue, voice_sample

SAMPLE_CACHE_SECONDS = 86400


class VoiceSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="What a job's `voice` option takes.")
    name = serializers.CharField()
    model = serializers.CharField(help_text="The voice file (or engine voice) it comes from.")
    language = serializers.CharField(help_text="e.g. en_US (Piper), en-GB (Azure), de (espeak).")
    language_name = serializers.CharField(allow_blank=True)
    quality = serializers.CharField(allow_blank=True, help_text="Piper: x_low, low, medium, high.")
    speaker = serializers.CharField(
        allow_null=True, help_text="Its speaker, in a voice file with several."
    )
    speakers = serializers.ListField(child=serializers.CharField(),
                                     help_text="Every speaker of its voice file.")  # fmt: skip
    sample = serializers.CharField(help_text="A short WAV of it (made on first request).")


class VoicesSerializer(serializers.Serializer):
    backend = serializers.CharField()
    label = serializers.CharField()
    available = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    default = serializers.CharField(allow_blank=True, help_text="Used when a job names none.")
    speaking_rate = serializers.DictField(help_text="The limits of a job's `speaking_rate`.")
    voices = VoiceSerializer(many=True)


class VoicesView(APIView):
    @extend_schema(tags=["voices"], responses=VoicesSerializer)
    def get(self, request):
        """The narration backend's voices, with a sample of each to listen to."""
        catalogue = voice_catalogue()
        for voice in catalogue["voices"]:
            voice["sample"] = reverse("api-voice-sample", args=[voice["id"]])
        return Response(VoicesSerializer(catalogue).data)


class VoiceSampleView(APIView):
    @extend_schema(
        tags=["voices"],
        responses={200: OpenApiResponse(description="audio/wav"), 404: None},
    )
    def get(self, request, voice):
        """A few seconds of the voice reading a sentence, made the first time it is asked for."""
        from django.core.files.storage import default_storage

        try:
            name = voice_sample(voice=voice)
        except UnknownVoice as exc:
            raise NotFound(str(exc)) from None
        response = FileResponse(default_storage.open(name, "rb"), content_type="audio/wav")
        response["Cache-Control"] = f"private, max-age={SAMPLE_CACHE_SECONDS}"
        return response


urls = [
    path("voices", VoicesView.as_view(), name="api-voices"),
    path("voices/<str:voice>/sample", VoiceSampleView.as_view(), name="api-voice-sample"),
]
