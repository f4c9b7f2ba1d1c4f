import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.providers import reset_providers

FAKES = {
    "llm": {"BACKEND": "pipeline.providers.fakes.FakePlanner", "OPTIONS": {}},
    "tts": {"BACKEND": "pipeline.providers.fakes.FakeTTS", "OPTIONS": {}},
    "images": {"BACKEND": "pipeline.providers.fakes.FakeImages", "OPTIONS": {}},
}


@pytest.fixture
def fake_providers(settings):
    """All three roles on their fakes; returns the setting so a test can adjust OPTIONS."""
    settings.VIDEOGEN_PROVIDERS = {role: dict(config) for role, config in FAKES.items()}
    yield settings.VIDEOGEN_PROVIDERS
    reset_providers()


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 that answers from a script of (status, body) pairs,
    in order, repeating the last one, and records what it was sent. A script entry may
    also be a function of the request's JSON body returning (status, body), to answer the
    way a real server would from what it was sent."""

    def __init__(self):
        self.responses: list[tuple[int, object]] = []
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": body}
                )
                index = min(len(server.requests), len(server.responses)) - 1
                answer = server.responses[index]
                status, payload = answer(body) if callable(answer) else answer
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def script(self, *responses) -> None:
        self.responses = list(responses)
        self.requests = []

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def http_server():
    server = ScriptedServer()
    yield server
    server.close()
