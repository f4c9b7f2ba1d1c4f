"""The HTTP planners against a real local server speaking each protocol."""

import json

import jsonschema
import pytest

from pipeline.errors import GeneratorError
from pipeline.plan import PlanError, plan_json_schema
from pipeline.providers.fakes import fake_plan
from pipeline.providers.llm.base import parse_json_object, strip_code_fences
from pipeline.providers.llm.gemini import GeminiPlanner
from pipeline.providers.llm.openai_compat import OpenAICompatiblePlanner
from tests.visual_examples import EXAMPLES

PLAN = fake_plan("explainer", "Why is the sky blue?", 2)
PLAN_TEXT = json.dumps(PLAN)
BROKEN = '{"title": "Sky", "scenes": [{"narration": ""}]}'


def openai_answer(text: str) -> dict:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}


def gemini_answer(text: str) -> dict:
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}]}


def openai_planner(server, **options):
    return OpenAICompatiblePlanner(
        base_url=f"{server.url}/v1", api_key="sk-test", model="tiny", timeout=5.0, **options
    )


def gemini_planner(server, **options):
    return GeminiPlanner(
        api_key="g-test", model="gemini-test", base_url=server.url, timeout=5.0, **options
    )


BACKENDS = [
    pytest.param(openai_planner, openai_answer, id="openai"),
    pytest.param(gemini_planner, gemini_answer, id="gemini"),
]


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_valid_plan(http_server, make, answer):
    http_server.script((200, answer(PLAN_TEXT)))
    progress = []
    plan = make(http_server).plan(
        kind="explainer",
        prompt="Why is the sky blue?",
        options={"target_seconds": 30, "voice": "ignored"},
        on_progress=lambda f, m: progress.append((f, m)),
    )
    assert plan.title == PLAN["title"]
    assert len(plan.scenes) == 2
    assert progress[0] == (0.0, "Writing the plan") and progress[-1] == (1.0, "Plan ready")
    [request] = http_server.requests
    body = json.dumps(request["json"])
    assert "Why is the sky blue?" in body and "about 30 seconds" in body


def test_openai_request_shape(http_server):
    http_server.script((200, openai_answer(PLAN_TEXT)))
    openai_planner(http_server).plan(kind="story", prompt="A cat.")
    [request] = http_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["json"]
    assert body["model"] == "tiny"
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "video_plan", "schema": plan_json_schema(), "strict": False},
    }
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "JSON Schema" in body["messages"][0]["content"]
    assert "keep its wording as the narration" in body["messages"][0]["content"]


def structured_output_server(body):
    """Answers as Ollama, llama.cpp's server or vLLM do with response_format json_schema:
    the reply is held to the schema it was sent (here: checked against it), and a request
    without one gets free text, which a small model often wraps in chatter."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        return 200, openai_answer("Here is a plan for your video!")
    schema = response_format["json_schema"]["schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    plan = fake_plan("explainer", "Binary search", 2)
    plan["scenes"][1]["visual"] = {"type": "array", **EXAMPLES["array"]}
    jsonschema.validate(plan, schema)  # what the grammar guarantees
    return 200, openai_answer(json.dumps(plan))


def test_a_local_model_server_gets_the_plan_schema_and_answers_in_it(http_server):
    http_server.script(structured_output_server)
    planner = OpenAICompatiblePlanner(
        base_url=f"{http_server.url}/v1", model="qwen2.5:3b", timeout=5.0, max_repairs=0
    )
    plan = planner.plan(kind="explainer", prompt="How does binary search work?")
    assert plan.scenes[1].visual["type"] == "array"
    [request] = http_server.requests  # valid on the first try, no repair
    assert "Authorization" not in request["headers"]  # a local server needs no key
    assert "array for searches and sorts" in request["json"]["messages"][0]["content"]


def test_the_schema_sent_accepts_every_visual_the_plan_reader_accepts():
    schema = plan_json_schema()
    for kind, fields in EXAMPLES.items():
        plan = fake_plan("explainer", "Anything", 1)
        plan["scenes"][0]["visual"] = {"type": kind, **fields}
        jsonschema.validate(plan, schema)
    plan["scenes"][0]["visual"] = {"type": "array"}  # no values: refused by both
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(plan, schema)


def test_a_generators_planning_text_is_its_guidance(http_server):
    http_server.script((200, openai_answer(PLAN_TEXT)))
    openai_planner(http_server).plan(kind="explainer", prompt="Sorting", guidance="Only haiku.")
    system = http_server.requests[0]["json"]["messages"][0]["content"]
    assert "This video: Only haiku." in system


def test_an_unknown_kind_is_refused_before_calling(http_server):
    http_server.script((200, openai_answer(PLAN_TEXT)))
    with pytest.raises(GeneratorError, match="Unknown video kind 'podcast'"):
        openai_planner(http_server).plan(kind="podcast", prompt="Hi")
    assert http_server.requests == []


def test_openai_json_mode_can_be_turned_off(http_server):
    http_server.script((200, openai_answer(f"Sure!\n```json\n{PLAN_TEXT}\n```")))
    plan = openai_planner(http_server, json_mode=False).plan(kind="story", prompt="A cat.")
    assert plan.title == PLAN["title"]
    assert "response_format" not in http_server.requests[0]["json"]


def test_gemini_request_shape(http_server):
    http_server.script((200, gemini_answer(PLAN_TEXT)))
    gemini_planner(http_server).plan(kind="story", prompt="A cat.")
    [request] = http_server.requests
    assert request["path"] == "/v1beta/models/gemini-test:generateContent"
    assert request["headers"]["x-goog-api-key"] == "g-test"
    body = request["json"]
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    assert "JSON Schema" in body["systemInstruction"]["parts"][0]["text"]
    assert "A cat." in body["contents"][0]["parts"][0]["text"]


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_invalid_answer_is_repaired(http_server, make, answer):
    http_server.script((200, answer("this is not json")), (200, answer(PLAN_TEXT)))
    plan = make(http_server).plan(kind="explainer", prompt="Why is the sky blue?")
    assert plan.title == PLAN["title"]
    assert len(http_server.requests) == 2
    repair = json.dumps(http_server.requests[1]["json"])
    assert "this is not json" in repair and "not valid JSON" in repair


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_schema_problems_are_sent_back(http_server, make, answer):
    http_server.script((200, answer(BROKEN)), (200, answer(PLAN_TEXT)))
    make(http_server).plan(kind="explainer", prompt="Why is the sky blue?")
    assert "scenes[0].narration: must not be empty" in json.dumps(http_server.requests[1]["json"])


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_permanently_invalid_fails_after_max_repairs(http_server, make, answer):
    http_server.script((200, answer(BROKEN)))
    with pytest.raises(GeneratorError) as caught:
        make(http_server, max_repairs=1).plan(kind="explainer", prompt="Sky")
    assert len(http_server.requests) == 2
    assert caught.value.permanent
    assert "invalid plan 2 time(s)" in caught.value.message
    assert "scenes[0].narration" in caught.value.message
    assert "VIDEOGEN_LLM=local" in caught.value.hint


ERROR_503 = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
ERROR_401 = {"error": {"code": 401, "message": "API key not valid.", "status": "UNAUTHENTICATED"}}
ERROR_404 = {"error": {"code": 404, "message": "No such model.", "status": "NOT_FOUND"}}


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_service_unavailable_is_transient(http_server, make, answer):
    http_server.script((503, ERROR_503))
    with pytest.raises(GeneratorError) as caught:
        make(http_server).plan(kind="explainer", prompt="Sky")
    assert not caught.value.permanent
    assert "503" in caught.value.message and "overloaded" in caught.value.message
    assert len(http_server.requests) == 1  # the job runner retries, not the SDK


@pytest.mark.parametrize(("make", "answer", "setting"), [
    pytest.param(openai_planner, openai_answer, "OPENAI_API_KEY", id="openai"),
    pytest.param(gemini_planner, gemini_answer, "GEMINI_API_KEY", id="gemini"),
])  # fmt: skip
def test_unauthorized_is_permanent_with_a_hint_about_the_key(http_server, make, answer, setting):
    http_server.script((401, ERROR_401))
    with pytest.raises(GeneratorError) as caught:
        make(http_server).plan(kind="explainer", prompt="Sky")
    assert caught.value.permanent
    assert "401" in caught.value.message
    assert setting in caught.value.hint


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_unknown_model_is_permanent(http_server, make, answer):
    http_server.script((404, ERROR_404))
    with pytest.raises(GeneratorError) as caught:
        make(http_server).plan(kind="explainer", prompt="Sky")
    assert caught.value.permanent and "model name" in caught.value.hint


def test_unreachable_server_is_transient():
    planner = OpenAICompatiblePlanner(base_url="http://127.0.0.1:9/v1", model="m", timeout=2.0)
    with pytest.raises(GeneratorError) as caught:
        planner.plan(kind="explainer", prompt="Sky")
    assert not caught.value.permanent


def test_missing_key_fails_before_calling(http_server):
    http_server.script((200, gemini_answer(PLAN_TEXT)))
    planner = GeminiPlanner(api_key="", base_url=http_server.url)
    assert planner.available().setting == "GEMINI_API_KEY"
    with pytest.raises(GeneratorError) as caught:
        planner.plan(kind="explainer", prompt="Sky")
    assert caught.value.permanent and "GEMINI_API_KEY" in caught.value.hint
    assert http_server.requests == []


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_generate_code_strips_the_fence(http_server, make, answer):
    http_server.script((200, answer("Here you go:\n```python\nfrom manim import *\n```\nEnjoy")))
    assert make(http_server).generate_code("system", "a circle") == "from manim import *"


@pytest.mark.parametrize(("make", "answer"), BACKENDS)
def test_complete_json(http_server, make, answer):
    http_server.script((200, answer('{"ok": true}')))
    assert make(http_server).complete_json("system", "user") == {"ok": True}


def test_parse_json_object_tolerates_chatter():
    assert parse_json_object('Here:\n```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json_object('Result: {"a": {"b": 2}} hope this helps') == {"a": {"b": 2}}
    with pytest.raises(PlanError, match="empty"):
        parse_json_object("  ")
    with pytest.raises(PlanError, match="JSON object"):
        parse_json_object("[1, 2]")
    assert strip_code_fences("no fence") == "no fence"
