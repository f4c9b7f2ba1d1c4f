from django.urls import include, path

from studio import api, media_api, models_api, plan_api, voices_api

urlpatterns = [
    path("jobs", api.JobListCreateView.as_view(), name="api-jobs"),
    path("jobs/<uuid:job_id>", api.JobDetailView.as_view(), name="api-job"),
    path("jobs/<uuid:job_id>/cancel", api.JobCancelView.as_view(), name="api-job-cancel"),
    path("jobs/<uuid:job_id>/retry", api.JobRetryView.as_view(), name="api-job-retry"),
    path("jobs/<uuid:job_id>/continue", api.JobContinueView.as_view(), name="api-job-continue"),
    path("jobs/<uuid:job_id>/artifacts", api.JobArtifactsView.as_view(), name="api-job-artifacts"),
    path(
        "jobs/<uuid:job_id>/artifacts/<path:path>",
        api.JobArtifactFileView.as_view(),
        name="api-job-artifact",
    ),
    path("jobs/<uuid:job_id>/events", api.JobEventsView.as_view(), name="api-job-events"),
    path("jobs/<uuid:job_id>/script", api.JobScriptView.as_view(), name="api-job-script"),
    path("jobs/<uuid:job_id>/video", api.JobVideoView.as_view(), name="api-job-video"),
    path("jobs/<uuid:job_id>/plan", plan_api.JobPlanView.as_view(), name="api-job-plan"),
    path(
        "jobs/<uuid:job_id>/plan/revisions",
        plan_api.JobPlanRevisionsView.as_view(),
        name="api-job-plan-revisions",
    ),
    path("jobs/<uuid:job_id>/render", plan_api.JobRenderView.as_view(), name="api-job-render"),
    path(
        "jobs/<uuid:job_id>/scenes/<int:scene>/listen",
        plan_api.SceneListenView.as_view(),
        name="api-job-scene-listen",
    ),
    path(
        "jobs/<uuid:job_id>/scenes/<int:scene>/regenerate",
        plan_api.SceneRegenerateView.as_view(),
        name="api-job-scene-regenerate",
    ),
    path("uploads", api.UploadView.as_view(), name="api-uploads"),
    path(
        "jobs/<uuid:job_id>/scenes/<int:scene>/candidates",
        plan_api.SceneCandidatesView.as_view(),
        name="api-job-scene-candidates",
    ),
    path("media", media_api.MediaListCreateView.as_view(), name="api-media"),
    path("media/stock", media_api.MediaStockView.as_view(), name="api-media-stock"),
    path("media/<uuid:item_id>", media_api.MediaDetailView.as_view(), name="api-media-item"),
    path("media/<uuid:item_id>/file", media_api.MediaFileView.as_view(), name="api-media-file"),
    path(
        "media/<uuid:item_id>/thumbnail",
        media_api.MediaThumbnailView.as_view(),
        name="api-media-thumbnail",
    ),
    path("generators", api.GeneratorsView.as_view(), name="api-generators"),
    path("models", models_api.ModelsView.as_view(), name="api-models"),
    path("models/<str:model_id>", models_api.ModelDetailView.as_view(), name="api-model"),
    path("", include(voices_api.urls)),
]
