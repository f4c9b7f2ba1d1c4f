"""ASGI entry point: Django for HTTP, Channels consumers for WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.channels_auth import BrowserOriginValidator, TokenAuthMiddleware  # noqa: E402
from studio.routing import websocket_urlpatterns  # noqa: E402
from videogen.limits import RequestSizeGuard, WebSocketApiKeyGuard  # noqa: E402
from videogen.logs import RequestLogContext  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": RequestLogContext(RequestSizeGuard(django_asgi_app)),
        "websocket": BrowserOriginValidator(
            AuthMiddlewareStack(
                WebSocketApiKeyGuard(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
