from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.utils.html import format_html

from accounts import services
from accounts.models import User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")

    def clean_email(self):
        # Addresses are stored lower-case so that logins and uniqueness ignore case.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class PasswordSetAdminForm(AdminPasswordChangeForm):
    """A password set by a moderator ends the API token too, as a change or a reset does
    (the sessions end with the old password hash)."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            services.token_revoke(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    change_password_form = PasswordSetAdminForm
    list_display = ("thumbnail", "email", "display_name", "is_staff", "is_active", "date_joined")
    list_display_links = ("thumbnail", "email")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    readonly_fields = ("avatar_preview", "last_login", "date_joined")
    actions = ["remove_avatars", "revoke_tokens"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        # Pictures change only through the avatar services, which check and resize them.
        ("Profile", {"fields": ("display_name", "avatar_preview")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description="")
    def thumbnail(self, obj):
        if not obj.avatar_small:
            return ""
        return format_html(
            '<img src="{}" width="32" height="32" alt="" style="border-radius:50%">',
            obj.avatar_small_url,
        )

    @admin.display(description="Avatar")
    def avatar_preview(self, obj):
        if not obj.pk or not obj.avatar:
            return "No picture"
        return format_html(
            '<img src="{}" width="128" height="128" alt="Avatar of {}">', obj.avatar_url, obj
        )

    @admin.action(description="Remove the avatars of the selected users")
    def remove_avatars(self, request, queryset):
        for user in queryset:
            services.avatar_delete(user=user)
        self.message_user(request, f"Removed the avatars of {queryset.count()} users.")

    @admin.action(description="Revoke the API tokens of the selected users")
    def revoke_tokens(self, request, queryset):
        for user in queryset:
            services.token_revoke(user=user)
        self.message_user(
            request, f"Revoked the API tokens of {queryset.count()} users.", messages.SUCCESS
        )
