"""The Library page in a real browser against the real web server: upload a clip with tags,
see its thumbnail, find it, delete it."""

import pytest

from tests.e2e.test_browser import browser, shot  # noqa: F401  (the fixture)
from tests.library.clipfiles import clip_bytes

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.timeout(300)]


def test_upload_find_and_delete_in_the_library(live, browser, tmp_path):  # noqa: F811
    live.start_web()
    clip = tmp_path / "Lighthouse at dusk.mp4"
    clip.write_bytes(clip_bytes(1.0))
    fake = tmp_path / "not-a-video.mp4"
    fake.write_text("<!doctype html><p>hello</p>")
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.goto(f"{live.base}/accounts/signup/")
    page.fill("input[name=email]", "library@example.com")
    page.fill("input[name=display_name]", "Library Person")
    page.fill("input[name=password1]", "a-long-passphrase-42")
    page.fill("input[name=password2]", "a-long-passphrase-42")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live.base}/")

    page.click("nav >> text=Library")
    page.wait_for_url(f"{live.base}/library/")
    assert "Your library is empty" in page.content()

    # A file that only pretends to be a clip: refused, with the field named.
    page.set_input_files("#library-file", str(fake))
    page.click("#library-upload button[type=submit]")
    page.wait_for_function(
        "document.getElementById('library-status').textContent.includes('file:')"
    )
    assert "not one" in page.inner_text("#library-status")

    page.set_input_files("#library-file", str(clip))
    page.fill("#library-tags", "lighthouse, Sea")
    with page.expect_navigation():
        page.click("#library-upload button[type=submit]")
    item = page.locator(".library-item")
    assert item.count() == 1
    assert "Lighthouse at dusk.mp4" in item.inner_text() and "#sea" in item.inner_text()
    page.wait_for_function("document.querySelector('.library-item img').naturalWidth > 0")
    shot(page, "library-01-uploaded")

    page.fill("#library-q", "dusk")
    page.click("form[role=search] button")
    assert page.locator(".library-item").count() == 1

    page.on("dialog", lambda dialog: dialog.accept())
    page.click(".library-delete")
    page.wait_for_function("document.querySelectorAll('.library-item').length === 0")
    page.goto(f"{live.base}/library/")
    assert "Your library is empty" in page.content()
