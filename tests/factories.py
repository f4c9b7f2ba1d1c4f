"""factory_boy factories shared by the whole suite."""

import factory
from django.conf import settings

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = settings.AUTH_USER_MODEL
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(DEFAULT_PASSWORD)
    is_active = True


# --- videos -----------------------------------------------------------------------------------
_SAMPLES: dict = {}

SAMPLE_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello there.\n"
SAMPLE_SRT = "1\n00:00:00,000 --> 00:00:01,000\nHello there.\n"


def sample_media():
    """A folder with a tiny real clip (1 s, 160x90, H.264 + AAC, faststart), a poster and
    captions, made once per test process with the bundled ffmpeg: gallery tests stream,
    probe and decode real files without running a job."""
    if "folder" not in _SAMPLES:
        import atexit
        import shutil
        import subprocess
        import tempfile
        from pathlib import Path

        import imageio_ffmpeg
        from PIL import Image

        folder = Path(tempfile.mkdtemp(prefix="videogen-samples-"))
        atexit.register(shutil.rmtree, folder, True)
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                *("-hide_banner", "-loglevel", "error", "-y"),
                *("-f", "lavfi", "-i", "testsrc=size=160x90:rate=25:duration=1"),
                *("-f", "lavfi", "-i", "sine=frequency=440:duration=1"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
                *("-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart"),
                str(folder / "clip.mp4"),
            ],
            check=True,
            timeout=60,
        )
        Image.new("RGB", (160, 90), (200, 40, 40)).save(folder / "poster.jpg", "JPEG")
        (folder / "captions.vtt").write_text(SAMPLE_VTT)
        (folder / "captions.srt").write_text(SAMPLE_SRT)
        _SAMPLES["folder"] = folder
    return _SAMPLES["folder"]


class VideoFactory(factory.django.DjangoModelFactory):
    """A real, playable 1 s video, stored through gallery.services.video_create.

    `with_captions=True` adds WebVTT and SRT files and `with_poster=True` a stored poster
    (without one, video_create makes it from the video). Other fields (visibility,
    moderation, created_at, ...) are written to the row afterwards."""

    class Meta:
        model = "gallery.Video"

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Clip {n}")
    with_captions = False
    with_poster = False

    @classmethod
    def _create(cls, model_class, *args, owner, title, with_captions, with_poster, **fields):
        from gallery.services import video_create

        folder = sample_media()
        video = video_create(
            owner=owner,
            job_id=fields.pop("job_id", None),
            title=title,
            video_path=folder / "clip.mp4",
            poster_path=folder / "poster.jpg" if with_poster else None,
            vtt_path=folder / "captions.vtt" if with_captions else None,
            srt_path=folder / "captions.srt" if with_captions else None,
        )
        if fields:
            for name, value in fields.items():
                setattr(video, name, value)
            video.save(update_fields=list(fields))
        return video
