from django.urls import include, path

from videogen import cleanup_api, system_api

urlpatterns = [
    path("health", system_api.HealthView.as_view(), name="api-health"),
    path("stats", system_api.StatsView.as_view(), name="api-stats"),
    path("cleanup", cleanup_api.CleanupView.as_view(), name="api-cleanup"),
    path("auth/", include("accounts.api_urls")),
    path("", include("gallery.api_urls")),
    path("", include("studio.api_urls")),
]
