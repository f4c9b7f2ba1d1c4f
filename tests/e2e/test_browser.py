"""The pages that matter, in Debian's chromium driven by Playwright, against the real stack
(`manage.py serve`: the web server, the worker cluster, the embedded Redis).

Screenshots of each step go to test-artifacts/e2e/.
"""

import re
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.timeout(300)]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_sign_up_make_a_video_watch_it_live_and_manage_it(live, browser):
    live.start_serve()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()

    # Sign up: lands signed in.
    page.goto(f"{live.base}/accounts/signup/")
    page.fill("input[name=email]", "browser@example.com")
    page.fill("input[name=display_name]", "Browser Person")
    page.fill("input[name=password1]", "a-long-passphrase-42")
    page.fill("input[name=password2]", "a-long-passphrase-42")
    shot(page, "01-signup")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live.base}/")
    assert page.locator(".nav-name").inner_text() == "Browser Person"

    # Create a job in the studio.
    page.goto(f"{live.base}/studio/?kind=demo")
    page.fill("textarea[name=demo-prompt]", "Watch this live. A second card. And a third one.")
    page.fill("input[name=demo-opt_cards]", "3")
    page.fill("input[name=demo-opt_seconds]", "1.5")
    page.uncheck("input[name=demo-review]")  # straight to the video, no storyboard review
    shot(page, "02-studio")
    page.click("#panel-demo button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+/$"))
    job_url = page.url
    page.evaluate("window.__samePage = true")
    # Every change of the stage list, as the page makes it (sampling would miss quick stages).
    page.evaluate(
        """() => {
            const stages = document.getElementById('stages');
            const done = () => stages.querySelectorAll('.stage[data-state="done"]').length;
            window.__doneCounts = [done()];
            new MutationObserver(() => window.__doneCounts.push(done())).observe(stages, {
                subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'],
            });
        }"""
    )

    # Watch it move without reloading.
    seen_progress, seen_done = set(), set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        seen_progress.add(int(page.get_attribute("#job-progress", "aria-valuenow")))
        seen_done.add(page.locator('#stages .stage[data-state="done"]').count())
        if page.locator("#job-status").inner_text().lower() == "succeeded":
            break
        if len(seen_progress) == 3:
            shot(page, "03-job-running")
        time.sleep(0.1)
    shot(page, "04-job-done")
    assert page.locator("#job-status").inner_text().lower() == "succeeded"
    assert page.evaluate("window.__samePage") is True, "the page must not reload"
    assert len({p for p in seen_progress if 0 < p < 100}) >= 2, seen_progress
    done_counts = page.evaluate("window.__doneCounts")
    assert done_counts == sorted(done_counts), done_counts
    assert {1, 2} <= set(done_counts), (done_counts, seen_done)
    # plan, frames and encode (the video is published after the last stage).
    assert page.locator('#stages .stage[data-state="done"]').count() == 3
    assert page.locator("#event-log li").count() >= 5

    # Play it: enough data to play, and it can seek.
    page.wait_for_selector("#player:not([hidden])")
    page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=30000)
    position = page.evaluate(
        """() => new Promise((resolve) => {
            const video = document.getElementById('video');
            video.addEventListener('seeked', () => resolve(video.currentTime), {once: true});
            video.currentTime = 2.0;
        })"""
    )
    assert abs(position - 2.0) < 0.5
    shot(page, "05-player")
    video_page = page.get_attribute("#video-page", "href")
    video_id = video_page.strip("/").split("/")[-1]

    # Rename it in the gallery, in place.
    page.goto(f"{live.base}/gallery/")
    card = page.locator("[data-video]").first
    card.locator("[data-action=rename]").click()
    card.locator("input[name=title]").fill("My renamed clip")
    card.locator("[data-rename-form] button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('[data-title-text]').textContent.trim() === 'My renamed clip'"
    )
    shot(page, "06-renamed")
    page.reload()
    assert page.locator("[data-title-text]").first.inner_text() == "My renamed clip"

    # Make it unlisted, then open the share link logged out.
    with page.expect_response(lambda r: r.request.method == "PATCH" and r.ok):
        page.locator("[data-video] select[data-action=visibility]").select_option("unlisted")
    shot(page, "07-unlisted")
    stranger = browser.new_context(viewport={"width": 375, "height": 800})
    public = stranger.new_page()
    public.goto(f"{live.base}/v/{video_id}/")
    assert "My renamed clip" in public.content()
    public.wait_for_function("document.querySelector('video').readyState >= 1", timeout=30000)
    shot(public, "08-shared-logged-out")
    stranger.close()

    # Delete it: the confirmation, then its files are gone.
    media = live.tmp / "data" / "media" / "videos"
    assert any(media.rglob("*.mp4"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-video] [data-action=delete]").click()
    dialog = page.locator("#delete-dialog[open]")
    if dialog.count():
        dialog.locator("button[value=delete]").click()
    page.wait_for_function("document.querySelectorAll('[data-video]').length === 0")
    shot(page, "09-deleted")
    deadline = time.monotonic() + 10
    while any(media.rglob("*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in media.rglob("*") if p.is_file()], "the video's files must be gone"
    assert page.request.get(f"{live.base}/api/v1/videos/{video_id}/stream").status == 404
    # The job remains, finished, and its page no longer offers the video.
    response = page.goto(job_url)
    assert response.status == 200
    assert page.locator("#job-status").inner_text().lower() == "succeeded"
    assert page.locator("#player").is_hidden()
    assert (
        page.request.get(
            f"{live.base}/api/v1/jobs/{job_url.rstrip('/').rsplit('/', 1)[-1]}/video"
        ).status
        == 404
    )
    context.close()


TRACK_STATE = """() => {
    const video = document.querySelector('video');
    const track = video.querySelector('track');
    return {
        tracks: video.textTracks.length,
        isDefault: track ? track.default : null,
        mode: video.textTracks.length ? video.textTracks[0].mode : null,
        label: track ? track.label : null,
    };
}"""


def test_burned_captions_leave_the_players_track_off_but_selectable(live, browser):
    live.start_serve()
    api = live.register("captions@example.com")
    story = "The fox found a lantern. It carried the light home through the snow."
    job = api.post("/api/v1/jobs", json={"kind": "story", "prompt": story, "options": {
        "quality": 480, "fps": 24, "burn_captions": True, "motion": False}}).json()  # fmt: skip
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{live.base}/accounts/login/?next=/jobs/{job['id']}/")
    page.fill("input[name=username]", "captions@example.com")
    page.fill("input[name=password]", "a-long-passphrase-42")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+/$"))

    # The job page, open while the job runs: the player and its track arrive live.
    page.wait_for_selector("#player:not([hidden])", timeout=240_000)
    page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=30000)
    state = page.evaluate(TRACK_STATE)
    assert state["tracks"] == 1 and state["isDefault"] is False
    assert state["mode"] != "showing" and "also in the picture" in state["label"]
    assert page.locator("#captions-note").is_visible()
    shot(page, "20-job-burned-captions")

    # The video page, and the same on a fresh load of the job page.
    for url in (page.get_attribute("#video-page", "href"), f"/jobs/{job['id']}/"):
        page.goto(f"{live.base}{url}")
        page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=30000)
        state = page.evaluate(TRACK_STATE)
        assert state["tracks"] == 1 and state["isDefault"] is False, url
        assert state["mode"] != "showing", url
        assert page.locator("#captions-note").is_visible(), url
    shot(page, "21-video-burned-captions")
    # Still selectable: the viewer can turn the track on.
    assert (
        page.evaluate(
            "() => { const t = document.querySelector('video').textTracks[0];"
            " t.mode = 'showing'; return t.mode; }"
        )
        == "showing"
    )
    context.close()
