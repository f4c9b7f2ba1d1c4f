import subprocess

import av
import pytest

from pipeline.errors import GeneratorError
from pipeline.sandbox import SandboxRenderError, render_untrusted
from tests.sandbox.conftest import BENIGN_SCENE, TINY_SCENE


@pytest.mark.slow
def test_llm_style_scene_renders_to_a_playable_mp4(sandbox_dir):
    result = render_untrusted(BENIGN_SCENE, workdir=sandbox_dir, quality="l", timeout=60)

    assert result.video.is_relative_to(sandbox_dir)
    with av.open(str(result.video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
        assert container.duration and container.duration > 0
    assert sorted(p.name for p in result.video.parent.iterdir()) == [
        "harness.log",
        "scene.mp4",
        "scene.py",
        "setup.json",
        "spec.json",
    ]
    assert result.protections["python_guards"] and result.protections["audit_hook"]
    assert result.protections["limits"]["memory_mb"] == 2048


@pytest.mark.slow
def test_renders_through_a_stage_style_run_callable(sandbox_dir):
    """`StageContext.run` runs the harness in production, so cancelling a job kills it."""
    calls = []

    def run(args, *, label, timeout, cwd, env):
        calls.append(label)
        done = subprocess.run(args, cwd=cwd, env=env, timeout=timeout, capture_output=True)
        if done.returncode:
            raise GeneratorError(f"{label} failed: {done.stdout[-300:]!r}")

    result = render_untrusted(TINY_SCENE, workdir=sandbox_dir, quality=(320, 180, 10), run=run)

    assert calls == ["manim-sandbox"]
    with av.open(str(result.video)) as container:
        assert container.streams.video[0].codec_context.width == 320


def test_a_broken_scene_reports_the_error_and_its_line(sandbox_dir):
    code = TINY_SCENE.replace("Circle()", "Cirle()")

    with pytest.raises(SandboxRenderError) as caught:
        render_untrusted(code, workdir=sandbox_dir, timeout=30)

    error = caught.value
    assert "NameError: name 'Cirle' is not defined (scene line 7)" in str(error)
    assert 'File "scene.py", line 7, in construct' in error.log
    assert "harness.py" not in error.log
    assert error.repairable
