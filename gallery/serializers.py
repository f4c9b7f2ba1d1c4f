"""The JSON shape of a video, the same for the gallery, explore and detail routes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.fields import StrictCharField
from accounts.links import id_link
from accounts.serializers import UserPublicSerializer
from gallery.models import Report, Video


def _absolute(request, url):
    return request.build_absolute_uri(url) if request is not None else url


def _sees_moderation(request, video) -> bool:
    """Why a video is hidden and how often it was reported is for its owner and staff."""
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and (user.is_staff or user.pk == video.owner_id))


class VideoUrlsSerializer(serializers.Serializer):
    stream = serializers.URLField(help_text="The MP4; supports HTTP Range requests.")
    download = serializers.URLField(help_text="The MP4 as an attachment with a friendly name.")
    thumbnail = serializers.URLField(help_text="The poster JPEG (made on first request).")
    captions_vtt = serializers.URLField(allow_null=True)
    captions_srt = serializers.URLField(allow_null=True)
    page = serializers.URLField(help_text="The video's page, to share.")


class VideoSerializer(serializers.ModelSerializer):
    job = serializers.UUIDField(
        source="job_id", read_only=True, allow_null=True, help_text="The job that made it."
    )
    owner = UserPublicSerializer(read_only=True)
    hidden_reason = serializers.SerializerMethodField(
        help_text="Why moderation hid it; null unless you own it or are staff."
    )
    report_count = serializers.SerializerMethodField(
        help_text="How many people reported it; null unless you own it or are staff."
    )
    checks = serializers.SerializerMethodField(
        help_text="What the check before delivery found ({code, level, message, start?, end?}); "
        "null unless you own it or are staff."
    )
    urls = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "id",
            "job",
            "title",
            "owner",
            "duration",
            "width",
            "height",
            "fps",
            "size",
            "has_audio",
            "captions_burned",
            "loudness",
            "checks",
            "visibility",
            "moderation",
            "hidden_reason",
            "report_count",
            "created_at",
            "updated_at",
            "revised_at",
            "urls",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hidden_reason(self, video):
        if not _sees_moderation(self.context.get("request"), video):
            return None
        return video.hidden_reason

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_report_count(self, video):
        if not _sees_moderation(self.context.get("request"), video):
            return None
        return video.report_count

    @extend_schema_field(serializers.ListField(child=serializers.DictField(), allow_null=True))
    def get_checks(self, video):
        if not _sees_moderation(self.context.get("request"), video):
            return None
        return video.checks

    @extend_schema_field(VideoUrlsSerializer)
    def get_urls(self, video) -> dict:
        request = self.context.get("request")

        def url(name):
            return _absolute(request, id_link(name, video.pk))

        return {
            "stream": url("api-video-stream"),
            "download": url("api-video-download"),
            "thumbnail": url("api-video-thumbnail"),
            "captions_vtt": url("api-video-captions-vtt") if video.captions_vtt else None,
            "captions_srt": url("api-video-captions-srt") if video.captions_srt else None,
            "page": url("gallery:video"),
        }


class VideoUpdateSerializer(serializers.Serializer):
    # Checked by the services, so the page, the API and the admin refuse the same titles.
    title = StrictCharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=1000
    )
    visibility = serializers.ChoiceField(choices=Video.Visibility.choices, required=False)


class VideoListFilterSerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=Video.Visibility.choices, required=False)
    q = StrictCharField(
        required=False, allow_blank=True, max_length=200, help_text="Only titles that contain this."
    )


class ExploreFilterSerializer(serializers.Serializer):
    q = StrictCharField(
        required=False, allow_blank=True, max_length=200, help_text="Only titles that contain this."
    )


class ReportCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    text = StrictCharField(required=False, allow_blank=True, default="", max_length=Report.TEXT_MAX)


class ReportSerializer(serializers.ModelSerializer):
    video = serializers.UUIDField(source="video_id", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "video", "reason", "text", "created_at"]
        read_only_fields = fields
