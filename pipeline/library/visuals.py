"""The visuals stage's side of the library: which asset each scene shows, fetched into the
work folder, and how the assembler takes it.

`scene_visuals` runs in the visuals stage (story's `visuals`, youtube's `images`): it chooses
(pipeline/library/choose.py), copies the chosen library files into the work folder, keeps
stock hits in the person's library first (downloaded once, with licence and author), and
returns one record per scene for the stage's outputs, so the artifacts, the job and the video
page all say which asset each scene used. Scenes left to `procedural` are drawn as before.
"""

import logging
import shutil

from pipeline.library.choose import Candidate, choose_visuals
from pipeline.library.stock import StockError, StockHit, stock_clients, stock_keep
from pipeline.models import Job, MediaItem
from pipeline.quotas import StorageQuotaExceeded

logger = logging.getLogger(__name__)

STOCK_PER_QUERY = 5


def library_candidates(owner) -> tuple[dict[str, MediaItem], list[Candidate]]:
    """The person's library as candidates (newest first), with the items by candidate key."""
    items = {f"media:{i.pk}": i for i in MediaItem.objects.filter(owner=owner)}
    return items, [_candidate(i) for i in items.values()]


def _candidate(item: MediaItem) -> Candidate:
    return Candidate(
        key=f"media:{item.pk}",
        kind=item.kind,
        tags=tuple(item.tags),
        name=item.original_name,
        source=item.source,
        data={"id": str(item.pk)},
    )


def stock_lookup(clients):
    def lookup(query: str) -> list[Candidate]:
        found = []
        for client in clients:
            for kind in ("video", "image"):
                try:
                    hits = client.search(query, kind=kind, per_page=STOCK_PER_QUERY)
                except StockError as exc:
                    logger.warning("%s", exc)
                    continue
                found += [
                    Candidate(
                        key=hit.key,
                        kind=hit.kind,
                        tags=tuple(hit.tags),
                        source=hit.provider,
                        data={**hit.as_dict(), "client": client},
                    )  # fmt: skip
                    for hit in hits
                ]
        return found

    return lookup


def stock_candidates(clients, queries, *, limit: int = 2) -> list[dict]:
    """Stock results for a scene's first `limit` queries, each once, as the storyboard lists
    them: what the person needs to judge one, and the key and query that find it again."""
    found: dict[str, dict] = {}
    lookup = stock_lookup(clients)
    for query in list(queries)[:limit]:
        for candidate in lookup(query):
            data = {k: v for k, v in candidate.data.items() if k not in ("client", "download_url")}
            found.setdefault(candidate.key, {"key": candidate.key, "query": query, **data})
    return list(found.values())


def stock_find(clients, *, key: str, query: str):
    """The (hit, client) behind a stock candidate's key ("pexels:image:123"), searched again
    for its query (the search is cached, so this asks nothing new of the provider); None when
    not found."""
    provider, _, rest = key.partition(":")
    kind = rest.partition(":")[0]
    for client in clients:
        if client.name != provider or kind not in ("video", "image"):
            continue
        try:
            hits = client.search(query, kind=kind, per_page=STOCK_PER_QUERY)
        except StockError as exc:
            logger.warning("%s", exc)
            return None
        return next(((hit, client) for hit in hits if hit.key == key), None)
    return None


def _record(index: int, choice, item: MediaItem | None, path: str | None, reason: str) -> dict:
    record = {"scene": index, "source": choice.source if item else "procedural",
              "reason": reason, "file": path,
              "chosen": choice.chosen}  # fmt: skip
    if item is not None:
        record.update(
            item=str(item.pk), kind=item.kind, name=item.original_name, origin=item.source,
            credit=item.credit, author=item.author, author_url=item.author_url,
            license=item.license, source_url=item.source_url,
        )  # fmt: skip
    return record


def scene_visuals(ctx, plan) -> list[dict]:
    """One record per scene; `file` (relative to the work folder) is None where the scene is
    to be drawn."""
    mode = ctx.options.get("visuals", "auto")
    owner = Job.objects.select_related("owner").get(pk=ctx.job_id).owner
    items, library = library_candidates(owner)
    clients = stock_clients() if mode in ("auto", "stock") else []
    scenes = [
        {"search_terms": s.search_terms, "narration": s.narration, "asset": s.asset}
        for s in plan.scenes
    ]
    choices = choose_visuals(
        scenes,
        library,
        mode=mode,
        stock=stock_lookup(clients) if clients else None,
    )
    records = []
    for index, choice in enumerate(choices):
        item, reason = None, choice.reason
        if choice.source == "library":
            item = items[choice.candidate.key]
        elif choice.source == "stock":
            data = dict(choice.candidate.data)
            client = data.pop("client")
            try:
                item, _added = stock_keep(owner=owner, hit=StockHit(**data), client=client)
            except (StockError, StorageQuotaExceeded) as exc:
                logger.warning("scene %s: %s", index + 1, exc)
                reason = f"Drawn: the stock file could not be kept ({exc})."
        path = _fetch(ctx, index, item) if item is not None else None
        records.append(_record(index, choice, item, path, reason))
    return records


def _fetch(ctx, index: int, item: MediaItem) -> str:
    """Copies the item's file into the work folder (once: a retry keeps it)."""
    extension = "mp4" if item.kind == MediaItem.Kind.VIDEO else item.format.lower()
    # Clips too go in stills/, the folder the stage declares it produces.
    path = ctx.path(f"stills/{index:02d}-{item.pk.hex[:8]}.{extension}")
    if not path.exists():
        partial = path.with_suffix(".part")
        with item.file.open("rb") as stored, partial.open("wb") as out:
            shutil.copyfileobj(stored, out)
        partial.replace(path)
    return str(path.relative_to(ctx.workdir))


def scene_segment(ctx, path, *, duration: float, motion: bool, size, fps: int):
    """The assembler's segment for a scene's file: a still keeps the slow zoom; a clip is
    fitted to the frame and to the scene's length first."""
    from pipeline.library.clips import clip_fit, fitted_name
    from pipeline.media.frames import Segment

    if path.suffix != ".mp4":
        return Segment(duration=duration, image=path, motion=motion)
    fitted = path.with_name(fitted_name(path, size=size, fps=fps, seconds=duration))
    if not fitted.exists():
        clip_fit(path, fitted, size=size, fps=fps, seconds=duration, check=ctx.check)
    return Segment(duration=duration, clip=fitted)
