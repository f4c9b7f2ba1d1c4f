"""The gallery pages. Changes are made from the page's script through the API, which calls
the same services as the admin."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from gallery import selectors
from gallery.models import Report, Video

PAGE_SIZE = 24


def _page(request, videos):
    return Paginator(videos, PAGE_SIZE).get_page(request.GET.get("page"))


def _search(request) -> str:
    return request.GET.get("q", "").strip()[:200]


@require_GET
@login_required
def gallery_list(request):
    visibility = request.GET.get("visibility", "")
    if visibility not in Video.Visibility.values:
        visibility = ""
    q = _search(request)
    videos = selectors.videos_owned_by(request.user, visibility=visibility or None, q=q or None)
    context = {
        "page": _page(request, videos),
        "q": q,
        "visibility": visibility,
        "visibility_choices": Video.Visibility.choices,
    }
    return render(request, "gallery/list.html", context)


@require_GET
def video_page(request, video_id):
    """The page to share. Anyone may open an unlisted or public video by its link."""
    video = get_object_or_404(selectors.videos_visible_to(request.user), pk=video_id)
    user = request.user
    is_owner = user.is_authenticated and video.owner_id == user.pk
    context = {
        "video": video,
        "is_owner": is_owner,
        "can_report": user.is_authenticated and not is_owner,
        "has_reported": not is_owner and selectors.user_has_reported(user, video),
        "report_reasons": Report.Reason.choices,
        "report_text_max": Report.TEXT_MAX,
        # Search engines get only public pages: an unlisted link stays a link.
        "indexable": video.visibility == Video.Visibility.PUBLIC and video.is_visible,
    }
    return render(request, "gallery/video.html", context)


@require_GET
def explore(request):
    q = _search(request)
    page = _page(request, selectors.videos_explore(q=q or None))
    return render(request, "gallery/explore.html", {"page": page, "q": q})
