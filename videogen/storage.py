"""Media storage on an S3-compatible server (AWS S3, MinIO, Ceph, moto's server mode).

django-storages' S3Storage reads a file by downloading the whole object first, which is
fine for an avatar but not for a video a player seeks in. This subclass adds the two
things the file views need: reading one byte range of an object, and a short-lived signed
link to it with the content type and file name the view chose.
"""

import time

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


def _missing(err: ClientError) -> bool:
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = err.response.get("Error", {}).get("Code")
    return status == 404 or code in {"NoSuchKey", "NotFound", "404"}


class MediaS3Storage(S3Storage):
    def _key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def open_range(self, name: str, start: int, length: int):
        """A readable stream of `length` bytes from `start` (one ranged GET, nothing
        downloaded ahead); raises FileNotFoundError when the object is missing."""
        try:
            response = self.bucket.Object(self._key(name)).get(
                Range=f"bytes={start}-{start + length - 1}"
            )
        except ClientError as err:
            if _missing(err):
                raise FileNotFoundError(f"File does not exist: {name}") from err
            raise
        return response["Body"]

    def signed_url(
        self, name: str, *, expire: int, content_type: str, disposition: str | None = None
    ) -> str:
        """A presigned GET link, valid `expire` seconds, that makes the server answer with
        this content type (and disposition), whatever the object was stored with."""
        parameters = {"ResponseContentType": content_type, "ResponseCacheControl": "private"}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        return self.url(name, parameters=parameters, expire=expire)

    def ensure_bucket(self, *, wait: float = 0) -> bool:
        """Creates the bucket if it does not exist yet; True when it was created. Waits up
        to `wait` seconds for the server to answer (it may still be starting)."""
        client = self.connection.meta.client
        deadline = time.monotonic() + wait
        while True:
            try:
                client.head_bucket(Bucket=self.bucket_name)
                return False
            except ClientError as err:
                if not _missing(err):
                    raise
                break
            except BotoCoreError:
                # Connection refused and the like: the server is not up yet.
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)
        region = client.meta.region_name
        if region and region != "us-east-1":
            client.create_bucket(
                Bucket=self.bucket_name,
                CreateBucketConfiguration={"LocationConstraint": region},
            )
        else:
            client.create_bucket(Bucket=self.bucket_name)
        return True
