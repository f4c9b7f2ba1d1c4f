"""A scene's picture chosen in the storyboard: the candidates a scene could show (library,
stock), a stock result kept in the library, the choice saved as the scene's `asset` and shown
by every render of that plan."""

import pytest

from gallery.media import probe
from pipeline.engine.runner import job_run
from pipeline.library.services import media_create
from pipeline.models import Job, MediaItem
from tests.accounts.imagefiles import image_bytes
from tests.library.clipfiles import upload
from tests.library.stockshapes import pexels_photos
from tests.library.test_visuals_stage import GREEN, RED, STORY, near, scene_spans
from tests.media.mediafiles import frames

pytestmark = pytest.mark.django_db(transaction=True)


def picture(owner, name, color, tags=""):
    return media_create(
        owner=owner, file=upload(image_bytes("PNG", color=color), name, "image/png"), tags=tags
    )


def reviewed(client, kind="story", prompt=STORY, **options):
    response = client.post(
        "/api/v1/jobs",
        {"kind": kind, "prompt": prompt, "review": True,
         "options": {"quality": 480, "fps": 24, **options} if kind == "story" else options},
        format="json",
    )  # fmt: skip
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    assert job_run(job_id=job_id) == "paused"
    return job_id


def save(client, job_id, change) -> dict:
    document = client.get(f"/api/v1/jobs/{job_id}/plan").json()
    plan = document["plan"]
    change(plan["scenes"])
    return client.put(
        f"/api/v1/jobs/{job_id}/plan", {"revision": document["revision"], "plan": plan},
        format="json",
    )  # fmt: skip


def render(client, job_id):
    assert client.post(f"/api/v1/jobs/{job_id}/render").status_code == 202
    assert job_run(job_id=job_id) == "succeeded", Job.objects.get(pk=job_id).error


def test_candidates_rank_the_owners_library_by_the_scenes_words(api_for, alice, bob):
    lantern = picture(alice, "lantern.png", RED, "lantern, snow")
    picture(alice, "zebra.png", GREEN)
    picture(bob, "fox-lantern.png", RED, "fox, lantern")
    client = api_for(alice)
    job_id = reviewed(client)

    body = client.get(f"/api/v1/jobs/{job_id}/scenes/0/candidates").json()
    assert [c["item"]["id"] for c in body["library"]] == [str(lantern.id)]  # not bob's
    assert "lantern" in body["library"][0]["reason"]
    assert body["library"][0]["item"]["thumbnail_url"].endswith("/thumbnail")
    assert (body["stock"], body["stock_configured"]) == ([], False)
    # Other words than the scene's: the zebra, found by its file name.
    other = client.get(f"/api/v1/jobs/{job_id}/scenes/0/candidates?q=zebra").json()
    assert [c["item"]["original_name"] for c in other["library"]] == ["zebra.png"]
    assert other["queries"] == ["zebra"]
    # Nobody else chooses from alice's library, staff neither.
    assert api_for(bob).get(f"/api/v1/jobs/{job_id}/scenes/0/candidates").status_code == 404
    assert client.get(f"/api/v1/jobs/{job_id}/scenes/9/candidates").status_code == 404


def test_an_asset_must_be_in_the_owners_library(api_for, alice, bob):
    theirs = picture(bob, "zebra.png", GREEN)
    client = api_for(alice)
    job_id = reviewed(client)

    def choose(asset):
        return save(client, job_id, lambda scenes: scenes[0].update(asset=asset))

    assert choose("zebra").json() == {
        "plan": {"scenes[0].asset": ["must be the id of an item in your media library, or empty"]}
    }
    refused = choose(str(theirs.id))
    assert refused.status_code == 400
    assert list(refused.json()["plan"]) == ["scenes[0].asset"]
    mine = picture(alice, "zebra.png", GREEN)
    saved = choose(str(mine.id))
    assert saved.status_code == 200
    assert saved.json()["plan"]["scenes"][0]["asset"] == str(mine.id)


@pytest.mark.slow
def test_the_chosen_picture_is_shown_and_survives_a_re_render(api_for, alice):
    lantern = picture(alice, "lantern.png", RED, "lantern, snow")
    zebra = picture(alice, "zebra.png", GREEN)
    client = api_for(alice)
    job_id = reviewed(client)
    assert client.get(f"/api/v1/jobs/{job_id}/plan").json()["pictures"] == []

    # Scene 1 would match the lantern; the person picks the zebra instead.
    assert save(client, job_id, lambda s: s[0].update(asset=str(zebra.id))).status_code == 200
    render(client, job_id)
    pictures = client.get(f"/api/v1/jobs/{job_id}/plan").json()["pictures"]
    assert (pictures[0]["item"], pictures[0]["chosen"]) == (str(zebra.id), True)
    assert pictures[0]["reason"] == "Chosen in the storyboard."
    assert pictures[0]["thumbnail_url"] == f"/api/v1/media/{zebra.id}/thumbnail"
    # The lantern is left for a scene that matches it, never the chosen one's twin.
    assert str(zebra.id) not in [p["item"] for p in pictures[1:]]

    def green_in_first_scene(job):
        span = scene_spans(job)[0]
        middle = (span["start"] + span["end"]) / 2
        shown = [p for t, p in frames(job.result.file.path) if abs(t - middle) < 0.05][0]
        return near(shown[100:-100, 100:-100], GREEN)

    job = Job.objects.get(pk=job_id)
    assert green_in_first_scene(job)
    # Another scene's words change; the choice is part of the plan and stays.
    edited = save(client, job_id, lambda s: s[-1].update(narration="The glow went out."))
    assert edited.status_code == 200
    render(client, job_id)
    pictures = client.get(f"/api/v1/jobs/{job_id}/plan").json()["pictures"]
    assert (pictures[0]["item"], pictures[0]["chosen"]) == (str(zebra.id), True)
    job.refresh_from_db()
    assert green_in_first_scene(job) and probe(job.result.file.path).has_audio
    assert MediaItem.objects.filter(pk=lantern.pk).exists()


def test_a_generator_without_chosen_pictures_says_so(api_for, alice):
    client = api_for(alice)
    response = client.post(
        "/api/v1/jobs",
        {"kind": "demo", "prompt": "One. Two.", "review": True, "options": {"cards": 2}},
        format="json",
    )
    job_id = response.json()["id"]
    assert job_run(job_id=job_id) == "paused"
    assert client.get(f"/api/v1/jobs/{job_id}/plan").json()["pictures"] is None


def test_a_stock_candidate_is_kept_in_the_library(api_for, alice, stock_server, settings):
    settings.PIXABAY_API_KEY = ""
    stock_server.routes["/v1/search"] = (200, pexels_photos(stock_server.url))
    stock_server.routes["/videos/search"] = (200, {"page": 1, "per_page": 5, "videos": []})
    stock_server.routes["/files/2014422.png"] = (200, image_bytes("PNG"))
    client = api_for(alice)
    job_id = reviewed(client, "demo", "One. Two.", cards=2)

    body = client.get(f"/api/v1/jobs/{job_id}/scenes/0/candidates?q=lighthouse").json()
    assert body["stock_configured"] is True
    [hit] = body["stock"]
    assert (hit["key"], hit["query"], hit["author"]) == (
        "pexels:image:2014422", "lighthouse", "Joey Farina",
    )  # fmt: skip
    assert "download_url" not in hit
    searches = len(stock_server.searches())

    kept = client.post("/api/v1/media/stock", {"key": hit["key"], "query": "lighthouse"},
                       format="json")  # fmt: skip
    assert kept.status_code == 201, kept.json()
    assert kept.json()["credit"] == "Image by Joey Farina on Pexels"
    assert kept.json()["license"] == "Pexels License"
    again = client.post("/api/v1/media/stock", {"key": hit["key"], "query": "lighthouse"},
                        format="json")  # fmt: skip
    assert (again.status_code, again.json()["id"]) == (200, kept.json()["id"])
    assert len(stock_server.searches()) == searches  # found again in the cache
    missing = client.post("/api/v1/media/stock", {"key": "pexels:image:1", "query": "lighthouse"},
                          format="json")  # fmt: skip
    assert missing.status_code == 400 and list(missing.json()) == ["key"]
