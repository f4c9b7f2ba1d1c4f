from django.apps import AppConfig
from django.db.models.signals import post_migrate

MODERATORS = "Moderators"
# What the moderation desk needs: videos and reports, jobs and their events, and users (to
# deactivate one). Staff in this group can use it without being superusers.
MODERATOR_PERMISSIONS = [
    ("gallery", "view_video"), ("gallery", "change_video"), ("gallery", "delete_video"),
    ("gallery", "view_report"), ("gallery", "change_report"), ("gallery", "delete_report"),
    ("pipeline", "view_job"), ("pipeline", "change_job"), ("pipeline", "delete_job"),
    ("pipeline", "view_jobevent"), ("pipeline", "view_upload"),
    ("accounts", "view_user"), ("accounts", "change_user"),
]  # fmt: skip


class GalleryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gallery"

    def ready(self):
        # The group needs pipeline's permissions too, which exist only once pipeline (after
        # gallery in INSTALLED_APPS) has been migrated: its post_migrate is the one to wait for.
        post_migrate.connect(moderators_group_ensure, dispatch_uid="gallery.moderators")


def moderators_group_ensure(app_config=None, using="default", **kwargs):
    """Keeps the Moderators group and its permissions in place after every migrate."""
    from django.contrib.auth.models import Group, Permission

    if app_config is None or app_config.label != "pipeline":
        return

    group, _ = Group.objects.using(using).get_or_create(name=MODERATORS)
    for app_label, codename in MODERATOR_PERMISSIONS:
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label, codename=codename)
            .first()
        )
        if permission:
            group.permissions.add(permission)
