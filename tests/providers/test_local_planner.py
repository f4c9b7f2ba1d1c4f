import pytest

from pipeline.errors import GeneratorError
from pipeline.providers.llm.local import OFFLINE_NOTICE, LocalPlanner, find_math, read_request
from pipeline.providers.text import split_sentences

STORY = """The Lighthouse

Ada kept the lighthouse on a rocky island. Every night she climbed the stairs and lit the
lamp. Ships passed safely, and nobody ever thanked her.

One winter a storm broke the lamp. Ada climbed the tower with a lantern and stood in the wind
all night. At dawn a fishing boat came home, and its captain waved.

After that, the village sent bread every Sunday."""


@pytest.fixture
def planner():
    return LocalPlanner()


def test_topic_request_becomes_intro_body_and_recap(planner):
    plan = planner.plan(
        kind="explainer", prompt="Explain the Pythagorean theorem with visual proof"
    )
    assert plan.title == "The Pythagorean theorem"
    assert plan.scenes[0].visual["type"] == "title"
    assert plan.scenes[-1].on_screen_text == "Recap"
    assert 3 <= len(plan.scenes) <= 5
    assert any(s.formula == "a^2 + b^2 = c^2" for s in plan.scenes)
    assert any(s.on_screen_text == "A visual proof" for s in plan.scenes)
    assert any(s.visual["type"] == "shapes" for s in plan.scenes)
    for scene in plan.scenes:
        assert scene.narration and scene.image_prompt and scene.search_terms
        assert "lorem" not in scene.narration.lower()
        assert scene.duration_hint > 0


def test_same_input_gives_the_same_plan(planner):
    first = planner.plan(kind="youtube", prompt="How does photosynthesis work?")
    second = LocalPlanner().plan(kind="youtube", prompt="How does photosynthesis work?")
    assert first == second


def test_unknown_topic_is_a_short_draft_of_the_prompt_with_a_notice(planner):
    plan = planner.plan(kind="explainer", prompt="Teach me about black holes for beginners")
    assert plan.title == "Black holes"
    assert [scene.narration for scene in plan.scenes] == ["Black holes."]
    assert plan.notice == OFFLINE_NOTICE
    assert plan.youtube is None


def test_a_known_topic_needs_no_notice(planner):
    assert planner.plan(kind="explainer", prompt="Explain the quadratic formula").notice == ""


def test_target_seconds_sets_the_number_of_body_scenes(planner):
    prompt = "The Pythagorean theorem"
    short = planner.plan(kind="explainer", prompt=prompt, options={"target_seconds": 20})
    long = planner.plan(kind="explainer", prompt=prompt, options={"target_seconds": 90})
    assert len(short.scenes) == 3
    assert len(long.scenes) == 5


def test_inline_math_becomes_a_graph(planner):
    plan = planner.plan(kind="explainer", prompt="Explain the graph of f(x) = x^2 - 3x + 2")
    [graph] = [s for s in plan.scenes if s.visual["type"] == "graph"]
    assert graph.visual["function"] == "x**2 - 3*x + 2"
    assert graph.formula == "f(x) = x^2 - 3x + 2"
    assert "x squared minus 3 x plus 2" in graph.narration  # spoken, not symbols


def test_find_math_ignores_hyphenated_words_and_ranges():
    found = find_math("A-b testing with 3-4 people, e-mail, and y = 2x + 1 or x^2 + 1.")
    assert [m.text for m in found] == ["y = 2x + 1", "x^2 + 1"]
    assert found[0].function == "2*x + 1"


def test_read_request_strips_instructions():
    assert read_request("Please make a short video about the water cycle for kids").phrase == (
        "the water cycle"
    )
    request = read_request("Explain the Pythagorean theorem with visual proof")
    assert request.phrase == "the Pythagorean theorem" and request.proof


def test_pasted_story_keeps_its_words_and_paragraphs(planner):
    plan = planner.plan(kind="story", prompt=STORY)
    assert plan.title == "The Lighthouse"
    assert split_sentences(plan.narration()) == split_sentences(STORY)
    assert any(s.narration.startswith("One winter a storm broke the lamp.") for s in plan.scenes)
    for scene in plan.scenes:
        assert scene.visual == {"type": "image"}
        assert scene.image_prompt.endswith(
            "cinematic digital painting, dramatic lighting, rich detail"
        )
    assert "lighthouse" in plan.scenes[0].search_terms


def test_long_text_respects_max_scenes(planner):
    text = " ".join(f"Sentence number {i} talks about rivers and hills." for i in range(80))
    plan = planner.plan(kind="story", prompt=text, options={"max_scenes": 4})
    assert len(plan.scenes) == 4
    assert sum(len(split_sentences(s.narration)) for s in plan.scenes) == 80


@pytest.mark.parametrize(
    "text",
    [
        "A fox learned to fly.",
        "Once upon a time, in a faraway land, a baker forgot how to make bread. "
        "The whole village went hungry until a child brought him an old recipe.",
        STORY,
        "Write a story about a fox who learns to fly",
    ],
)
def test_story_narration_is_exactly_the_text(planner, text):
    plan = planner.plan(kind="story", prompt=text)
    assert split_sentences(plan.narration()) == split_sentences(text)
    assert plan.narration().split() == text.split()


def test_a_short_story_makes_a_short_video(planner):
    plan = planner.plan(kind="story", prompt="A fox learned to fly.")
    assert len(plan.scenes) == 1
    assert plan.scenes[0].duration_hint < 4


def test_youtube_metadata_has_chapters_for_every_scene(planner):
    plan = planner.plan(kind="youtube", prompt="Explain the quadratic formula")
    meta = plan.youtube
    assert meta.title == "The quadratic formula, explained"
    assert [c.start_scene for c in meta.chapters] == list(range(len(plan.scenes)))
    assert "quadratic formula" in meta.tags
    assert "In this video:" in meta.description
    assert sum(len(tag) for tag in meta.tags) <= 500


def test_ai_video_shots_use_the_prompt_as_image_prompt(planner):
    plan = planner.plan(kind="ai_video", prompt="A red balloon drifts over a misty city at dawn.")
    [shot] = plan.scenes
    assert shot.image_prompt.startswith("A red balloon drifts over a misty city at dawn,")


def test_progress_is_reported(planner):
    seen = []
    planner.plan(
        kind="explainer", prompt="Euler's identity", on_progress=lambda f, m: seen.append(f)
    )
    assert seen[-1] == 1.0


def test_empty_prompt_and_unknown_kind_are_permanent_errors(planner):
    with pytest.raises(GeneratorError) as caught:
        planner.plan(kind="explainer", prompt="   ")
    assert caught.value.permanent
    with pytest.raises(GeneratorError, match="Unknown video kind"):
        planner.plan(kind="podcast", prompt="Hi")


def test_local_planner_cannot_write_code(planner):
    with pytest.raises(GeneratorError) as caught:
        planner.generate_code("system", "write a scene")
    assert "VIDEOGEN_LLM" in caught.value.hint


def test_text_too_long_for_the_allowed_scenes_is_refused_not_cut(planner):
    text = " ".join(f"Line {i} of a long passage about the sea and its moods." for i in range(60))
    with pytest.raises(GeneratorError) as caught:
        planner.plan(kind="story", prompt=text, options={"max_scenes": 1})
    assert caught.value.permanent and "Allow more scenes" in caught.value.hint


def test_story_pictures_carry_key_words_not_the_sentence_being_read(planner):
    plan = planner.plan(kind="story", prompt=STORY)
    assert plan.scenes[0].narration == "The Lighthouse"  # the title, read as its own scene
    for scene in plan.scenes[1:]:
        first_sentence = split_sentences(scene.narration)[0]
        assert scene.on_screen_text and scene.on_screen_text not in first_sentence
        assert len(scene.on_screen_text.split(" · ")) <= 2
    assert "Lamp" in plan.scenes[2].on_screen_text or "Storm" in plan.scenes[2].on_screen_text


def test_a_storys_title_does_not_put_an_article_before_a_name(planner):
    story = (
        "Ada kept the lighthouse on a small island. Every evening she lit the lamp. "
        "Ships passed the island safely, and Ada never felt alone."
    )
    assert planner.plan(kind="story", prompt=story).title == "Ada and the Island"


def test_is_name_needs_a_capital_everywhere_and_once_inside_a_sentence():
    from pipeline.providers.text import is_name

    assert is_name("ada", ["Ada kept the light.", "Later Ada slept."])
    assert not is_name("ada", ["Ada kept the light."])  # only where a sentence starts
    assert not is_name("storm", ["The Storm came.", "A storm broke the glass."])
