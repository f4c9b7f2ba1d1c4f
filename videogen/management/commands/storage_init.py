"""Prepares media storage: creates the S3 bucket when it is missing, then proves that a file
can be written, read back and deleted. Safe to run on every deployment."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the S3 bucket if it is missing and check that media storage works."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            help="Seconds to wait for the storage server to answer (it may be starting).",
        )

    def handle(self, *args, wait, **options):
        storage = default_storage
        where = type(storage).__name__
        ensure_bucket = getattr(storage, "ensure_bucket", None)
        try:
            if ensure_bucket is not None:
                created = ensure_bucket(wait=wait)
                where = f"bucket {storage.bucket_name!r}"
                if created:
                    self.stdout.write(f"Created {where}.")
            probe = f"storage-check/{uuid.uuid4().hex}.txt"
            name = storage.save(probe, ContentFile(b"videogen"))
            with storage.open(name, "rb") as fh:
                data = fh.read()
            storage.delete(name)
        except Exception as exc:
            raise CommandError(f"Media storage ({where}) does not work: {exc}") from exc
        if data != b"videogen":
            raise CommandError(f"Media storage ({where}) gave back other bytes than it was given.")
        self.stdout.write(f"Media storage is ready ({where}).")
