"""Google's Gemini models through the maintained `google-genai` SDK.

The SDK's own retries are switched off: the job runner already retries transient failures
with backoff, and two layers of retries would multiply the wait.
"""

from pipeline.errors import GeneratorError
from pipeline.providers.llm.base import Planner, http_failure, transport_failure

SERVICE = "Gemini"


class GeminiPlanner(Planner):
    name = "gemini"
    label = "Gemini"
    option_defaults = {
        **Planner.option_defaults,
        "api_key": "",
        "model": "gemini-2.5-flash",
        "base_url": "",  # empty: Google's endpoint; set for a proxy or a local test server
        # v1beta has JSON output and system instructions for every current model.
        "api_version": "v1beta",
    }
    option_settings = {
        **Planner.option_settings,
        "api_key": "GEMINI_API_KEY",
        "model": "GEMINI_MODEL",
        "base_url": "GEMINI_BASE_URL",
    }
    output_options = (*Planner.output_options, "model", "base_url")
    required_options = ("api_key", "model")

    def __init__(self, **options):
        super().__init__(**options)
        self._client = None

    def client(self):
        if self._client is None:
            from google import genai
            from google.genai import types

            http_options = types.HttpOptions(
                base_url=self.options["base_url"] or None,
                api_version=self.options["api_version"] or None,
                timeout=int(float(self.options["timeout"]) * 1000),
                retry_options=types.HttpRetryOptions(attempts=1),
            )
            self._client = genai.Client(api_key=self.options["api_key"], http_options=http_options)
        return self._client

    def complete(self, system: str, user: str, *, json_mode: bool, schema=None) -> str:
        from google.genai import errors, types

        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=float(self.options["temperature"]),
            response_mime_type="application/json" if json_mode else None,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        try:
            response = self.client().models.generate_content(
                model=self.options["model"], contents=user, config=config
            )
        except errors.APIError as exc:
            raise http_failure(
                int(exc.code or 0),
                exc.message or str(exc),
                service=SERVICE,
                key_setting="GEMINI_API_KEY",
                model_setting="GEMINI_MODEL",
            ) from exc
        except _transport_errors() as exc:
            raise transport_failure(SERVICE, exc) from exc
        try:
            return response.text or ""
        except ValueError as exc:  # an answer with no text part (blocked, for instance)
            raise GeneratorError(f"Gemini sent no text: {exc}", permanent=True) from exc


def _transport_errors() -> tuple[type[Exception], ...]:
    """Connection and timeout errors of whichever HTTP library the SDK uses."""
    found: list[type[Exception]] = []
    for module in ("httpx", "httpx2"):
        try:
            found.append(__import__(module).TransportError)
        except (ImportError, AttributeError):
            pass
    return tuple(found) or (OSError,)
