import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


# The suite-wide alice, bob and charlie, with the display names these tests look for.
@pytest.fixture
def alice(alice):
    alice.display_name = "Alice"
    alice.save(update_fields=["display_name"])
    return alice


@pytest.fixture
def bob(bob):
    bob.display_name = "Bob"
    bob.save(update_fields=["display_name"])
    return bob


@pytest.fixture
def charlie(charlie):
    # The moderator may open every admin page, users included.
    charlie.display_name = "Charlie"
    charlie.is_superuser = True
    charlie.save(update_fields=["display_name", "is_superuser"])
    return charlie


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def token_client():
    """An API client that authenticates as `user` with their token."""

    def make(user):
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def throttle_rates(settings):
    """Sets throttle rates for one test, e.g. throttle_rates(login="2/min")."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates
