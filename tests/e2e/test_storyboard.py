"""The storyboard editor on the job page, in a real browser against the real stack: a story
made in review mode stops after planning, its owner edits the plan, listens to a scene and
renders the video, whose captions then read the edited words."""

import re

import pytest

from tests.e2e.test_browser import browser, shot  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.timeout(400)]

STORY = (
    "A lighthouse keeper counted the ships each night. "
    "One winter a small boat came in through the storm. "
    "The keeper lit every lamp until morning."
)
PASSWORD = "a-long-passphrase-42"


def sign_up(page, base, email):
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=display_name]", "Story Person")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_in(page, base, email, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+/$"))


def wait_for_editor(page):
    page.wait_for_selector("#storyboard:not([hidden]) #sb-form:not([hidden])", timeout=120_000)
    return page.locator("#sb-scenes > .sb-scene")


def test_review_edit_listen_and_render_a_story(live, browser):  # noqa: F811
    live.start_serve()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    sign_up(page, live.base, "storyboard@example.com")

    # The studio asks for a review by default.
    page.goto(f"{live.base}/studio/?kind=story")
    review = page.locator("input[name=story-review]")
    assert review.is_checked()
    page.fill("textarea[name=story-prompt]", STORY)
    page.select_option("select[name=story-opt_quality]", "480")
    page.select_option("select[name=story-opt_fps]", "24")
    shot(page, "storyboard-00-studio")
    page.click("#panel-story button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+/$"))

    # It stops after planning and the editor opens with the planned scenes.
    scenes = wait_for_editor(page)
    assert page.locator("#job-status").inner_text().lower() == "paused"
    assert scenes.count() >= 1
    assert "lighthouse keeper" in scenes.first.locator("[data-field=narration]").input_value()
    # The running total is the plan API's estimate.
    job_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    plan = page.request.get(f"{live.base}/api/v1/jobs/{job_id}/plan").json()
    total = float(page.get_attribute("#sb-total", "data-seconds"))
    assert total > 0 and abs(total - plan["estimated_seconds"]) < 0.05, plan
    shot(page, "storyboard-01-editor")

    # Edit the first scene: the estimate follows the (longer) words.
    edited = (
        "A lighthouse keeper named Rosalind counted purple whales each night. One winter a "
        "small boat came in through the storm, and she lit every lamp she had until morning."
    )
    scenes.first.locator("[data-field=narration]").fill(edited)
    seconds = "Number(document.getElementById('sb-total').dataset.seconds)"
    page.wait_for_function(f"{seconds} > {total}")

    # Listen to it: an <audio> in the card gets a playable source.
    scenes.first.locator("[data-action=listen]").click()
    audio = scenes.first.locator("audio[data-audio]")
    page.wait_for_function(
        "() => { const a = document.querySelector('#sb-scenes audio[data-audio]');"
        " return a && !a.hidden && a.src.startsWith('blob:') && a.readyState >= 1"
        " && a.duration > 0.5; }",
        timeout=60_000,
    )
    assert audio.is_visible()
    shot(page, "storyboard-02-listen")

    # Render: the edit is saved first, then the video is made.
    with page.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith("/plan")):
        page.click("#sb-render")
    page.wait_for_selector("#storyboard[hidden]", state="attached", timeout=30_000)
    page.wait_for_selector("#player:not([hidden])", timeout=300_000)
    assert page.locator("#job-status").inner_text().lower() == "succeeded"
    shot(page, "storyboard-03-rendered")

    captions = page.get_attribute("#video track", "src")
    assert captions
    vtt = page.request.get(f"{live.base}{captions}").text()
    text = re.sub(r"<[^>]+>", "", vtt)
    assert "Rosalind" in text and "purple whales" in text, vtt[:2000]

    # The finished video's editor is back, read afresh; "New picture" makes the scene again
    # with a new seed and renders the video once more.
    page.wait_for_selector("#storyboard:not([hidden])")
    assert page.inner_text("#sb-status") == ""
    before = page.request.get(f"{live.base}/api/v1/jobs/{job_id}/plan").json()
    with page.expect_response(lambda r: r.url.endswith("/scenes/0/regenerate")) as answer:
        scenes.first.locator("[data-action=regenerate]").click()
    assert answer.value.status == 202
    page.wait_for_selector("#storyboard[hidden]", state="attached", timeout=30_000)
    page.wait_for_selector("#storyboard:not([hidden]) #sb-form:not([hidden])", timeout=300_000)
    assert page.locator("#job-status").inner_text().lower() == "succeeded"
    after = page.request.get(f"{live.base}/api/v1/jobs/{job_id}/plan").json()
    assert after["revision"] == before["revision"] + 1
    assert after["plan"]["scenes"][0]["seed"] != before["plan"]["scenes"][0]["seed"]
    assert f"Revision {after['revision']}" in page.inner_text("#sb-revision")
    context.close()


def test_editor_fits_a_phone_shows_field_errors_and_follows_other_tabs(live, browser):  # noqa: F811
    live.start_serve()
    api = live.register("phone@example.com")
    response = api.post(
        "/api/v1/jobs",
        json={"kind": "story", "prompt": STORY, "review": True, "options": {"quality": 480}},
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    log_in(page, live.base, "phone@example.com", f"/jobs/{job_id}/")
    scenes = wait_for_editor(page)

    # At phone width the cards stack and their buttons wrap: nothing scrolls sideways.
    overflow = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth - window.innerWidth,
            editor: document.getElementById('storyboard').scrollWidth
                - document.getElementById('storyboard').clientWidth,
            wide: Array.from(document.querySelectorAll('#storyboard *'))
                .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
                .map((el) => el.tagName + '.' + el.className).slice(0, 5),
        })"""
    )
    assert overflow["page"] <= 0 and overflow["editor"] <= 0 and not overflow["wide"], overflow
    shot(page, "storyboard-04-phone")

    # An empty narration: the server's message appears beside that scene's narration.
    last = scenes.count() - 1
    scenes.nth(last).locator("[data-field=narration]").fill("")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.status == 400):
        page.click("#sb-save")
    error = scenes.nth(last).locator('[data-error-for="narration"]')
    error.wait_for()
    assert "must not be empty" in error.inner_text()
    assert scenes.nth(last).locator(".field-error [data-field=narration]").count() == 1
    assert page.locator('#sb-scenes [data-error-for="narration"] p').count() == 1
    shot(page, "storyboard-05-error")

    # Another tab saves while this one has unsaved changes: it says so rather than reload,
    # and saving here then is refused as stale (409), with the way out offered.
    scenes.nth(last).locator("[data-field=narration]").fill("The keeper slept at last.")
    plan = api.get(f"/api/v1/jobs/{job_id}/plan").json()
    plan["plan"]["title"] = "Saved elsewhere"
    saved = api.put(
        f"/api/v1/jobs/{job_id}/plan", json={"revision": plan["revision"], "plan": plan["plan"]}
    )
    assert saved.status_code == 200, saved.text
    page.wait_for_selector("#sb-notice:not([hidden])", timeout=30_000)
    assert "unsaved changes" in page.inner_text("#sb-notice")
    assert page.input_value("#sb-title") != "Saved elsewhere"
    with page.expect_response(lambda r: r.request.method == "PUT" and r.status == 409):
        page.click("#sb-save")
    page.wait_for_function("document.getElementById('sb-status').textContent === 'Not saved.'")
    assert "Reload" in page.inner_text("#sb-notice")
    assert page.locator("#sb-reload").is_visible()

    # Reloading takes the new revision; with nothing unsaved the next save elsewhere is taken
    # at once.
    page.click("#sb-reload")
    page.wait_for_function("document.getElementById('sb-title').value === 'Saved elsewhere'")
    assert page.locator("#sb-notice").is_hidden()
    plan = api.get(f"/api/v1/jobs/{job_id}/plan").json()
    plan["plan"]["scenes"][0]["narration"] = "Words from the other tab."
    saved = api.put(
        f"/api/v1/jobs/{job_id}/plan", json={"revision": plan["revision"], "plan": plan["plan"]}
    )
    assert saved.status_code == 200, saved.text
    page.wait_for_function(
        "document.querySelector('#sb-scenes [data-field=narration]').value"
        " === 'Words from the other tab.'",
        timeout=30_000,
    )

    # A scene added and moved to the top is saved in that order.
    page.click("#sb-add")
    added = scenes.last
    opening = "A scene written here, to open the story."
    added.locator("[data-field=narration]").fill(opening)
    added.locator("[data-action=up]").click()
    first = scenes.first.locator("[data-field=narration]")
    assert first.input_value() == opening
    with page.expect_response(lambda r: r.request.method == "PUT" and r.status == 200):
        page.click("#sb-save")
    page.wait_for_function("document.getElementById('sb-status').textContent === 'Saved.'")
    saved = api.get(f"/api/v1/jobs/{job_id}/plan").json()
    narrations = [scene["narration"] for scene in saved["plan"]["scenes"]]
    assert narrations[:2] == [opening, "Words from the other tab."]
    assert page.locator("#sb-notice").is_hidden()
    context.close()


def upload_to_library(page, base, path, tags=""):
    page.goto(f"{base}/library/")
    page.set_input_files("#library-file", str(path))
    page.fill("#library-tags", tags)
    with page.expect_navigation():
        page.click("#library-upload button[type=submit]")


def test_choose_a_scenes_picture_in_the_storyboard(live, browser, tmp_path):  # noqa: F811
    from PIL import Image

    live.start_serve()
    files = {}
    for name, color in (("lighthouse.png", (200, 30, 30)), ("zebra.png", (30, 160, 30)),
                        ("boat.png", (30, 30, 200))):  # fmt: skip
        files[name] = tmp_path / name
        Image.new("RGB", (320, 180), color).save(files[name])
    page = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    sign_up(page, live.base, "pictures@example.com")
    upload_to_library(page, live.base, files["lighthouse.png"], "lighthouse, keeper")
    upload_to_library(page, live.base, files["zebra.png"])

    page.goto(f"{live.base}/studio/?kind=story")
    page.fill("textarea[name=story-prompt]", STORY)
    page.select_option("select[name=story-opt_quality]", "480")
    page.select_option("select[name=story-opt_fps]", "24")
    page.click("#panel-story button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+/$"))
    job_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    card = wait_for_editor(page).first
    label = card.locator("[data-picture-label]")
    assert "Chosen when the video is made" in label.inner_text()

    # Upload from the card: the new picture is the scene's at once.
    card.locator("[data-upload]").set_input_files(str(files["boat.png"]))
    page.wait_for_function(
        "document.querySelector('#sb-scenes [data-picture-label]').textContent"
        ".includes('Chosen: boat.png')"
    )
    assert card.locator("[data-picture-thumb]").is_visible()

    # Choose another: the library item matching the scene's words comes first; other words
    # find the rest.
    card.locator("[data-action=choose]").click()
    first = card.locator(".sb-candidate").first
    first.wait_for()
    assert "lighthouse.png" in first.inner_text()
    card.locator("[data-look]").fill("zebra")
    card.locator("[data-action=look]").click()
    page.wait_for_function(
        "[...document.querySelectorAll('#sb-scenes .sb-candidate')]"
        ".some((b) => b.textContent.includes('zebra.png'))"
    )
    shot(page, "storyboard-04-choose")
    card.locator(".sb-candidate", has_text="zebra.png").click()
    assert "Chosen: zebra.png" in label.inner_text()
    assert card.locator("[data-candidates]").is_hidden()

    with page.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith("/plan")):
        page.click("#sb-render")
    page.wait_for_selector("#player:not([hidden])", timeout=300_000)
    plan = page.request.get(f"{live.base}/api/v1/jobs/{job_id}/plan").json()
    zebra = plan["plan"]["scenes"][0]["asset"]
    assert plan["pictures"][0]["item"] == zebra and plan["pictures"][0]["chosen"]
    assert plan["pictures"][0]["name"] == "zebra.png"
    # Back in the finished job's editor, the card says so.
    page.wait_for_selector("#storyboard:not([hidden]) #sb-form:not([hidden])", timeout=60_000)
    page.wait_for_function(
        "document.querySelector('#sb-scenes [data-picture-label]').textContent"
        ".includes('Chosen: zebra.png')"
    )
    shot(page, "storyboard-05-chosen")
