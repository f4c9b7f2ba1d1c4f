"""Stock photos and footage from Pexels and Pixabay.

Real HTTP clients of their documented search APIs (https://www.pexels.com/api/documentation/,
https://pixabay.com/api/docs/): Pexels takes the key in the `Authorization` header, Pixabay
as the `key` parameter. A client exists only while its key is set (PEXELS_API_KEY,
PIXABAY_API_KEY); the base URLs (PEXELS_BASE_URL, PIXABAY_BASE_URL) point tests at a local
server.

Searches are cached (Django's cache, keyed by provider, kind and query, STOCK_CACHE_SECONDS;
Pixabay asks for 24 hours) so rendering a video again asks nothing new, and a file is
downloaded once per person into their library (`stock_keep`), with its licence, author and
page, so every video that uses it can credit it.
"""

import hashlib
import logging
from dataclasses import asdict, dataclass, field

import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from pipeline.models import MediaItem

logger = logging.getLogger(__name__)

KINDS = ("image", "video")
# Big enough for a 1080p frame, small enough to download quickly.
TARGET_WIDTH = 1280


class StockError(Exception):
    """A search or download that failed (network, status, shape); the caller moves on."""


@dataclass(frozen=True)
class StockHit:
    provider: str  # pexels | pixabay
    id: str
    kind: str  # image | video
    download_url: str
    page_url: str
    author: str
    author_url: str
    license: str
    width: int
    height: int
    duration: float | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.kind}:{self.id}"

    def as_dict(self) -> dict:
        return asdict(self)


class StockClient:
    """Search (cached) and download; subclasses fill in `_search`."""

    name = ""
    license = ""
    timeout = 15.0

    def __init__(self, *, api_key: str, base_url: str, timeout: float | None = None):
        if not api_key:
            raise ValueError(f"{self.name}: an API key is required")
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout or self.timeout
        self.requests = 0  # searches actually sent (not answered from the cache)

    def search(self, query: str, *, kind: str, per_page: int = 10) -> list[StockHit]:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        query = " ".join(query.lower().split())[:100]
        if not query:
            return []
        digest = hashlib.sha256(query.encode()).hexdigest()[:32]
        key = f"stock:{self.name}:{kind}:{per_page}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            return [StockHit(**hit) for hit in cached]
        self.requests += 1
        try:
            hits = self._search(query, kind=kind, per_page=per_page)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise StockError(f"{self.name} search for “{query}” failed: {exc}") from exc
        cache.set(key, [hit.as_dict() for hit in hits], settings.STOCK_CACHE_SECONDS)
        return hits

    def _get_json(self, path: str, *, params: dict, headers: dict | None = None) -> dict:
        response = httpx.get(
            f"{self.base_url}{path}", params=params, headers=headers, timeout=self.timeout
        )
        if response.status_code != 200:
            raise StockError(f"{self.name} answered {response.status_code}: {response.text[:200]}")
        return response.json()

    def _search(self, query: str, *, kind: str, per_page: int) -> list[StockHit]:
        raise NotImplementedError

    def download(self, hit: StockHit, *, max_bytes: int) -> bytes:
        """The file, read in chunks and abandoned past `max_bytes`."""
        data = bytearray()
        try:
            with httpx.stream(
                "GET", hit.download_url, timeout=self.timeout, follow_redirects=True
            ) as response:
                if response.status_code != 200:
                    raise StockError(f"{self.name} download answered {response.status_code}")
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise StockError(f"{self.name} file larger than {max_bytes} bytes")
        except httpx.HTTPError as exc:
            raise StockError(f"{self.name} download failed: {exc}") from exc
        return bytes(data)


def _closest(renditions: list[dict], width_key="width") -> dict | None:
    """The smallest rendition at least TARGET_WIDTH wide, else the widest."""
    usable = [r for r in renditions if r and r.get(width_key)]
    wide = [r for r in usable if r[width_key] >= TARGET_WIDTH]
    if wide:
        return min(wide, key=lambda r: r[width_key])
    return max(usable, key=lambda r: r[width_key], default=None)


class PexelsClient(StockClient):
    name = "pexels"
    license = "Pexels License"

    def _search(self, query, *, kind, per_page):
        headers = {"Authorization": self.api_key}
        params = {"query": query, "per_page": per_page}
        if kind == "image":
            body = self._get_json("/v1/search", params=params, headers=headers)
            return [
                StockHit(
                    provider=self.name,
                    id=str(p["id"]),
                    kind="image",
                    download_url=p["src"]["large2x"],
                    page_url=p["url"],
                    author=p["photographer"],
                    author_url=p.get("photographer_url", ""),
                    license=self.license,
                    width=p["width"],
                    height=p["height"],
                    tags=_words(p.get("alt", "")),
                )  # fmt: skip
                for p in body["photos"]
            ]
        body = self._get_json("/videos/search", params=params, headers=headers)
        hits = []
        for v in body["videos"]:
            files = [f for f in v["video_files"] if f.get("file_type") == "video/mp4"]
            best = _closest(files)
            if best is None:
                continue
            hits.append(
                StockHit(
                    provider=self.name,
                    id=str(v["id"]),
                    kind="video",
                    download_url=best["link"],
                    page_url=v["url"],
                    author=v["user"]["name"],
                    author_url=v["user"]["url"],
                    license=self.license,
                    width=best["width"],
                    height=best["height"],
                    duration=float(v["duration"]),
                    tags=_words(v["url"].rsplit("/", 2)[-2]),
                )  # fmt: skip
            )
        return hits


class PixabayClient(StockClient):
    name = "pixabay"
    license = "Pixabay Content License"

    def _search(self, query, *, kind, per_page):
        params = {"key": self.api_key, "q": query, "per_page": max(3, per_page),
                  "safesearch": "true"}  # fmt: skip
        if kind == "image":
            body = self._get_json("/api/", params={**params, "image_type": "photo"})
            return [
                StockHit(
                    provider=self.name,
                    id=str(h["id"]),
                    kind="image",
                    download_url=h["largeImageURL"],
                    page_url=h["pageURL"],
                    author=h["user"],
                    author_url=f"https://pixabay.com/users/{h['user']}-{h['user_id']}/",
                    license=self.license,
                    width=h["imageWidth"],
                    height=h["imageHeight"],
                    tags=_tags(h.get("tags", "")),
                )  # fmt: skip
                for h in body["hits"]
            ]
        body = self._get_json("/api/videos/", params=params)
        hits = []
        for h in body["hits"]:
            best = _closest(list(h["videos"].values()))
            if best is None or not best.get("url"):
                continue
            hits.append(
                StockHit(
                    provider=self.name,
                    id=str(h["id"]),
                    kind="video",
                    download_url=best["url"],
                    page_url=h["pageURL"],
                    author=h["user"],
                    author_url=f"https://pixabay.com/users/{h['user']}-{h['user_id']}/",
                    license=self.license,
                    width=best["width"],
                    height=best["height"],
                    duration=float(h["duration"]),
                    tags=_tags(h.get("tags", "")),
                )  # fmt: skip
            )
        return hits


def _tags(text: str) -> list[str]:
    return [t.strip().lower()[:40] for t in text.split(",") if t.strip()][:20]


def _words(text: str) -> list[str]:
    return [w[:40] for w in text.lower().replace("-", " ").split() if w.isalpha()][:20]


def stock_clients() -> list[StockClient]:
    """The stock sources whose keys are set, Pexels first."""
    clients = []
    if settings.PEXELS_API_KEY:
        clients.append(
            PexelsClient(api_key=settings.PEXELS_API_KEY, base_url=settings.PEXELS_BASE_URL)
        )
    if settings.PIXABAY_API_KEY:
        clients.append(
            PixabayClient(api_key=settings.PIXABAY_API_KEY, base_url=settings.PIXABAY_BASE_URL)
        )
    return clients


def stock_keep(*, owner, hit: StockHit, client: StockClient) -> tuple[MediaItem, bool]:
    """The hit as an item of the owner's library, and whether it was added now: downloaded
    (and validated like an upload) the first time, found again after that."""
    from pipeline.library.services import media_create

    found = MediaItem.objects.filter(
        owner=owner, source=hit.provider, source_id=hit.id, kind=hit.kind
    ).first()
    if found is not None:
        return found, False
    limit = settings.MEDIA_CLIP_MAX_BYTES if hit.kind == "video" else settings.UPLOAD_MAX_BYTES
    data = client.download(hit, max_bytes=limit)
    extension = "mp4" if hit.kind == "video" else hit.download_url.rsplit(".", 1)[-1][:4]
    name = f"{hit.provider}-{hit.id}.{extension}"
    try:
        item = media_create(
            owner=owner,
            file=ContentFile(data, name=name),
            tags=hit.tags,
            original_name=name,
            source=hit.provider,
            source_id=hit.id,
            source_url=hit.page_url,
            author=hit.author[:200],
            author_url=hit.author_url,
            license=hit.license,
        )
    except ValidationError as exc:
        raise StockError(f"{hit.provider} file {hit.id} was refused: {exc.messages}") from exc
    return item, True
