"""The site's URLs plus a bare view: the same server and middleware, no authentication, no
database, so a benchmark can tell the project's own cost per request from the server's."""

from django.http import JsonResponse
from django.urls import path

from videogen.urls import urlpatterns as site_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare, name="bench-bare"), *site_urlpatterns]
