"""Forms collect input for the pages; the rules (password strength, unique email, image checks)
live in accounts.services, and their errors are put back next to the fields here."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts import throttling
from accounts.services import DISPLAY_NAME_MAX_LENGTH


def apply_service_errors(form, exc: ValidationError, field_map=None) -> None:
    """Shows a service's ValidationError on the form, each message next to its field."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        field = field_map.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


class SignupForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    display_name = forms.CharField(
        required=False,
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Shown beside your videos. Optional.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's login form with a limit on attempts per client address and email address
    (see accounts.throttling)."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    throttled = False

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        if not email or not self.cleaned_data.get("password"):
            return super().clean()
        parts = (throttling.client_ident(self.request), email)
        wait = throttling.throttle_hit(scope="login", parts=parts)
        if wait:
            self.throttled = True
            raise ValidationError(throttling.wait_message(wait), code="throttled")
        cleaned = super().clean()
        throttling.throttle_reset(scope="login", parts=parts)
        return cleaned


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        required=False,
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Shown beside your videos. Leave empty to use the start of your email.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class AvatarForm(forms.Form):
    # A FileField, not an ImageField: the service checks the picture, with clearer messages.
    image = forms.FileField(
        label="New picture",
        help_text="JPEG, PNG or WebP. It is cropped to a square.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # Django's password views pass the user; the services receive it from the view.
    def __init__(self, user=None, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "The two passwords do not match.")
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    field_order = ["old_password", "new_password1", "new_password2"]
