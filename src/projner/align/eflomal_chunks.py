"""eflomal's limits, worked around: long sentence pairs and temporary files.

- eflomal aligns nothing in a sentence of :data:`EFLOMAL_MAX_TOKENS` (1,024) tokens
  or more, silently. :func:`split_long_pairs` cuts such pairs into chunks of about
  :data:`CHUNK_TOKENS` tokens: the longer side is cut at evenly spaced points moved
  to the nearest sentence punctuation (``.``, ``!``, ``?``, ``;``, then ``,``/``:``)
  within a quarter chunk, the other side at the proportional points, moved the same
  way. Chunks are aligned as separate pairs and :func:`join_chunks` shifts their
  links back to sentence positions. A chunk with an empty side is not aligned.
- eflomal writes its input files with ``tempfile`` into the system's temporary
  folder. :func:`eflomal_tempdir` gives each run its own folder
  ``projner-eflomal-pPID-RANDOM`` there (eflomal's files included), removed on any
  exit, including SIGINT/SIGTERM; folders of processes that no longer exist (after
  ``kill -9``) are removed by the next run.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..types import Alignment
from ..procs import pid_alive as _pid_alive

EFLOMAL_MAX_TOKENS = 1024
CHUNK_TOKENS = 400

_STRONG = frozenset(".!?;…。！？؟।")
_WEAK = frozenset(",:،，、")
_TMP_RE = re.compile(r"^projner-eflomal-p(\d+)-")


def _fits(src: Sequence[str], tgt: Sequence[str]) -> bool:
    return len(src) < EFLOMAL_MAX_TOKENS and len(tgt) < EFLOMAL_MAX_TOKENS


def _snap(tokens: Sequence[str], pos: float, lo: int, hi: int, window: int) -> int:
    """A cut near ``pos`` (cut *after* a punctuation token), within ``[lo, hi]``."""
    want = min(max(int(round(pos)), lo), hi)
    for marks in (_STRONG, _WEAK):
        best = None
        for q in range(max(lo, want - window), min(hi, want + window) + 1):
            if q > 0 and tokens[q - 1] in marks and (best is None or abs(q - want) < abs(best - want)):
                best = q
        if best is not None:
            return best
    return want


def chunk_pair(src: Sequence[str], tgt: Sequence[str], chunk: int = CHUNK_TOKENS) -> list[tuple[int, int, int, int]]:
    """Cut one pair into ``(s0, s1, t0, t1)`` chunks, each side shorter than eflomal's limit."""
    n_s, n_t = len(src), len(tgt)
    k = max(1, math.ceil(max(n_s, n_t) / chunk))
    window = max(1, chunk // 4)
    src_longer = n_s >= n_t
    long_toks, short_toks = (src, tgt) if src_longer else (tgt, src)
    n_long, n_short = len(long_toks), len(short_toks)
    long_cuts, short_cuts = [0], [0]
    for i in range(1, k):
        c = _snap(long_toks, i * n_long / k, long_cuts[-1] + 1, n_long - 1, window)
        long_cuts.append(c)
        short_cuts.append(_snap(short_toks, c * n_short / n_long, short_cuts[-1], n_short,
                                max(1, window * n_short // max(n_long, 1))))
    long_cuts.append(n_long)
    short_cuts.append(n_short)
    s_cuts, t_cuts = (long_cuts, short_cuts) if src_longer else (short_cuts, long_cuts)
    out = []
    for i in range(k):
        s0, s1, t0, t1 = s_cuts[i], s_cuts[i + 1], t_cuts[i], t_cuts[i + 1]
        if s1 - s0 >= EFLOMAL_MAX_TOKENS or t1 - t0 >= EFLOMAL_MAX_TOKENS:  # cannot happen with sane sizes
            return chunk_pair(src, tgt, max(1, chunk // 2))
        out.append((s0, s1, t0, t1))
    return out


def split_long_pairs(src: Sequence[Sequence[str]], tgt: Sequence[Sequence[str]]):
    """``None`` when every pair fits eflomal; else ``(pieces_src, pieces_tgt, owners)``
    where ``owners[j] = (pair index, source offset, target offset)`` of piece ``j``."""
    if all(_fits(s, t) for s, t in zip(src, tgt)):
        return None
    p_src: list[Sequence[str]] = []
    p_tgt: list[Sequence[str]] = []
    owners: list[tuple[int, int, int]] = []
    for k, (s, t) in enumerate(zip(src, tgt)):
        fits = _fits(s, t)
        for s0, s1, t0, t1 in [(0, len(s), 0, len(t))] if fits else chunk_pair(s, t):
            if fits or (s1 > s0 and t1 > t0):
                p_src.append(list(s[s0:s1]))
                p_tgt.append(list(t[t0:t1]))
                owners.append((k, s0, t0))
    return p_src, p_tgt, owners


def join_chunks(aligns: Sequence[Alignment], owners: Sequence[tuple[int, int, int]], n: int) -> list[Alignment]:
    """Put the links of aligned pieces back into ``n`` sentence pairs."""
    parts: list[list[np.ndarray]] = [[] for _ in range(n)]
    for a, (k, s0, t0) in zip(aligns, owners):
        if len(a.links):
            parts[k].append(a.links + np.array([s0, t0], dtype=a.links.dtype))
    return [Alignment(np.vstack(p)) if p else Alignment() for p in parts]


def sweep_stale_tempdirs(base: str | os.PathLike | None = None) -> int:
    """Remove ``projner-eflomal-pPID-*`` folders of this user whose process is gone."""
    base = Path(base or tempfile.gettempdir())
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(base):
            m = _TMP_RE.match(entry.name)
            if not m or not entry.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid == os.getuid() and not _pid_alive(int(m.group(1))):
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed += 1
    return removed


@contextlib.contextmanager
def eflomal_tempdir() -> Iterator[str]:
    """A private temporary folder for one eflomal run, which also receives the files
    eflomal itself creates through ``tempfile``; removed on any exit."""
    sweep_stale_tempdirs()
    tmp = tempfile.mkdtemp(prefix=f"projner-eflomal-p{os.getpid()}-")
    saved = tempfile.tempdir
    tempfile.tempdir = tmp
    try:
        yield tmp
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(tmp, ignore_errors=True)
