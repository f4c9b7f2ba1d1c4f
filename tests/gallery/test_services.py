"""The gallery services on their own: what they accept, refuse and leave behind."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from gallery import services
from gallery.models import Report, Video
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def files_of(video):
    return [f.name for f in (video.file, video.poster, video.captions_vtt, video.captions_srt)]


# --- rename -------------------------------------------------------------------------------


def test_rename_strips_the_title(video_for):
    video = video_for()

    services.video_rename(video=video, title="  Summer trip  ")

    assert Video.objects.get(pk=video.pk).title == "Summer trip"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("x" * 201, "200 characters"),
        ("two\nlines", "control characters"),
        ("tab\there", "control characters"),
        ("null\x00byte", "control characters"),
        ("bell\x07", "control characters"),
        ("evil\u202etxt.exe", "control characters"),
        (None, "Enter a title"),
    ],
    ids=["empty", "blank", "201-chars", "newline", "tab", "nul", "bell", "bidi", "none"],
)
def test_rename_refuses_bad_titles_and_keeps_the_old_one(video_for, title, message):
    video = video_for(title="Before")

    with pytest.raises(ValidationError) as caught:
        services.video_rename(video=video, title=title)

    assert message in caught.value.message_dict["title"][0]
    assert Video.objects.get(pk=video.pk).title == "Before"


def test_rename_accepts_exactly_200_characters_and_emoji_sequences(video_for):
    video = video_for()

    services.video_rename(video=video, title="x" * 200)
    assert len(Video.objects.get(pk=video.pk).title) == 200

    family = "Family \U0001f468\u200d\U0001f469\u200d\U0001f467"
    services.video_rename(video=video, title=family)
    assert Video.objects.get(pk=video.pk).title == family


def test_a_path_like_title_stays_a_title_and_moves_no_file(video_for):
    video = video_for(with_poster=True)
    before = files_of(video)

    services.video_rename(video=video, title="../../etc/passwd")

    video.refresh_from_db()
    assert video.title == "../../etc/passwd"
    assert files_of(video) == before
    assert all(default_storage.exists(name) for name in before if name)
    assert all("passwd" not in name for name in before)


def test_generated_titles_are_tidied_rather_than_refused(alice):
    from tests.factories import sample_media

    video = services.video_create(
        owner=alice,
        job_id=None,
        title="Line one\nline\x00two\u202e",
        video_path=sample_media() / "clip.mp4",
    )

    assert video.title == "Line one line two"


# --- visibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["private", "unlisted", "public"])
def test_visibility_can_be_set_to_each_choice(video_for, visibility):
    video = video_for()

    services.video_set_visibility(video=video, visibility=visibility)

    assert Video.objects.get(pk=video.pk).visibility == visibility


def test_an_unknown_visibility_is_refused(video_for):
    video = video_for()

    with pytest.raises(ValidationError) as caught:
        services.video_set_visibility(video=video, visibility="friends")

    assert "visibility" in caught.value.message_dict
    assert Video.objects.get(pk=video.pk).visibility == "private"


# --- delete -------------------------------------------------------------------------------


def test_delete_removes_every_file_once_committed(video_for, django_capture_on_commit_callbacks):
    video = video_for(with_poster=True)
    names = [n for n in files_of(video) if n]
    assert len(names) == 4

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.video_delete(video=video)
    assert not Video.objects.filter(pk=video.pk).exists()
    assert all(default_storage.exists(n) for n in names), "files outlive an open transaction"

    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(n) for n in names)


def test_delete_keeps_the_files_when_the_transaction_rolls_back(video_for):
    from django.db import transaction

    video = video_for()
    pk, name = video.pk, video.file.name

    with pytest.raises(RuntimeError), transaction.atomic():
        services.video_delete(video=video)
        raise RuntimeError("something later failed")

    assert Video.objects.filter(pk=pk).exists()
    assert default_storage.exists(name)


# --- moderation ---------------------------------------------------------------------------


def test_hide_records_who_why_and_when(video_for, charlie):
    video = video_for(visibility="public")

    services.video_hide(video=video, by=charlie, reason="  Misleading   title ")

    video.refresh_from_db()
    assert video.moderation == "hidden"
    assert video.hidden_reason == "Misleading title"
    assert video.hidden_by == charlie and video.hidden_at is not None
    assert video.reviewed


def test_hide_without_a_reason_says_a_moderator_did_it(video_for, charlie):
    video = video_for()

    services.video_hide(video=video, by=charlie, reason="")

    assert Video.objects.get(pk=video.pk).hidden_reason == "Hidden by a moderator"


def test_unhide_puts_it_back(video_for, charlie):
    video = video_for(visibility="public")
    services.video_hide(video=video, by=charlie, reason="Oops")

    services.video_unhide(video=video, by=charlie)

    video.refresh_from_db()
    assert (video.moderation, video.hidden_reason, video.hidden_at, video.hidden_by) == (
        "visible",
        "",
        None,
        None,
    )


# --- reports ------------------------------------------------------------------------------


def test_a_report_is_recorded_and_counted(video_for, bob):
    video = video_for(visibility="public")

    report = services.video_report(video=video, reporter=bob, reason="spam", text=" Ads. ")

    assert (report.reporter, report.reason, report.text) == (bob, "spam", "Ads.")
    assert video.report_count == 1
    assert Video.objects.get(pk=video.pk).report_count == 1


def test_a_person_reports_a_video_once(video_for, bob):
    video = video_for(visibility="public")
    services.video_report(video=video, reporter=bob, reason="spam")

    with pytest.raises(services.AlreadyReported):
        services.video_report(video=video, reporter=bob, reason="other", text="again")

    assert Report.objects.filter(video=video).count() == 1
    assert Video.objects.get(pk=video.pk).report_count == 1


def test_an_owner_cannot_report_their_own_video(video_for, alice):
    video = video_for(visibility="public")

    with pytest.raises(services.OwnVideoReport):
        services.video_report(video=video, reporter=alice, reason="spam")

    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("reason", "text", "field"), [("rude", "", "reason"), ("other", "x" * 501, "text")]
)
def test_a_report_with_bad_input_is_refused(video_for, bob, reason, text, field):
    video = video_for(visibility="public")

    with pytest.raises(ValidationError) as caught:
        services.video_report(video=video, reporter=bob, reason=reason, text=text)

    assert field in caught.value.message_dict
    assert not Report.objects.exists()


def test_enough_reports_hide_a_video_until_review(video_for, settings):
    settings.REPORTS_AUTO_HIDE_THRESHOLD = 3
    video = video_for(visibility="public")
    reporters = UserFactory.create_batch(3)

    for reporter in reporters[:2]:
        services.video_report(video=video, reporter=reporter, reason="spam")
    assert Video.objects.get(pk=video.pk).moderation == "visible"

    services.video_report(video=video, reporter=reporters[2], reason="violent")

    video.refresh_from_db()
    assert video.report_count == 3
    assert video.moderation == "pending"
    assert video.hidden_reason.startswith("Pending review")
    assert video.hidden_by is None and video.hidden_at is not None


def test_the_threshold_defaults_to_three(video_for, settings):
    del settings.REPORTS_AUTO_HIDE_THRESHOLD
    video = video_for(visibility="public")

    for reporter in UserFactory.create_batch(3):
        services.video_report(video=video, reporter=reporter, reason="spam")

    assert Video.objects.get(pk=video.pk).moderation == "pending"


def test_a_video_a_moderator_put_back_is_not_hidden_again_by_reports(video_for, charlie, settings):
    settings.REPORTS_AUTO_HIDE_THRESHOLD = 1
    video = video_for(visibility="public")
    first, second = UserFactory.create_batch(2)
    services.video_report(video=video, reporter=first, reason="spam")
    assert video.moderation == "pending"

    services.video_unhide(video=video, by=charlie)
    services.video_report(video=video, reporter=second, reason="spam")

    video.refresh_from_db()
    assert (video.moderation, video.report_count) == ("visible", 2)


def test_create_records_loudness_checks_and_burned_captions(alice):
    from tests.factories import sample_media

    folder = sample_media()
    found = [{"code": "silence", "level": "warning", "message": "Silent from 1 s to 4 s."}]
    video = services.video_create(
        owner=alice, job_id=None, title="Checked", video_path=folder / "clip.mp4",
        captions_burned=True, loudness={"integrated": -14.0, "true_peak": -1.5}, checks=found,
    )  # fmt: skip

    stored = Video.objects.get(pk=video.pk)
    assert stored.loudness == {"integrated": -14.0, "true_peak": -1.5}
    assert stored.checks == found and stored.warnings == found and stored.captions_burned
