import io
import json

import av
import pytest
from PIL import Image

from pipeline.providers import get_provider, reset_providers

DIFFUSERS = "pipeline.providers.t2v.diffusion.DiffusersTextToVideo"
FAKE = "pipeline.providers.t2v.fake.FakeTextToVideo"
# Small enough for a CPU to render a shot in a fraction of a second.
TINY = {"width": 64, "height": 64, "num_frames": 9, "fps": 8, "steps": 2, "max_shots": 2}


@pytest.fixture(scope="session")
def tiny_ltx_dir(tmp_path_factory):
    """A tiny random LTX-Video model saved as a diffusers folder, once per test session."""
    from tests.fixtures.tiny_ltx import save_tiny_ltx

    return save_tiny_ltx(tmp_path_factory.mktemp("tiny-ltx"))


@pytest.fixture
def model_folder(tmp_path):
    """A folder that looks like a diffusers model on disk (6 parameters), for tests that
    only read the disk."""
    folder = tmp_path / "model"
    (folder / "transformer").mkdir(parents=True)
    (folder / "model_index.json").write_text('{"_class_name": "LTXPipeline"}')
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}})
    weights = len(header).to_bytes(8, "little") + header.encode() + bytes(24)
    (folder / "transformer" / "diffusion_pytorch_model.safetensors").write_bytes(weights)
    # A half-precision copy beside the weights is not counted twice.
    (folder / "transformer" / "diffusion_pytorch_model.fp16.safetensors").write_bytes(weights)
    return folder


def use_t2v(settings, backend: str, **options):
    """Points the t2v role at `backend` and returns the provider the jobs will use."""
    settings.VIDEOGEN_PROVIDERS = {
        **settings.VIDEOGEN_PROVIDERS,
        "t2v": {"BACKEND": backend, "OPTIONS": options},
    }
    reset_providers()
    return get_provider("t2v")


@pytest.fixture
def ltx(settings, tiny_ltx_dir):
    """The real diffusers backend on the tiny model, on the CPU."""
    provider = use_t2v(settings, DIFFUSERS, model=str(tiny_ltx_dir), device="cpu", steps=2)
    yield provider
    reset_providers()


@pytest.fixture
def fake_t2v(settings):
    def configure(**options):
        return use_t2v(settings, FAKE, **options)

    yield configure
    reset_providers()


@pytest.fixture
def upload_image(api_for):
    """Uploads a PNG as `user` through the API and returns its id."""

    def upload(user, size=(96, 64), color=(220, 40, 40)):
        buffer = io.BytesIO()
        Image.new("RGB", size, color).save(buffer, format="PNG")
        buffer.seek(0)
        buffer.name = "reference.png"
        response = api_for(user).post("/api/v1/uploads", {"image": buffer}, format="multipart")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return upload


@pytest.fixture
def library_item(api_for):
    """Adds a PNG (or, with `clip=True`, a short MP4) to `user`'s media library through the
    API and returns its id."""
    from tests.library.clipfiles import clip_bytes, upload

    def add(user, size=(96, 64), color=(40, 200, 40), clip=False):
        if clip:
            file = upload(clip_bytes(1.0, size=size))
        else:
            buffer = io.BytesIO()
            Image.new("RGB", size, color).save(buffer, format="PNG")
            file = upload(buffer.getvalue(), "library.png", "image/png")
        response = api_for(user).post("/api/v1/media", {"file": file}, format="multipart")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return add


def video_facts(path) -> dict:
    """Size, decoded frame count and codecs of a video file."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        audio = next(iter(container.streams.audio), None)
        facts = {
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "codec": stream.codec_context.name,
            "audio": audio.codec_context.name if audio else "",
            "duration": (container.duration or 0) / av.time_base,
        }
        facts["frames"] = sum(1 for _ in container.decode(video=0))
    return facts
