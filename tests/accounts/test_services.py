import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-and-unusual-passphrase"


def errors_of(excinfo):
    return {
        field: [str(e.message) for e in errs] for field, errs in excinfo.value.error_dict.items()
    }


def test_register_stores_the_email_in_lower_case():
    user = services.user_register(
        email="  Dana@Example.COM ", password=GOOD_PASSWORD, display_name="  Dana   S "
    )

    user.refresh_from_db()
    assert user.email == "dana@example.com"
    assert user.display_name == "Dana S"
    assert user.check_password(GOOD_PASSWORD)
    assert user.is_active and not user.is_staff


def test_register_refuses_an_email_that_differs_only_in_case(alice):
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(email="ALICE@example.com", password=GOOD_PASSWORD)

    assert "email" in errors_of(excinfo)
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "password",
    ["short", "password123", "12345678901", "erin@example.com"],
    ids=["too-short", "common", "numeric", "like-the-email"],
)
def test_register_applies_the_password_validators(password):
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(email="erin@example.com", password=password)

    assert list(errors_of(excinfo)) == ["password"]
    assert not User.objects.exists()


def test_register_reports_every_bad_field_at_once():
    with pytest.raises(ValidationError) as excinfo:
        services.user_register(email="not-an-email", password="x", display_name="n" * 81)

    assert set(errors_of(excinfo)) == {"email", "password", "display_name"}


def test_update_changes_only_the_display_name(alice):
    services.user_update(user=alice, display_name="  Alice   Liddell ")

    alice.refresh_from_db()
    assert alice.display_name == "Alice Liddell"
    assert alice.email == "alice@example.com"


def test_update_without_changes_leaves_the_user_alone(alice):
    services.user_update(user=alice)
    alice.refresh_from_db()
    assert alice.display_name == "Alice"


def test_update_refuses_a_display_name_that_is_too_long(alice):
    with pytest.raises(ValidationError):
        services.user_update(user=alice, display_name="x" * 81)
    alice.refresh_from_db()
    assert alice.display_name == "Alice"


def test_change_password_replaces_every_token(alice):
    old = Token.objects.create(user=alice)

    new = services.user_change_password(
        user=alice, old_password=DEFAULT_PASSWORD, new_password=GOOD_PASSWORD
    )

    alice.refresh_from_db()
    assert alice.check_password(GOOD_PASSWORD)
    assert new.key != old.key
    assert list(Token.objects.filter(user=alice)) == [new]


def test_change_password_needs_the_old_password(alice):
    token = Token.objects.create(user=alice)

    with pytest.raises(ValidationError) as excinfo:
        services.user_change_password(user=alice, old_password="wrong", new_password=GOOD_PASSWORD)

    assert list(errors_of(excinfo)) == ["old_password"]
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)
    assert Token.objects.filter(key=token.key).exists()


def test_change_password_refuses_a_weak_new_password(alice):
    with pytest.raises(ValidationError) as excinfo:
        services.user_change_password(user=alice, old_password=DEFAULT_PASSWORD, new_password="1")

    assert list(errors_of(excinfo)) == ["new_password"]
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)


def test_set_password_revokes_the_token(alice):
    Token.objects.create(user=alice)

    services.user_set_password(user=alice, new_password=GOOD_PASSWORD)

    alice.refresh_from_db()
    assert alice.check_password(GOOD_PASSWORD)
    assert not Token.objects.filter(user=alice).exists()


def test_token_issue_returns_the_same_token_until_it_is_revoked(alice):
    first = services.token_issue(user=alice)
    assert services.token_issue(user=alice) == first

    services.token_revoke(user=alice)

    assert not Token.objects.filter(user=alice).exists()
    assert services.token_issue(user=alice).key != first.key


def test_token_regenerate_replaces_the_key(alice):
    first = services.token_issue(user=alice)
    second = services.token_regenerate(user=alice)
    assert second.key != first.key
    assert list(Token.objects.filter(user=alice)) == [second]


def test_token_obtain_accepts_any_case_of_the_email(alice):
    token = services.token_obtain(email="Alice@Example.com", password=DEFAULT_PASSWORD)
    assert token.user == alice


def test_token_obtain_gives_one_answer_for_every_kind_of_wrong_credentials(alice):
    UserFactory(email="gone@example.com", is_active=False)
    attempts = [
        ("alice@example.com", "wrong password"),
        ("nobody@example.com", DEFAULT_PASSWORD),
        ("gone@example.com", DEFAULT_PASSWORD),
    ]
    messages = set()
    for email, password in attempts:
        with pytest.raises(ValidationError) as excinfo:
            services.token_obtain(email=email, password=password)
        messages.add(tuple(excinfo.value.messages))

    assert messages == {(services.INVALID_LOGIN_MESSAGE,)}
    assert not Token.objects.exists()
