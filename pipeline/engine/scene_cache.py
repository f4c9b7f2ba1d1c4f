"""Per-scene outputs kept under a hash of exactly the inputs that make them.

A stage asks for each scene's files by the inputs that produce them (the scene's words, the
voice, the seed, the backend and its settings ...). When a run of the same job has made them
before, they are copied back from storage into the work folder paths later stages read;
otherwise the stage makes them and stores them. So when a job's stages run again (a retry, a
plan edited and rendered again), only the scenes whose inputs changed are made again.

The cache lives with the job's stage artifacts in default storage, under
`jobs/<job id>/cache/<kind>/<key>.<name>`, so the job's deletion, the retention of finished
jobs' artifacts and the orphan sweep (which spares the folders of jobs that exist) cover it.
An entry counts once its `<key>.done` marker is stored, after its files: a worker killed
while storing leaves no half entry. Downloads land in the work folder's private `.cache/`
(a folder starting with "." is never stored as an artifact), which also spares a second
download on the same worker.

    entry = ctx.cached("picture", {"prompt": ..., "seed": ..., "images": images.identity()},
                       {"png": ctx.path("stills/00.png")})
    if not entry.restored:
        ...  # make stills/00.png
        entry.store()
"""

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from pipeline.engine.artifacts import artifact_name

FOLDER = "cache"
LOCAL_FOLDER = ".cache"
DONE = "done"


def cache_key(kind: str, inputs: dict) -> str:
    """A sha256 (hex, shortened) of the canonical JSON of `kind` and `inputs`."""
    canonical = json.dumps(
        {"kind": kind, "inputs": inputs},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class SceneCache:
    """One job's cache: `fetch` and `store` files by kind, key and name (an extension)."""

    def __init__(self, job_id, workdir: Path):
        self.job_id = job_id
        self.workdir = Path(workdir)

    def stored_name(self, kind: str, key: str, name: str) -> str:
        return artifact_name(self.job_id, f"{FOLDER}/{kind}/{key}.{name}")

    def local(self, kind: str, key: str, name: str) -> Path:
        return self.workdir / LOCAL_FOLDER / kind / f"{key}.{name}"

    def fetch(self, kind: str, key: str, names) -> bool:
        """Brings the entry's files into the private folder (`local`); False when the entry is
        not (wholly) in storage."""
        missing = [name for name in names if not self.local(kind, key, name).exists()]
        if not missing:
            return True
        if not default_storage.exists(self.stored_name(kind, key, DONE)):
            return False
        for name in missing:
            target = self.local(kind, key, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            try:
                with (
                    default_storage.open(self.stored_name(kind, key, name), "rb") as src,
                    open(partial, "wb") as dst,
                ):
                    shutil.copyfileobj(src, dst, 1024 * 1024)
            except OSError:  # FileNotFoundError included: deleted since, made again
                partial.unlink(missing_ok=True)
                return False
            partial.replace(target)
        return True

    def store(self, kind: str, key: str, files: dict[str, Path]) -> None:
        """Stores the files (by name) as the entry, its marker last."""
        done = self.stored_name(kind, key, DONE)
        default_storage.delete(done)
        for name, path in files.items():
            stored = self.stored_name(kind, key, name)
            default_storage.delete(stored)
            with open(path, "rb") as fh:
                default_storage.save(stored, File(fh))
        default_storage.save(done, ContentFile(json.dumps(sorted(files)).encode()))

    def entry(self, kind: str, inputs: dict, files: dict[str, Path]) -> "CacheEntry":
        """The entry for `inputs`, its files already copied to `files`' paths when it was
        there (`restored`)."""
        entry = CacheEntry(self, kind, cache_key(kind, inputs), dict(files))
        if self.fetch(kind, entry.key, files):
            for name, path in files.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.local(kind, entry.key, name), path)
            entry.restored = True
        return entry


@dataclass
class CacheEntry:
    cache: SceneCache
    kind: str
    key: str
    files: dict[str, Path]
    restored: bool = False

    def store(self) -> None:
        """Keeps the files the stage has just made at `files`' paths."""
        self.cache.store(self.kind, self.key, self.files)
