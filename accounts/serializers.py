from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.fields import StrictCharField
from accounts.models import User
from accounts.services import DISPLAY_NAME_MAX_LENGTH
from accounts.usage import user_usage


def _absolute(request, url):
    if not url:
        return None
    return request.build_absolute_uri(url) if request is not None else url


class UserSerializer(serializers.ModelSerializer):
    """The signed-in user, as `GET auth/me` returns it."""

    avatar_url = serializers.SerializerMethodField(help_text="256×256 PNG, or null.")
    avatar_small_url = serializers.SerializerMethodField(help_text="64×64 PNG, or null.")

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "avatar_url",
            "avatar_small_url",
            "date_joined",
            "is_staff",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, user):
        return _absolute(self.context.get("request"), user.avatar_url)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_small_url(self, user):
        return _absolute(self.context.get("request"), user.avatar_small_url)


class UsageSerializer(serializers.Serializer):
    storage_used = serializers.IntegerField(help_text="Bytes your videos and uploads take.")
    storage_quota = serializers.IntegerField(
        allow_null=True, help_text="Your storage quota in bytes; null when unlimited."
    )
    active_jobs = serializers.IntegerField(help_text="Your queued and running jobs.")
    active_jobs_limit = serializers.IntegerField(help_text="How many may be active at once.")


class MeSerializer(UserSerializer):
    """`GET auth/me`: the user, with their usage and limits."""

    usage = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "usage"]
        read_only_fields = fields

    @extend_schema_field(UsageSerializer(allow_null=True))
    def get_usage(self, user):
        return user_usage(user)


class UserPublicSerializer(serializers.ModelSerializer):
    """What other people may see of a user (beside a video, say): no email address."""

    avatar_small_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "display_name", "avatar_small_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_small_url(self, user):
        return _absolute(self.context.get("request"), user.avatar_small_url)


class UserUpdateSerializer(serializers.Serializer):
    display_name = StrictCharField(
        required=False, allow_blank=True, max_length=DISPLAY_NAME_MAX_LENGTH
    )


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = StrictCharField(write_only=True, trim_whitespace=False)
    display_name = StrictCharField(
        required=False, allow_blank=True, default="", max_length=DISPLAY_NAME_MAX_LENGTH
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <key>`.")


class RegisterResponseSerializer(serializers.Serializer):
    user = UserSerializer(read_only=True)
    token = serializers.CharField(read_only=True)


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = StrictCharField(write_only=True, trim_whitespace=False)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = StrictCharField(write_only=True, trim_whitespace=False)
    new_password = StrictCharField(write_only=True, trim_whitespace=False)


class AvatarUploadSerializer(serializers.Serializer):
    # A plain file field: the service does the image checks, with precise messages.
    image = serializers.FileField(help_text="A JPEG, PNG or WebP picture.")
