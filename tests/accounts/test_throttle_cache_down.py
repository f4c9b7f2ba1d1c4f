"""Rate limits while the cache's Redis server cannot be reached: requests go through."""

import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD
from tests.live.stack import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    # A real Redis client against a port where nothing listens: connections are refused.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


def test_login_page_lets_people_in_while_the_cache_is_down(
    client, alice, cache_down, throttle_rates
):
    throttle_rates(login="1/min")
    for _ in range(2):  # the second would be over the limit, could it be counted
        client.logout()
        response = client.post(
            reverse("accounts:login"),
            {"username": "alice@example.com", "password": DEFAULT_PASSWORD},
        )
        assert response.status_code == 302, response.content[:300]


def test_jobs_can_be_submitted_while_the_cache_is_down(api_for, alice, cache_down, throttle_rates):
    throttle_rates(job_create="1/hour")
    client = api_for(alice)
    for n in range(2):
        response = client.post(
            "/api/v1/jobs",
            {"kind": "demo", "prompt": f"Cache down {n}.", "options": {"cards": 1}},
            format="json",
        )
        assert response.status_code == 202, response.content[:300]
