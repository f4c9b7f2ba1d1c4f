import pytest

from pipeline.errors import GeneratorError
from pipeline.sandbox import render_with_repairs
from tests.sandbox.conftest import TINY_SCENE

UNSAFE = "import os\n" + TINY_SCENE


def test_gives_up_after_the_allowed_repairs(sandbox_dir):
    asked = []

    def fix(code, error):
        asked.append(error)
        return f"import os  # attempt {len(asked)}\n" + TINY_SCENE

    result = render_with_repairs(code=UNSAFE, generate_fix=fix, max_repairs=2, workdir=sandbox_dir)

    assert result.video is None
    assert [a.kind for a in result.attempts] == ["violation"] * 3
    assert len(asked) == 2
    assert "import of 'os' is not allowed (line 1)" in asked[0]
    assert len({a.code_hash for a in result.attempts}) == 3


def test_stops_when_the_fix_repeats_failed_code(sandbox_dir):
    result = render_with_repairs(
        code=UNSAFE, generate_fix=lambda code, error: code, max_repairs=3, workdir=sandbox_dir
    )

    assert result.video is None and len(result.attempts) == 1
    assert result.gave_up == "the fix repeated code that already failed"


def test_stops_when_asking_for_a_fix_fails(sandbox_dir):
    def fix(code, error):
        raise GeneratorError("LLM quota exhausted", permanent=False)

    result = render_with_repairs(code=UNSAFE, generate_fix=fix, max_repairs=3, workdir=sandbox_dir)

    assert result.video is None
    assert result.gave_up == "asking for a fix failed: LLM quota exhausted"


@pytest.mark.slow
def test_a_fixed_scene_renders_and_every_attempt_is_reported(sandbox_dir):
    seen = []

    result = render_with_repairs(
        code=UNSAFE,
        generate_fix=lambda code, error: TINY_SCENE,
        max_repairs=2,
        workdir=sandbox_dir,
        on_attempt=seen.append,
        quality=(320, 180, 10),
        timeout=60,
    )

    assert result.video is not None and result.video.exists()
    assert result.code == TINY_SCENE
    assert [a.kind for a in result.attempts] == ["violation", "rendered"]
    assert seen == result.attempts
    assert result.attempts[1].error == ""
