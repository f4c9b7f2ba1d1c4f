"""Any OpenAI-compatible chat endpoint: OpenAI itself, Ollama, vLLM, LM Studio, llama.cpp.

Spoken to over plain HTTP (httpx) rather than through a vendor SDK, because the servers
that copy this API agree on `POST /chat/completions` and little else.
"""

from urllib.parse import urlparse

from pipeline.errors import GeneratorError
from pipeline.providers.llm.base import Planner, http_failure, transport_failure

SERVICE = "The OpenAI-compatible endpoint"


class OpenAICompatiblePlanner(Planner):
    name = "openai"
    label = "OpenAI-compatible model"
    option_defaults = {
        **Planner.option_defaults,
        "base_url": "https://api.openai.com/v1",
        "api_key": "",
        "model": "gpt-4o-mini",
        # Ask for JSON output (response_format json_schema with the plan's schema, or
        # json_object); turn off for servers that reject response_format.
        "json_mode": True,
    }
    option_settings = {
        **Planner.option_settings,
        "base_url": "OPENAI_BASE_URL",
        "api_key": "OPENAI_API_KEY",
        "model": "OPENAI_MODEL",
        "json_mode": "OPENAI_JSON_MODE",
    }
    output_options = (*Planner.output_options, "model", "base_url")
    required_options = ("model", "base_url")

    @classmethod
    def missing_options(cls, options):
        missing = super().missing_options(options)
        merged = {**cls.option_defaults, **options}
        # Self-hosted servers (Ollama, vLLM) need no key; OpenAI's own API does.
        host = urlparse(str(merged.get("base_url") or "")).hostname or ""
        if host.endswith("openai.com") and not str(merged.get("api_key") or "").strip():
            missing.append("api_key")
        return missing

    @classmethod
    def invalid_options(cls, options):
        problems = super().invalid_options(options)
        url = options.get("base_url")
        if url and urlparse(str(url)).scheme not in ("http", "https"):
            problems.append(f"option 'base_url' must be an http(s) URL, got {url!r}")
        return problems

    def complete(self, system: str, user: str, *, json_mode: bool, schema=None) -> str:
        import httpx

        body = {
            "model": self.options["model"],
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": self.options["temperature"],
        }
        if json_mode and self.options["json_mode"]:
            body["response_format"] = {"type": "json_object"}
            if schema:
                # Structured output: Ollama, llama.cpp's server, vLLM and OpenAI turn the schema
                # into a grammar the model cannot leave, so a small local model returns a
                # valid plan on the first try. Not strict: OpenAI's strict mode wants every
                # property required.
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "video_plan", "schema": schema, "strict": False},
                }
        headers = {}
        if self.options["api_key"]:
            headers["Authorization"] = f"Bearer {self.options['api_key']}"
        url = f"{str(self.options['base_url']).rstrip('/')}/chat/completions"
        try:
            response = httpx.post(
                url, json=body, headers=headers, timeout=float(self.options["timeout"])
            )
        except httpx.TransportError as exc:
            raise transport_failure(SERVICE, exc) from exc
        if response.status_code >= 400:
            raise http_failure(
                response.status_code,
                _error_detail(response),
                service=SERVICE,
                key_setting="OPENAI_API_KEY",
                model_setting="OPENAI_MODEL",
            )
        try:
            return response.json()["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise GeneratorError(
                f"{SERVICE} sent an answer that is not a chat completion: {exc!r}",
                permanent=False,
                hint="Check OPENAI_BASE_URL points at the API root (usually ending in /v1).",
            ) from exc


def _error_detail(response) -> str:
    try:
        error = response.json().get("error")
    except ValueError:
        return response.text[:300]
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error or "")
