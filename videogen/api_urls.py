from django.urls import include, path

urlpatterns = [
    path("auth/", include("accounts.api_urls")),
    path("", include("gallery.api_urls")),
    path("", include("studio.api_urls")),
]
