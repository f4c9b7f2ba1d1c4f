from django.urls import path

from gallery import api

urlpatterns = [
    path("videos", api.VideoListView.as_view(), name="api-videos"),
    path("explore", api.ExploreView.as_view(), name="api-videos-explore"),
    path("videos/<uuid:video_id>", api.VideoDetailView.as_view(), name="api-video"),
    path("videos/<uuid:video_id>/stream", api.VideoStreamView.as_view(), name="api-video-stream"),
    path(
        "videos/<uuid:video_id>/download",
        api.VideoDownloadView.as_view(),
        name="api-video-download",
    ),
    path(
        "videos/<uuid:video_id>/thumbnail",
        api.VideoThumbnailView.as_view(),
        name="api-video-thumbnail",
    ),
    path(
        "videos/<uuid:video_id>/captions.vtt",
        api.VideoCaptionsVttView.as_view(),
        name="api-video-captions-vtt",
    ),
    path(
        "videos/<uuid:video_id>/captions.srt",
        api.VideoCaptionsSrtView.as_view(),
        name="api-video-captions-srt",
    ),
    path("videos/<uuid:video_id>/report", api.VideoReportView.as_view(), name="api-video-report"),
]
