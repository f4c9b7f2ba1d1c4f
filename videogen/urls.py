from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from videogen.metrics import metrics_view

handler404 = "videogen.exceptions.page_not_found"
handler500 = "videogen.exceptions.server_error"

admin.site.site_header = "videogen moderation"
admin.site.site_title = "videogen admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("videogen.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Prometheus text format; not part of the API (see README, Monitoring).
    path("metrics", metrics_view, name="metrics"),
    path("", include("gallery.urls")),
    path("", include("studio.urls")),
]
