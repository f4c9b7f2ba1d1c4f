"""The Library page: a person's pictures and clips, to upload with tags, find and delete."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pipeline.library.selectors import media_of


@require_GET
@login_required
def library(request):
    tag = request.GET.get("tag", "")
    q = request.GET.get("q", "")
    items = media_of(user=request.user, tag=tag, q=q)
    return render(
        request,
        "studio/library.html",
        {
            "items": items,
            "tag": tag,
            "q": q,
            "clip_max_seconds": settings.MEDIA_CLIP_MAX_SECONDS,
            "clip_max_bytes": settings.MEDIA_CLIP_MAX_BYTES,
            "image_max_bytes": settings.UPLOAD_MAX_BYTES,
        },
    )
