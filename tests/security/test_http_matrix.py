"""Every HTTP route × owner / other user / staff / anonymous / revoked credentials.

Each answer must have the status the table in routes.py gives, and no answer to someone who
may not see alice's private job, video, events, artifacts, upload or script may contain any
of it (her titles, prompt, ids: see conftest.World.markers)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from gallery.models import Video
from tests.security.conftest import PRINCIPALS, SECRET, body_of, client_for
from tests.security.routes import LOGIN, ROUTES

pytestmark = pytest.mark.django_db


def resolved_routes(patterns=None, prefix="", namespace=None):
    """(pattern, full name, callback) of every route the project's URLconf resolves."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if namespace and ns:
                ns = f"{namespace}:{ns}"
            yield from resolved_routes(
                entry.url_patterns, prefix + str(entry.pattern), ns or namespace
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry.callback


def _is_admin(pattern: str) -> bool:
    return pattern.startswith("admin/")


def _view_methods(callback) -> set[str] | None:
    """The methods a class-based view implements (None for a function view)."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return None
    names = {m for m in view_class.http_method_names if hasattr(view_class, m)}
    return {m.upper() for m in names - {"options", "head"}}


# Reads change nothing, so one world serves every principal; a change gets a fresh world per
# principal (alice's DELETE must not hide what bob's would have done).
MATRIX = [
    (name, method, principal)
    for name, route in ROUTES.items()
    for method in route.methods
    for principal in (["all"] if method == "GET" else PRINCIPALS)
]


def test_the_table_covers_every_route_and_method():
    project = [(p, n, c) for p, n, c in resolved_routes() if not _is_admin(p)]
    unnamed = [p for p, n, _ in project if not n]
    assert not unnamed, f"routes without a name cannot be checked: {unnamed}"
    names = {n for _, n, _ in project}
    assert names - set(ROUTES) == set(), "routes missing from tests/security/routes.py"
    assert set(ROUTES) - names == set(), "routes in the table that no longer exist"
    untested = {}
    for _, name, callback in project:
        implemented = _view_methods(callback)
        if implemented is not None and implemented - set(ROUTES[name].methods):
            untested[name] = implemented - set(ROUTES[name].methods)
    assert not untested, f"methods the table does not check: {untested}"
    assert sum(5 if p == "all" else 1 for *_, p in MATRIX) >= 5 * len(names)


def _request(client, method, url, data):
    call = getattr(client, method.lower())
    if method in ("GET", "DELETE"):
        return call(url)
    return call(url, data, format="json") if data is not None else call(url)


def _check(world, name, method, principal) -> list[str]:
    """What is wrong with the answer `principal` gets (nothing: an empty list)."""
    route = ROUTES[name]
    url = reverse(name, args=route.args(world) if route.args else [])
    response = _request(client_for(world, principal), method, url, route.data.get(method))
    body = body_of(response).decode("utf-8", "replace")
    problems = []
    expected = route.methods[method][principal]
    if expected == LOGIN:
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(reverse("accounts:login")):
            problems.append(f"expected a login redirect, got {response.status_code} {location}")
    elif response.status_code != expected:
        problems.append(f"expected {expected}, got {response.status_code}: {body[:200]}")
    sees_secrets = principal == "owner" or (principal == "staff" and not route.own_only)
    leaked = [m for m in world.markers() if m in body]
    if leaked and not sees_secrets:
        problems.append(f"leaks {leaked}")
    if principal == "owner" and method in route.shows and SECRET not in body:
        problems.append("does not show the owner's own things")
    return [f"{method} {name} as {principal}: {p}" for p in problems]


@pytest.mark.parametrize(("name", "method", "principal"), MATRIX)
def test_route_answers_each_principal_as_the_table_says_and_leaks_nothing(
    world, name, method, principal
):
    principals = PRINCIPALS if principal == "all" else [principal]
    problems = [p for who in principals for p in _check(world, name, method, who)]
    assert not problems, "\n".join(problems)


# --- the admin -------------------------------------------------------------------------------

MODERATION_PAGES = [
    "admin:index",
    "admin:gallery_video_changelist",
    "admin:gallery_report_changelist",
    "admin:pipeline_job_changelist",
    "admin:accounts_user_changelist",
]


def _admin_url(world, pattern, name):
    """A URL for an admin pattern, with real object ids where the pattern takes one."""
    path = pattern
    if "<path:object_id>" in path:
        objects = {
            "pipeline_job": world.job.pk,
            "gallery_video": world.video.pk,
            "accounts_user": world.alice.pk,
            "pipeline_upload": world.upload.pk,
        }
        model = next((k for k in objects if name and name.startswith(f"admin:{k}_")), None)
        path = path.replace("<path:object_id>", str(objects.get(model, 1)))
    path = path.replace("<int:content_type_id>", str(ContentType.objects.get_for_model(Video).pk))
    path = path.replace("<id>", str(world.alice.pk))
    if "<app_label>" in path or path.startswith("admin/(?P<app_label>"):
        path = "admin/gallery/"
    return "/" + path


def admin_routes():
    return [(p, n) for p, n, _ in resolved_routes() if _is_admin(p)]


def test_admin_refuses_everyone_but_staff_and_shows_the_moderation_desk_to_moderators(world):
    routes = admin_routes()
    assert any(n == "admin:index" for _, n in routes)
    checked = 0
    for pattern, name in routes:
        if "(?P<" in pattern and "app_label" not in pattern:
            continue  # the catch-all admin pattern
        url = _admin_url(world, pattern, name)
        for principal in PRINCIPALS:
            response = client_for(world, principal).get(url)
            checked += 1
            body = body_of(response).decode("utf-8", "replace")
            if principal == "staff":
                assert response.status_code < 500, (url, response.status_code)
                if name in MODERATION_PAGES:
                    assert response.status_code == 200, url
                continue
            if name == "admin:login":
                assert response.status_code in (200, 302), url
            else:
                assert response.status_code in (302, 405), (url, principal, response.status_code)
                if response.status_code == 302:
                    assert response["Location"].startswith(("/admin/login/", "/admin/")), url
            assert SECRET not in body, f"{url} leaks to {principal}"
    assert checked >= 5 * 60


# --- listings and shared links ----------------------------------------------------------------

LISTINGS = ["api-videos", "gallery:list", "api-videos-explore", "gallery:explore"]


def test_listings_show_public_videos_only_and_shared_links_open_only_what_is_shared(world):
    from tests.factories import VideoFactory

    videos = {
        state: VideoFactory(owner=world.alice, title=f"LIST-{state}-clip", **fields)
        for state, fields in {
            "public": {"visibility": "public"},
            "unlisted": {"visibility": "unlisted"},
            "hidden": {"visibility": "public", "moderation": "hidden", "hidden_reason": "Spam"},
            "pending": {"visibility": "public", "moderation": "pending"},
        }.items()
    }
    problems = []
    for principal in PRINCIPALS:
        client = client_for(world, principal)
        for name in LISTINGS:
            response = client.get(reverse(name))
            if response.status_code != 200:
                continue  # refused outright (see the matrix)
            body = body_of(response).decode()
            shown = {s for s, v in videos.items() if f"LIST-{s}-clip" in body or str(v.pk) in body}
            if name in ("api-videos", "gallery:list"):
                expected = set(videos) if principal == "owner" else set()
            else:
                expected = {"public"}
            if shown != expected:
                problems.append(f"{name} as {principal}: shows {shown}, expected {expected}")
        # By its link: public and unlisted open for everyone; hidden ones for owner and staff.
        for state, video in videos.items():
            response = client.get(reverse("gallery:video", args=[video.pk]))
            opens = state in ("public", "unlisted") or principal in ("owner", "staff")
            if (response.status_code == 200) is not opens:
                problems.append(f"/v/ {state} as {principal}: {response.status_code}")
    assert not problems, "\n".join(problems)


# --- function views under other methods ------------------------------------------------------

OTHER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def function_view_requests():
    """(route name, method) for each method a function view's table does not list (a class
    view's methods are its handlers, which the table must cover; a function's are whatever
    it does with them)."""
    for pattern, name, callback in resolved_routes():
        if _is_admin(pattern) or _view_methods(callback) is not None:
            continue
        for method in OTHER_METHODS:
            if method not in ROUTES[name].methods:
                yield name, method


def test_function_views_are_found():
    names = {name for name, _ in function_view_requests()}
    assert {"accounts:signup", "metrics", "studio:job", "gallery:video"} <= names


@pytest.mark.parametrize(("name", "method"), list(function_view_requests()))
def test_a_function_view_refuses_methods_it_does_not_serve(world, name, method):
    route = ROUTES[name]
    url = reverse(name, args=route.args(world) if route.args else [])
    problems = []
    for principal in PRINCIPALS:
        response = _request(client_for(world, principal), method, url, {"title": "x"})
        body = body_of(response).decode("utf-8", "replace")
        signed_out = principal in ("anonymous", "revoked")
        to_login = response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )
        if response.status_code != 405 and not (signed_out and to_login):
            problems.append(f"{method} {name} as {principal}: {response.status_code}")
        if principal != "owner" and [m for m in world.markers() if m in body]:
            problems.append(f"{method} {name} as {principal}: leaks")
    assert not problems, "\n".join(problems)


# --- the admin beyond GET --------------------------------------------------------------------


def _admin_rows(world):
    """(model admin name, the row, whether a moderator may delete it): the Moderators group
    may delete jobs and videos, and only look at uploads and users."""
    return [
        ("pipeline_job", world.job, True),
        ("gallery_video", world.video, True),
        ("pipeline_upload", world.upload, False),
        ("accounts_user", world.bob, False),
    ]


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_admin_change_and_delete_by_post_need_staff_and_its_permission(world, principal):
    client = client_for(world, principal)
    for admin_name, row, moderator_may_delete in _admin_rows(world):
        model = type(row)
        change = client.post(
            reverse(f"admin:{admin_name}_change", args=[row.pk]), {"title": "changed"}
        )
        delete = client.post(reverse(f"admin:{admin_name}_delete", args=[row.pk]), {"post": "yes"})
        exists = model.objects.filter(pk=row.pk).exists()
        if principal != "staff":
            for response in (change, delete):
                assert response.status_code == 302, (admin_name, principal, response.status_code)
                assert response["Location"].startswith("/admin/login/"), admin_name
            assert exists, f"{principal} deleted a {admin_name} through the admin"
            continue
        assert change.status_code in (200, 302, 403), (admin_name, change.status_code)
        if moderator_may_delete:
            assert delete.status_code == 302 and not exists, admin_name
        else:
            assert delete.status_code == 403 and exists, admin_name
    if principal != "staff":
        world.video.refresh_from_db()
        assert world.video.title.startswith(SECRET)


# --- a revoked principal who is staff --------------------------------------------------------


def test_a_staff_members_revoked_session_and_token_open_nothing(world):
    from accounts import services as accounts_services
    from tests.factories import DEFAULT_PASSWORD

    charlie = world.charlie
    before = APIClient(REMOTE_ADDR="203.0.113.7")
    before.force_login(charlie)
    old_token = world.tokens["staff"]
    accounts_services.user_change_password(
        user=charlie, old_password=DEFAULT_PASSWORD, new_password="staff-new-passphrase-91"
    )
    token_client = APIClient(REMOTE_ADDR="203.0.113.7")
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {old_token}")
    for path in ("/api/v1/stats", f"/api/v1/jobs/{world.job.id}", "/api/v1/auth/me"):
        assert token_client.get(path).status_code == 401, path
        assert before.get(path).status_code in (401, 403), path
    for url in (reverse("admin:index"), reverse("admin:pipeline_job_changelist")):
        response = before.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    job_page = before.get(reverse("studio:job", args=[world.job.id]))
    assert job_page.status_code == 302 and SECRET not in body_of(job_page).decode()
    delete = before.post(reverse("admin:pipeline_job_delete", args=[world.job.pk]), {"post": "yes"})
    assert delete.status_code == 302 and type(world.job).objects.filter(pk=world.job.pk).exists()
