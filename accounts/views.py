from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from accounts import services, throttling
from accounts.forms import (
    AvatarForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ProfileForm,
    SignupForm,
    apply_service_errors,
)
from accounts.models import AVATAR_SIZE, AVATAR_SMALL_SIZE, User
from accounts.usage import user_usage

AVATAR_CACHE_SECONDS = 7 * 24 * 3600


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password1", "password2")
@csrf_protect
def signup(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = throttling.throttle_hit(
            scope="register", parts=("signup", throttling.client_ident(request))
        )
        if wait:
            form.add_error(None, throttling.wait_message(wait))
            status = 429
        else:
            try:
                user = services.user_register(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"password": "password1"})
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "Welcome! Your account is ready.")
                return HttpResponseRedirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    next_url = request.GET.get("next", "")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image on another site cannot log you out."""


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        user = self.request.user
        try:
            services.user_change_password(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"new_password": "new_password1"})
            return self.form_invalid(form)
        # Keeps this browser signed in; other sessions end with the old password hash.
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"SITE_NAME": settings.SITE_NAME}

    def form_valid(self, form):
        # Each request can send an email, so it shares the login limit per client address.
        wait = throttling.throttle_hit(
            scope="login", parts=("password-reset", throttling.client_ident(self.request))
        )
        if wait:
            form.add_error(None, throttling.wait_message(wait))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        try:
            services.user_set_password(
                user=self.user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"new_password": "new_password1"})
            return self.form_invalid(form)
        # The link is single-use: the token depends on the password hash, which just changed.
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _render_profile(request, *, profile_form=None, avatar_form=None, status=200):
    user = request.user
    context = {
        "profile_form": profile_form or ProfileForm(initial={"display_name": user.display_name}),
        "avatar_form": avatar_form or AvatarForm(),
        "token": Token.objects.filter(user=user).first(),
        "usage": user_usage(user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def profile(request):
    if request.method != "POST":
        return _render_profile(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.user_update(user=request.user, display_name=form.cleaned_data["display_name"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Your profile was saved.")
            return HttpResponseRedirect(reverse("accounts:profile"))
    return _render_profile(request, profile_form=form)


@login_required
@require_POST
def avatar_upload(request):
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.avatar_set(user=request.user, image_file=form.cleaned_data["image"])
        except ValidationError as exc:
            apply_service_errors(form, ValidationError({"image": exc.messages}))
        else:
            messages.success(request, "Your picture was updated.")
            return HttpResponseRedirect(reverse("accounts:profile"))
    # The page again, with the reason next to the field; the status says it was refused.
    return _render_profile(request, avatar_form=form, status=400)


@login_required
@require_POST
def avatar_remove(request):
    services.avatar_delete(user=request.user)
    messages.success(request, "Your picture was removed.")
    return HttpResponseRedirect(reverse("accounts:profile"))


@login_required
@require_POST
def token_regenerate(request):
    services.token_regenerate(user=request.user)
    messages.success(
        request, "A new API token was created. Clients using the old one must use the new one."
    )
    return HttpResponseRedirect(reverse("accounts:profile"))


_AVATAR_FIELDS = {AVATAR_SIZE: "avatar", AVATAR_SMALL_SIZE: "avatar_small"}


@require_GET
def avatar(request, user_id, size):
    """Streams an avatar through the storage API.

    Avatars are shown to signed-in people only; to everyone else the picture does not exist
    (404, not a login redirect, so the answer says nothing about the account)."""
    if not request.user.is_authenticated or size not in _AVATAR_FIELDS:
        raise Http404
    user = get_object_or_404(
        User.objects.only(*_AVATAR_FIELDS.values()), pk=user_id, is_active=True
    )
    field = getattr(user, _AVATAR_FIELDS[size])
    if not field:
        raise Http404
    # The file name is unique per upload, so it is a strong validator for the content.
    etag = f'"{field.name.rsplit("/", 1)[-1]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        try:
            handle = field.open("rb")
        except FileNotFoundError:
            raise Http404
        response = FileResponse(handle, content_type="image/png")
    response["ETag"] = etag
    # Private: the picture is only for signed-in people, so shared caches must not keep it.
    patch_cache_control(response, private=True, max_age=AVATAR_CACHE_SECONDS)
    return response
