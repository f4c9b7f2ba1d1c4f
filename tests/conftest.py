import sys

import pytest
from django.core.cache import cache

pytest_plugins = ["tests.live.fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database, and before it is dropped, the connections that the
    request threads of the project's ASGI application (when a test used it) keep open."""
    yield
    asgi = sys.modules.get("videogen.asgi")
    if asgi is not None:
        asgi.django_asgi_app.close_connections()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_WORK_DIR = tmp_path / "work"
    settings.GPU_LOCK_DIR = tmp_path / "locks"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# Three people for permission tests: an owner, a stranger and a moderator.
@pytest.fixture
def alice(db):
    from tests.factories import UserFactory

    return UserFactory(email="alice@example.com")


@pytest.fixture
def bob(db):
    from tests.factories import UserFactory

    return UserFactory(email="bob@example.com")


@pytest.fixture
def charlie(db):
    from tests.factories import UserFactory

    return UserFactory(email="charlie@example.com", staff=True)


@pytest.fixture
def make_job(alice):
    """Creates a demo job through the same service the API uses (not yet run)."""
    from django.db import transaction

    from studio.services import job_create

    def make(owner=None, prompt="Hello there. A second card.", until="", **options):
        with transaction.atomic():
            return job_create(
                user=owner or alice, kind="demo", prompt=prompt, options=options, until=until
            )

    return make


@pytest.fixture
def api_for():
    """An API client authenticated with the user's token (None: anonymous)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
