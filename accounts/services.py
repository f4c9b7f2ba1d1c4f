"""Every change to accounts goes through these functions: the pages, the API and the admin
share them, so a rule (password strength, token revocation, file clean-up) holds everywhere."""

import io
from functools import partial

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from PIL import Image, ImageOps
from rest_framework.authtoken.models import Token

from accounts.channels_auth import sockets_recheck
from accounts.files import stored_files_delete
from accounts.images import image_open_validated
from accounts.models import AVATAR_SIZE, AVATAR_SMALL_SIZE, User

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
INVALID_LOGIN_MESSAGE = "Unable to log in with the provided email and password."


def _normalize_email(email) -> str:
    return User.objects.normalize_email(str(email or "").strip()).lower()


def _clean_display_name(display_name) -> str:
    value = " ".join(str(display_name or "").split())
    if len(value) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            {"display_name": f"Use at most {DISPLAY_NAME_MAX_LENGTH} characters."}
        )
    return value


def user_register(*, email, password, display_name="") -> User:
    email = _normalize_email(email)
    errors = {}
    try:
        validate_email(email)
    except ValidationError as exc:
        errors["email"] = exc.error_list
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = [ValidationError("An account with this email address exists.")]
    try:
        display_name = _clean_display_name(display_name)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        password_validation.validate_password(
            password, user=User(email=email, display_name=display_name)
        )
    except ValidationError as exc:
        errors["password"] = exc.error_list
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, display_name=display_name)
    except IntegrityError:
        # Another sign-up with the same address won the race since the check above.
        raise ValidationError({"email": "An account with this email address exists."})
    return user


def user_update(*, user: User, display_name=None) -> User:
    """Changes what a person may edit about themselves; None leaves a field as it is."""
    fields = []
    if display_name is not None:
        user.display_name = _clean_display_name(display_name)
        fields.append("display_name")
    if fields:
        user.save(update_fields=fields)
    return user


def _password_set(user: User, new_password) -> None:
    try:
        password_validation.validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.error_list})
    user.set_password(new_password)
    user.save(update_fields=["password"])


@transaction.atomic
def user_change_password(*, user: User, old_password, new_password) -> Token:
    """Sets a new password and replaces the API token, so a leaked token dies with the old
    password. Web views keep their own session with `update_session_auth_hash`; every other
    session of the user ends because the session hash changes."""
    if not user.check_password(old_password or ""):
        raise ValidationError(
            {"old_password": "Your old password was entered incorrectly."}, code="wrong_password"
        )
    _password_set(user, new_password)
    return token_regenerate(user=user)


@transaction.atomic
def user_set_password(*, user: User, new_password) -> None:
    """Sets a password without knowing the old one (the reset link proved ownership).

    The API token is revoked, not replaced: whoever reset the password may be locking someone
    out, and a client logs in again to get a new token."""
    _password_set(user, new_password)
    token_revoke(user=user)


def token_obtain(*, email, password, request=None) -> Token:
    """Exchanges credentials for the user's API token.

    Unknown emails, wrong passwords and inactive accounts get one and the same error, so the
    answer does not tell which accounts exist."""
    user = authenticate(request, email=_normalize_email(email), password=password or "")
    if user is None or not user.is_active:
        raise ValidationError(INVALID_LOGIN_MESSAGE, code="invalid_login")
    return token_issue(user=user)


def token_issue(*, user: User) -> Token:
    """Returns the user's token, creating it if there is none.

    One token per user: every client of the account shares it, and revoking it (or changing
    the password) signs all of them out."""
    token, _ = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, user: User) -> None:
    """Deletes the token. Every change of password comes through here too, so this is where
    the user's open WebSockets are told to check that their session or token still holds."""
    Token.objects.filter(user=user).delete()
    transaction.on_commit(partial(sockets_recheck, user.pk), robust=True)


@transaction.atomic
def token_regenerate(*, user: User) -> Token:
    token_revoke(user=user)
    return Token.objects.create(user=user)


def _square_png(img: Image.Image, size: int) -> ContentFile:
    square = ImageOps.fit(img, (size, size), method=Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    options = {"optimize": True}
    if icc := img.info.get("icc_profile"):
        options["icc_profile"] = icc
    square.save(buffer, format="PNG", **options)
    return ContentFile(buffer.getvalue())


def _old_avatar_names(user: User) -> list[str]:
    # Read the names from a locked row: a concurrent upload may have replaced them.
    locked = User.objects.select_for_update().only("avatar", "avatar_small").get(pk=user.pk)
    return [name for name in (locked.avatar.name, locked.avatar_small.name) if name]


def avatar_set(*, user: User, image_file) -> User:
    """Validates the upload and stores it as centre-cropped squares of 256 and 64 pixels.

    The old files are deleted once the new names are committed, so a failed request never
    leaves the user pointing at deleted files."""
    img = image_open_validated(
        image_file, max_bytes=settings.AVATAR_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS
    )
    large = _square_png(img, AVATAR_SIZE)
    small = _square_png(img, AVATAR_SMALL_SIZE)

    with transaction.atomic():
        old_names = _old_avatar_names(user)
        # The names come from avatar_upload_to (a fresh uuid4 each time), not from this one.
        user.avatar.save("avatar.png", large, save=False)
        user.avatar_small.save("avatar.png", small, save=False)
        user.save(update_fields=["avatar", "avatar_small"])
        transaction.on_commit(
            partial(stored_files_delete, user.avatar.storage, old_names), robust=True
        )
    return user


def avatar_delete(*, user: User) -> User:
    with transaction.atomic():
        old_names = _old_avatar_names(user)
        if not old_names:
            return user
        storage = user.avatar.storage
        user.avatar = ""
        user.avatar_small = ""
        user.save(update_fields=["avatar", "avatar_small"])
        transaction.on_commit(partial(stored_files_delete, storage, old_names), robust=True)
    return user
