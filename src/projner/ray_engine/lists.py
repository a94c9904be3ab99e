"""``--engine ray`` for sentences already in memory: translate-train's projection step.

translate-train holds its source corpus and the translations as lists; this runs the
same split / distribute / merge as ``projner project --engine ray`` on them and hands
back what :func:`projner.pipelines.project_corpus` would: the projected sentences
(with their span scores, through a JSONL shard output) and the links, in input order.
The shard folder stays until the step is recorded, so a failed step resumes its
finished shards when rerun.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Sequence

from ..types import Alignment, Sentence


def content_digest(sources: Sequence[Sentence], targets: Sequence[Sentence]) -> str:
    """Identity of in-memory inputs (tokens and source spans): a rerun on other data starts afresh."""
    h = hashlib.sha256()
    for s, t in zip(sources, targets):
        h.update(repr((s.tokens, [(x.start, x.end, x.label) for x in s.spans], t.tokens)).encode("utf-8"))
        h.update(b"\n")
    h.update(f"{len(sources)} {len(targets)}".encode())
    return h.hexdigest()


def project_lists(sources: Sequence[Sentence], targets: Sequence[Sentence], config, workdir: str | Path, *,
                  address: str | None = None, shard_size: int, sample_size: int, progress=None,
                  keep: bool = False) -> tuple[list[Sentence], list[Alignment]]:
    """Align and project ``sources`` onto ``targets`` on a Ray cluster; returns
    ``(projected, alignments)`` in input order, every sentence (``config.filter`` is the
    caller's business, as with ``project_corpus``). ``workdir`` holds the shards
    (removed at the end unless ``keep``)."""
    from ..config import FilterConfig
    from ..io import read_sentences, read_talp
    from .run import run

    if len(sources) != len(targets):
        raise ValueError(f"{len(sources)} source but {len(targets)} target sentences")
    workdir = Path(workdir)
    out, links = workdir / "projected.jsonl", workdir / "alignments.talp"
    cfg = config.model_copy(update={"filter": FilterConfig()})
    run("project", lambda: (iter(sources), iter(targets)), cfg, out, shard_size=shard_size, sample_size=sample_size,
        address=address, workdir=workdir / "shards", output_format="jsonl", save_alignment=links,
        settings={"inputs": content_digest(sources, targets)}, progress=progress)
    projected = list(read_sentences(out, "jsonl", labels=True))
    aligns = list(read_talp(links))
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return projected, aligns
