import uuid
from pathlib import PurePosixPath

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

# Avatars are kept in two square sizes: the profile picture and the one beside names.
AVATAR_SIZE = 256
AVATAR_SMALL_SIZE = 64


def avatar_upload_to(instance, filename):
    # Names never come from the uploader: a random name per version, under the user's folder.
    return f"avatars/{instance.pk}/{uuid.uuid4().hex}.png"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True or extra_fields.get("is_superuser") is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    avatar_small = models.ImageField(upload_to=avatar_upload_to, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Staff can use the admin: the moderation desk."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@", 1)[0]

    @property
    def avatar_url(self):
        return self._avatar_url(self.avatar, AVATAR_SIZE)

    @property
    def avatar_small_url(self):
        return self._avatar_url(self.avatar_small, AVATAR_SMALL_SIZE)

    def _avatar_url(self, field, size):
        if not field:
            return ""
        # Each upload gets a new file name, so the name is a version that lets browsers keep
        # the picture cached until it changes.
        version = PurePosixPath(field.name).stem
        return f"{reverse('accounts:avatar', args=[self.pk, size])}?v={version}"
