"""The files of run-folder steps: checksums, fsync, sizes, removal, and running a
step's function into temporary outputs that are then moved into place
(see :class:`projner.runs.RunDir`)."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any, Callable

__all__ = ["sha256_file", "fsync_dir", "fsync_file", "is_folder", "tree_size", "remove_path", "run_into",
           "move_into_place"]

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, or of a folder's files (relative names and bytes, sorted)."""
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(x for x in p.rglob("*") if x.is_file()):
            h.update(f.relative_to(p).as_posix().encode("utf-8") + b"\0")
            h.update(sha256_file(f).encode("ascii"))
        return h.hexdigest()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_folder(output: str) -> bool:
    return output.endswith("/")


def tree_size(path: Path) -> int:
    """Bytes of a file, or of all files in a folder."""
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def remove_path(path: Path) -> None:
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def run_into(name: str, fn: Callable[[dict[str, Path]], None], tmp: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Run a step's ``fn`` into its temporary outputs; check, fsync and checksum them."""
    for o, p in tmp.items():
        if is_folder(o):
            p.mkdir()
    fn(dict(tmp))
    missing = [o for o, p in tmp.items() if not (p.is_dir() if is_folder(o) else p.is_file())]
    if missing:
        raise RuntimeError(f"step {name!r} did not write its output(s) {', '.join(missing)}")
    info: dict[str, dict[str, Any]] = {}
    for o, p in tmp.items():
        for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
            if f.is_file():
                fsync_file(f)
        info[o] = {"sha256": sha256_file(p), "size": tree_size(p)}
    return info


def move_into_place(tmp: dict[str, Path], final: dict[str, Path], tag: str) -> None:
    for o, p in tmp.items():
        if is_folder(o) and final[o].exists():
            # a folder cannot be renamed over a non-empty one: move the old aside first
            old = final[o].with_name(f".old-{tag}.{final[o].name}")
            os.replace(final[o], old)
            os.replace(p, final[o])
            remove_path(old)
        else:
            os.replace(p, final[o])
