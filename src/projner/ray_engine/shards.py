"""The shard folder of a distributed run: shard inputs, outputs and the manifest.

Layout of ``WORKDIR`` (default: ``OUTPUT.shards`` next to the output)::

    manifest.json        what was run (fingerprint), the shards, the finished ones
    in/00000.pkl ...     shard inputs: (source, target, alignment or None) per pair
    out/00000.conll ...  shard outputs, written atomically by the workers
    projector.pkl        what the projector learnt in its corpus pass (the refiner)
    eflomal*.priors      priors learnt once from a sample, one file per eflomal prefix length and direction

Only the driver writes ``manifest.json`` (atomically). A shard counts as done when
the manifest records it and its output file has the recorded size; a rerun of the
same command (same inputs, configuration and shard size) skips those shards.
Nothing here imports Ray.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import InputError

VERSION = 3  # 2: priors per prefix length; 3: and per direction


def fingerprint(command: str, inputs: Iterable[str | os.PathLike | None], settings: dict) -> str:
    """Identity of a run: the command, each input's path, size and modification time, the settings."""
    files = []
    for p in inputs:
        if p is None:
            files.append(None)
            continue
        st = os.stat(p)
        files.append([os.path.abspath(p), st.st_size, st.st_mtime_ns])
    blob = json.dumps({"version": VERSION, "command": command, "inputs": files, "settings": settings},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class ShardFolder:
    """A run's shard folder and its manifest."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / "manifest.json"
        self.manifest: dict = {}

    # -- manifest ------------------------------------------------------------
    def open(self, fp: str) -> bool:
        """Start or resume: True when a finished split with the same fingerprint is there."""
        if self.root.exists() and not self.manifest_path.exists() and any(self.root.iterdir()):
            raise InputError("shard folder exists, is not empty and has no manifest.json; "
                             "remove it or choose another --workdir", self.root)
        if self.manifest_path.exists():
            try:
                old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            if old.get("fingerprint") == fp and old.get("split_done"):
                self.manifest = old
                return True
            for sub in ("in", "out"):
                shutil.rmtree(self.root / sub, ignore_errors=True)
        (self.root / "in").mkdir(parents=True, exist_ok=True)
        (self.root / "out").mkdir(parents=True, exist_ok=True)
        self.manifest = {"version": VERSION, "fingerprint": fp, "split_done": False, "shards": [], "done": {}}
        self.save()
        return False

    def save(self) -> None:
        tmp = self.manifest_path.with_name(".manifest.json.tmp")
        tmp.write_text(json.dumps(self.manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    def record(self, result: dict) -> None:
        """Record a finished shard (a worker's result row)."""
        keys = ("output", "pairs", "bytes", "sha256", "links", "links_bytes")
        self.manifest["done"][str(result["shard"])] = {k: result[k] for k in keys if k in result}
        self.save()

    def pending(self) -> list[dict]:
        """Shards not finished (no record, or the output is missing or has another size)."""
        out = []
        for sh in self.manifest["shards"]:
            rec = self.manifest["done"].get(str(sh["shard"]))
            path = self.root / rec["output"] if rec else None
            if (rec is None or not path.exists() or path.stat().st_size != rec["bytes"]
                    or not _links_ok(self.root, sh, rec)):
                out.append(sh)
        return out

    # -- inputs ----------------------------------------------------------------
    def write_shard(self, index: int, items: list, ext: str, links: bool = False) -> dict:
        write_input(self.root, index, items)
        return self.add_shard(index, len(items), ext, links)

    def add_shard(self, index: int, pairs: int, ext: str, links: bool = False) -> dict:
        """Record shard ``index`` (its input ``in/NNNNN.pkl`` written) in the manifest."""
        sh = {"shard": index, "pairs": pairs, "input": f"in/{index:05d}.pkl",
              "output": f"out/{index:05d}{ext}", "root": str(self.root)}
        if links:
            sh["links"] = f"out/{index:05d}.talp"
        self.manifest["shards"].append(sh)
        return sh

    def merge(self, output: str | os.PathLike, key: str = "output") -> int:
        """Concatenate the shard outputs (``key="links"``: the shards' links) in shard
        order into ``output`` (atomically); returns bytes."""
        from ..io.common import atomic_write

        n = 0
        with atomic_write(output, "wb") as fh:
            for sh in self.manifest["shards"]:
                with open(self.root / sh[key], "rb") as part:
                    while chunk := part.read(1 << 20):
                        fh.write(chunk)
                        n += len(chunk)
        return n


def _links_ok(root: Path, shard: dict, rec: dict) -> bool:
    """A shard that also writes links is done only with its links file intact."""
    if "links" not in shard:
        return True
    path = root / shard["links"]
    return rec.get("links") == shard["links"] and path.exists() and path.stat().st_size == rec.get("links_bytes")


def write_input(root: str | os.PathLike, index: int, items: list) -> None:
    """A shard's input, (source, target, alignment or None) per pair, written atomically."""
    path = Path(root) / "in" / f"{index:05d}.pkl"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(items, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def read_shard(root: str | os.PathLike, rel: str) -> list:
    with open(Path(root) / rel, "rb") as fh:
        return pickle.load(fh)


def write_output(root: str | os.PathLike, rel: str, lines: Iterator[str]) -> dict:
    """Write a shard's output atomically; returns its size and SHA-256."""
    path = Path(root) / rel
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    size = 0
    with open(tmp, "wb") as fh:
        for text in lines:
            data = text.encode("utf-8")
            digest.update(data)
            size += len(data)
            fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return {"bytes": size, "sha256": digest.hexdigest()}
