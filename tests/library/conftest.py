import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class StockServer:
    """A real HTTP server on 127.0.0.1 standing in for Pexels and Pixabay: GET routes answer
    JSON bodies or file bytes set by the test, and every request is recorded."""

    def __init__(self):
        self.routes: dict[str, tuple[int, object]] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                server.requests.append(
                    {
                        "path": parts.path,
                        "params": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "headers": dict(self.headers),
                    }
                )
                status, payload = server.routes.get(parts.path, (404, {"error": "not found"}))
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                kind = (
                    "application/octet-stream" if isinstance(payload, bytes) else "application/json"
                )
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def searches(self) -> list[dict]:
        return [r for r in self.requests if not r["path"].startswith("/files/")]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def _stock_server():
    server = StockServer()
    yield server
    server.close()


@pytest.fixture
def stock_server(_stock_server, settings):
    """The fake server, with both providers' keys set and their base URLs pointing at it."""
    _stock_server.routes = {}
    _stock_server.requests = []
    settings.PEXELS_API_KEY = "pexels-test-key"
    settings.PEXELS_BASE_URL = _stock_server.url
    settings.PIXABAY_API_KEY = "pixabay-test-key"
    settings.PIXABAY_BASE_URL = _stock_server.url
    return _stock_server
