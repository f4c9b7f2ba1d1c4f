"""ai_video with the real diffusers backend on a tiny random LTX-Video model (CPU, 64x64)."""

import pytest
from django.db import transaction
from PIL import Image

from pipeline.engine.runner import job_run
from pipeline.errors import GeneratorError
from pipeline.models import Job, JobEvent
from pipeline.providers import get_provider
from pipeline.providers.t2v.diffusion import is_out_of_memory
from studio.services import job_create
from tests.ai_video.conftest import TINY, use_t2v, video_facts

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROMPT = "A cat plays the piano in the snow. A red car drives up a mountain road."


def submit(user, **options):
    with transaction.atomic():
        return job_create(
            user=user, kind="ai_video", prompt=PROMPT, options={**TINY, "seed": 1, **options}
        )


def run(job) -> str:
    result = job_run(job_id=job.id)
    job.refresh_from_db()
    return result


def test_a_real_job_renders_two_shots_with_the_model(alice, ltx):
    job = submit(alice, width=96, num_frames=17)

    assert run(job) == "succeeded", job.error

    facts = video_facts(job.result.file.path)
    assert (facts["width"], facts["height"], facts["frames"]) == (96, 64, 34)
    assert facts["codec"] == "h264"
    shots = JobEvent.objects.filter(job=job, type="shot_complete").order_by("seq")
    assert [e.payload["index"] for e in shots] == [0, 1]
    steps = JobEvent.objects.filter(job=job, stage="shots", message__contains="Step 2 of 2")
    assert steps.exists()  # progress came from the model's own step callback


def test_an_uploaded_reference_image_starts_the_first_shot(alice, ltx, api_for, upload_image):
    ltx.unload()  # so the image-to-video pipeline is built by this job, or not at all
    upload = upload_image(alice, size=(200, 120))
    body = {"kind": "ai_video", "prompt": PROMPT, "options": {**TINY, "reference_image": upload}}

    response = api_for(alice).post("/api/v1/jobs", body, format="json")

    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert run(job) == "succeeded", job.error
    assert ltx.load().i2v is not None
    assert video_facts(job.result.file.path)["frames"] == 18


def test_models_api_reports_the_model_loaded_after_a_job(alice, ltx, api_for, tiny_ltx_dir):
    ltx.unload()
    client = api_for(alice)
    before = client.get("/api/v1/models/t2v").json()
    assert before["status"] == "not_loaded" and before["available"] is True
    assert before["model"] == str(tiny_ltx_dir)
    assert before["capabilities"] == ["text-to-video", "image-to-video"]
    assert before["constraints"]["size_multiple"] == 32
    assert before["constraints"]["frames_rule"] == "8n+1"
    assert before["memory_needs"]["parameters"] > 0

    assert run(submit(alice)) == "succeeded"

    after = client.get("/api/v1/models/t2v").json()
    assert (after["status"], after["device"]) == ("loaded", "cpu")
    assert after["memory_in_use_bytes"] > 0
    listed = client.get("/api/v1/models").json()
    assert [m["id"] for m in listed] == ["t2v", "images"]


def test_running_out_of_memory_fails_the_job_with_a_hint_and_the_worker_goes_on(
    alice, ltx, settings, tiny_ltx_dir
):
    provider = use_t2v(
        settings,
        "tests.ai_video.backends.OutOfMemoryLTX",
        model=str(tiny_ltx_dir),
        device="cpu",
        steps=2,
    )
    job = submit(alice)

    assert run(job) == "failed"

    assert "ran out of memory" in job.error["message"]
    assert job.error["hint"] == "Try a shorter duration or a lower resolution."
    loaded = provider.pipes_seen[0]
    # The same provider, not a rebuilt one, runs the next job: the device lock was released
    # and the model loaded before the failure is still there and is the one used.
    provider.out_of_memory = False
    assert run(submit(alice)) == "succeeded"
    assert get_provider("t2v") is provider
    assert len(provider.pipes_seen) > 1 and all(p is loaded for p in provider.pipes_seen)
    assert provider.load().t2v is loaded
    assert provider.status()["status"] == "loaded"


@pytest.mark.parametrize(
    "error",
    [MemoryError(), RuntimeError("DefaultCPUAllocator: can't allocate memory: 80 GB")],
)
def test_cpu_memory_errors_become_a_permanent_error_with_the_hint(ltx, tmp_path, error):
    class Exhausted(type(ltx)):
        def call_pipeline(self, pipe, arguments):
            raise error

    provider = Exhausted(**ltx.options)
    with pytest.raises(GeneratorError) as caught:
        provider.generate(prompt="x", width=64, height=64, num_frames=9, fps=8,
                          out_path=tmp_path / "x.mp4")  # fmt: skip
    assert caught.value.permanent is True
    assert caught.value.hint == "Try a shorter duration or a lower resolution."
    assert caught.value.__cause__ is None  # no traceback keeps the tensors alive


def test_asking_for_cuda_without_a_gpu_is_a_clear_error(ltx):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    provider = type(ltx)(**{**ltx.options, "device": "cuda"})
    with pytest.raises(GeneratorError) as caught:
        provider.device()
    assert "sees no CUDA GPU" in caught.value.message
    assert "VIDEOGEN_T2V_DEVICE" in caught.value.hint


def test_other_errors_are_not_mistaken_for_memory():
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
    assert not is_out_of_memory(ValueError("out of memory"))


def test_the_provider_writes_an_exact_shot_and_reports_each_step(ltx, tmp_path):
    seen = []
    path = ltx.generate(
        prompt="waves crashing on a beach",
        width=64,
        height=96,
        num_frames=17,
        fps=8,
        seed=3,
        image=Image.new("RGB", (50, 90), (0, 90, 200)),
        steps=3,
        out_path=tmp_path / "shot.mp4",
        on_progress=lambda fraction, message: seen.append(message),
    )
    facts = video_facts(path)
    assert (facts["width"], facts["height"], facts["frames"]) == (64, 96, 17)
    assert [m for m in seen if m.startswith("Step")] == [f"Step {n} of 3" for n in (1, 2, 3)]
    assert not list(tmp_path.glob("*.part"))


def test_the_same_seed_gives_the_same_shot(ltx, tmp_path):
    import av
    import numpy as np

    def pixels(name, seed):
        path = ltx.generate(prompt="a dog", width=64, height=64, num_frames=9, fps=8,
                            seed=seed, out_path=tmp_path / name)  # fmt: skip
        with av.open(str(path)) as container:
            return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])

    first, again, other = pixels("a.mp4", 5), pixels("b.mp4", 5), pixels("c.mp4", 6)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
