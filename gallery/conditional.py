"""Conditional reads: an `ETag` on a response, and 304 Not Modified, with no body built, for
a client that sends it back in `If-None-Match` (a poller asking "has this job changed?")."""

import hashlib

from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag


def row_values(*rows) -> tuple:
    """Every stored field of each model row (None for a missing one): a version of what a
    body built from them shows, whoever changed the rows and however."""
    return tuple(
        None if row is None else tuple(getattr(row, f.attname) for f in row._meta.concrete_fields)
        for row in rows
    )


def conditional_response(request, version, build):
    """`build()`'s response with an ETag made from `version`, or 304 Not Modified when the
    request's If-None-Match already names that ETag: `build` is then never called.

    `version` is anything whose repr changes whenever the body would; the ETag also covers
    the rest of what shapes the body (the media type DRF chose, the site's address in
    absolute links)."""
    seed = repr(
        (
            version,
            getattr(request, "accepted_media_type", None),
            request.build_absolute_uri("/"),
        )
    )
    etag = quote_etag(hashlib.blake2b(seed.encode(), digest_size=16).hexdigest())
    response = get_conditional_response(request, etag=etag) or build()
    if response.status_code in (200, 304):
        response["ETag"] = etag
    # Private (it is one person's), and asked again before each use: it changes as a job runs.
    patch_cache_control(response, private=True, no_cache=True)
    return response
