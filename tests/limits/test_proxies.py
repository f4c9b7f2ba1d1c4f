"""NUM_PROXIES: how many proxies in front add X-Forwarded-For, and so which address the
request throttles count a client by. Too few trusted, and everyone behind the proxy shares
one budget; never more than that, or a client could name any address it likes."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_login_an_hour(settings):
    def configure(num_proxies):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "NUM_PROXIES": num_proxies,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "login": "1/hour",
            },
        }

    return configure


def login(remote_addr, forwarded_for=None) -> int:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    client = APIClient(REMOTE_ADDR=remote_addr, **headers)
    body = {"email": "nobody@example.com", "password": "wrong-password-1"}
    return client.post("/api/v1/auth/token", body, format="json").status_code


def test_without_proxies_the_forwarded_header_is_ignored(one_login_an_hour):
    one_login_an_hour(0)
    assert login("203.0.113.5", "198.51.100.1") == 400  # wrong password: counted
    # Another claimed address from the same peer is the same client.
    assert login("203.0.113.5", "198.51.100.2") == 429
    assert login("203.0.113.6") == 400  # another peer has its own budget


def test_behind_one_proxy_clients_are_told_apart_by_the_address_it_adds(one_login_an_hour):
    one_login_an_hour(1)
    proxy = "10.0.0.2"
    assert login(proxy, "198.51.100.1") == 400
    assert login(proxy, "198.51.100.2") == 400  # another person behind the same proxy
    assert login(proxy, "198.51.100.1") == 429
    # A client prepending an address of its choosing is still counted by the one the proxy
    # added (the last).
    assert login(proxy, "192.0.2.99, 198.51.100.1") == 429
