from django.urls import path

from accounts import api

# Included at /api/v1/auth/ without a namespace, hence the prefix on every name.
urlpatterns = [
    path("register", api.RegisterApi.as_view(), name="auth-register"),
    path("token", api.TokenApi.as_view(), name="auth-token"),
    path("me", api.MeApi.as_view(), name="auth-me"),
    path("password", api.PasswordApi.as_view(), name="auth-password"),
    path("avatar", api.AvatarApi.as_view(), name="auth-avatar"),
]
