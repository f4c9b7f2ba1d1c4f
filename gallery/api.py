"""The videos API: thin views over gallery.selectors and gallery.services."""

from django.db import transaction
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import query_params
from gallery import selectors, services
from gallery.conditional import conditional_response, row_values
from gallery.models import Video
from gallery.serializers import (
    ExploreFilterSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    VideoListFilterSerializer,
    VideoSerializer,
    VideoUpdateSerializer,
)
from gallery.streaming import download_name, stored_file_response

THUMBNAIL_CACHE_SECONDS = 3600
VIDEOS_TAG = extend_schema(tags=["videos"])


class FirstRenderer(BaseContentNegotiation):
    """File routes answer with the file whatever the Accept header says (a browser's <video>
    or <track> asks for odd types); their errors still come back as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class VideoMixin:
    def get_video(self) -> Video:
        try:
            return selectors.videos_visible_to(self.request.user).get(pk=self.kwargs["video_id"])
        except Video.DoesNotExist:
            raise NotFound("No such video.")

    def get_own_video(self) -> Video:
        """Only the owner changes a video. Someone who can see it but does not own it
        (anyone, for a public one; staff, for all) is refused with 403; moderators act
        through the admin."""
        video = self.get_video()
        if video.owner_id != self.request.user.pk:
            raise PermissionDenied("Only the owner can change this video.")
        return video


@VIDEOS_TAG
class VideoListView(generics.ListAPIView):
    serializer_class = VideoSerializer

    def get_queryset(self):
        filters = VideoListFilterSerializer(data=query_params(self.request))
        filters.is_valid(raise_exception=True)
        return selectors.videos_owned_by(self.request.user, **filters.validated_data)

    @extend_schema(parameters=[VideoListFilterSerializer])
    def get(self, request, *args, **kwargs):
        """Your own videos, newest first (staff too see only their own here)."""
        return super().get(request, *args, **kwargs)


@VIDEOS_TAG
class ExploreView(generics.ListAPIView):
    serializer_class = VideoSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        filters = ExploreFilterSerializer(data=query_params(self.request))
        filters.is_valid(raise_exception=True)
        return selectors.videos_explore(**filters.validated_data)

    @extend_schema(parameters=[ExploreFilterSerializer])
    def get(self, request, *args, **kwargs):
        """Public videos of everyone, newest first; no sign-in needed."""
        return super().get(request, *args, **kwargs)


@VIDEOS_TAG
class VideoDetailView(VideoMixin, APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=VideoSerializer)
    def get(self, request, video_id):
        """One video: yours, any unlisted or public one, or (staff) any."""
        video = self.get_video()
        owner = video.owner
        # What moderation fields show depends on who asks.
        viewer = (request.user.pk, request.user.is_staff)
        public_owner = (owner.pk, owner.display_name, owner.avatar_small.name)
        return conditional_response(
            request,
            (row_values(video), public_owner, viewer),
            lambda: Response(VideoSerializer(video, context={"request": request}).data),
        )

    @extend_schema(request=VideoUpdateSerializer, responses=VideoSerializer)
    def patch(self, request, video_id):
        """Rename it or change who can see it (owner only)."""
        video = self.get_own_video()
        data = VideoUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        with transaction.atomic():
            if "title" in changes:
                services.video_rename(video=video, title=changes["title"])
            if "visibility" in changes:
                services.video_set_visibility(video=video, visibility=changes["visibility"])
        return Response(VideoSerializer(video, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, video_id):
        """Delete it and its files (owner only); the job that made it stays."""
        services.video_delete(video=self.get_own_video())
        return Response(status=status.HTTP_204_NO_CONTENT)


RANGE_HEADER = OpenApiParameter(
    "Range",
    str,
    OpenApiParameter.HEADER,
    description="`bytes=first-last`, `bytes=first-` or `bytes=-suffix`.",
)


def _binary(content_type, *, partial=False):
    responses = {(200, content_type): OpenApiTypes.BINARY}
    if partial:
        responses[(206, content_type)] = OpenApiTypes.BINARY
        responses[416] = OpenApiResponse(description="The range lies outside the file.")
    responses[404] = OpenApiResponse(description="No such video (or you may not see it).")
    return responses


class VideoFileView(VideoMixin, APIView):
    permission_classes = [permissions.AllowAny]
    content_negotiation_class = FirstRenderer

    def serve(self, request, field, *, max_age=None, **options):
        """The stored file (Range-aware), cached by the browser only: it may be private."""
        response = stored_file_response(request, field, **options)
        if max_age is None:
            patch_cache_control(response, private=True)
        else:
            patch_cache_control(response, private=True, max_age=max_age)
        return response


@VIDEOS_TAG
class VideoStreamView(VideoFileView):
    @extend_schema(parameters=[RANGE_HEADER], responses=_binary("video/mp4", partial=True))
    def get(self, request, video_id):
        """The MP4 for a player, with HTTP Range support (206, or 416 for a bad range)."""
        return self.serve(request, self.get_video().file, content_type="video/mp4", redirect=True)


@VIDEOS_TAG
class VideoDownloadView(VideoFileView):
    @extend_schema(parameters=[RANGE_HEADER], responses=_binary("video/mp4", partial=True))
    def get(self, request, video_id):
        """The MP4 as an attachment named after the title (resumable with Range)."""
        video = self.get_video()
        return self.serve(
            request,
            video.file,
            content_type="video/mp4",
            download_name=download_name(video.title, "mp4"),
            redirect=True,
        )


@VIDEOS_TAG
class VideoThumbnailView(VideoFileView):
    @extend_schema(responses=_binary("image/jpeg"))
    def get(self, request, video_id):
        """The poster frame as a JPEG, made with the video."""
        video = self.get_video()
        if not video.poster:
            raise NotFound("This video has no picture.")
        return self.serve(
            request, video.poster, content_type="image/jpeg", max_age=THUMBNAIL_CACHE_SECONDS
        )


@VIDEOS_TAG
class VideoCaptionsVttView(VideoFileView):
    @extend_schema(operation_id="v1_videos_captions_vtt_retrieve", responses=_binary("text/vtt"))
    def get(self, request, video_id):
        """WebVTT captions, for a <track> element; 404 when the video has none."""
        video = self.get_video()
        if not video.captions_vtt:
            raise NotFound("This video has no captions.")
        return self.serve(request, video.captions_vtt, content_type="text/vtt; charset=utf-8")


@VIDEOS_TAG
class VideoCaptionsSrtView(VideoFileView):
    @extend_schema(
        operation_id="v1_videos_captions_srt_retrieve", responses=_binary("application/x-subrip")
    )
    def get(self, request, video_id):
        """SubRip captions as an attachment, for video editors; 404 when there are none."""
        video = self.get_video()
        if not video.captions_srt:
            raise NotFound("This video has no captions.")
        return self.serve(
            request,
            video.captions_srt,
            content_type="application/x-subrip; charset=utf-8",
            download_name=download_name(video.title, "srt"),
        )


@VIDEOS_TAG
class VideoReportView(VideoMixin, APIView):
    @extend_schema(
        request=ReportCreateSerializer,
        responses={
            201: ReportSerializer,
            400: OpenApiResponse(description="Bad input, or it is your own video."),
            409: OpenApiResponse(description="You have already reported this video."),
        },
    )
    def post(self, request, video_id):
        """Report a video to the moderators; once per person and video."""
        video = self.get_video()
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.video_report(video=video, reporter=request.user, **data.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
