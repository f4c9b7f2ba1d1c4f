"""A job's stage artifacts in storage: what each finished stage wrote in the work folder is
copied to `jobs/<job id>/…` in default storage (local or S3) when the stage ends.

So the files can be listed and served by any web process without reaching a worker's disk,
and a job taken over by a worker on another host fetches finished stages' files from storage
instead of running those stages again. The work folder stays the worker's private scratch
space, and a cache of what storage holds.
"""

import os
import shutil
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

PREFIX = "jobs"
# Worker internals and files still being written are not artifacts.
_PRIVATE_FOLDERS = {"logs"}


def artifact_name(job_id, path: str) -> str:
    return f"{PREFIX}/{job_id}/{path}"


def _private(relative: Path) -> bool:
    parts = relative.parts
    return parts[0] in _PRIVATE_FOLDERS or any(p.startswith(".") or p.endswith(".part")
                                               for p in parts)  # fmt: skip


def workdir_snapshot(workdir: Path) -> dict[str, tuple[int, int]]:
    """Each regular file under the work folder (links are not followed): its size and
    modification time, to tell afterwards what a stage wrote."""
    found = {}
    for root, dirs, files in os.walk(workdir):
        for name in files:
            path = Path(root, name)
            try:
                stat = path.lstat()
            except OSError:
                continue
            if path.is_symlink():
                continue
            relative = path.relative_to(workdir)
            if not _private(relative):
                found[relative.as_posix()] = (stat.st_size, stat.st_mtime_ns)
        dirs.sort()
    return found


def stage_artifacts_store(*, job_id, workdir: Path, before: dict) -> list[dict]:
    """Copies the files that are new or changed since `before` to storage; returns what was
    stored (path in the work folder, size, stored name) for the stage's manifest record."""
    stored = []
    for path, (size, mtime) in sorted(workdir_snapshot(workdir).items()):
        if before.get(path) == (size, mtime):
            continue
        name = artifact_name(job_id, path)
        # A stage run again replaces its earlier files under the same names.
        default_storage.delete(name)
        with open(workdir / path, "rb") as fh:
            name = default_storage.save(name, File(fh))
        stored.append({"path": path, "size": size, "name": name})
    return stored


def stage_artifacts_fetch(*, workdir: Path, files: list[dict]) -> bool:
    """Brings a finished stage's files back into the work folder where they are missing.
    False when storage no longer has one of them (the stage must run again)."""
    for item in files:
        target = workdir / item["path"]
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.fetch")
        try:
            with default_storage.open(item["name"], "rb") as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        except (FileNotFoundError, OSError):
            partial.unlink(missing_ok=True)
            return False
        partial.replace(target)
    return True


def job_artifact_files(manifest: dict) -> list[dict]:
    """The newest stored copy of each file the job's stages wrote, by work-folder path."""
    latest: dict[str, dict] = {}
    records = (manifest or {}).get("stages", {}).values()
    for record in sorted(records, key=lambda r: r.get("finished_at") or ""):
        for item in record.get("files", []):
            latest[item["path"]] = item
    return [latest[path] for path in sorted(latest)]


def job_artifacts_delete(*, job_id) -> int:
    """Deletes every stored artifact of the job; returns how many files went."""
    return _delete_tree(f"{PREFIX}/{job_id}")


def _delete_tree(folder: str) -> int:
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    count = 0
    for name in files:
        default_storage.delete(f"{folder}/{name}")
        count += 1
    for name in dirs:
        count += _delete_tree(f"{folder}/{name}")
    return count
