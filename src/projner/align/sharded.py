"""eflomal on large corpora: priors learned once, shards aligned independently.

eflomal learns from the corpus it aligns, so one run over a million pairs holds
the whole corpus and shows no progress. Instead:

1. :func:`learn_priors` runs eflomal once on a *sample* (plus any extra bitext)
   and turns its forward and reverse links into an eflomal priors file with
   eflomal's own :func:`eflomal.calculate_priors` / :func:`eflomal.write_priors`
   (what ``eflomal-makepriors`` does): Dirichlet pseudo-counts for word pairs,
   jumps and fertilities.
2. Every shard is aligned on its own with those priors (``EflomalAligner(priors=…)``),
   so shards are independent: they can run one after another in bounded memory,
   in any order, or on different machines, and a failed shard is simply rerun.

:func:`corpus_iterations` gives the shards the number of sampler iterations
eflomal would choose for the *whole* corpus (eflomal's default shrinks with
``1/sqrt(n)``): the shards together then cost about what one run would, rather
than ``sqrt(number of shards)`` times more.

:class:`Reservoir` draws the sample in one streaming pass (fixed seed, bounded memory).
"""

from __future__ import annotations

import math
import os
import random
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import ModelError
from .base import Tokens
from .eflomal import _clean, _environ, _seed_shim
from .eflomal_chunks import eflomal_tempdir

DEFAULT_SHARD_SIZE = 100_000
DEFAULT_SAMPLE_SIZE = 50_000


def corpus_iterations(n_pairs: int, model: int = 3, rel_iterations: float = 1.0) -> tuple[int, int, int]:
    """The (IBM1, HMM, fertility) iterations eflomal picks for ``n_pairs`` pairs
    (eflomal 2.0's formula: ``max(2, round(5000 / sqrt(n)))``)."""
    iters = max(2, int(round(rel_iterations * 5000 / math.sqrt(max(n_pairs, 1)))))
    iters4 = max(1, iters // 4)
    if model == 1:
        return (iters, 0, 0)
    if model == 2:
        return (max(2, iters4), iters, 0)
    return (max(2, iters4), iters4, iters)


class Reservoir:
    """A uniform sample of at most ``size`` items from a stream (Algorithm R, seeded)."""

    def __init__(self, size: int, seed: int = 0) -> None:
        if size < 1:
            raise ValueError(f"sample size must be >= 1, not {size!r}")
        self.size = size
        self.items: list = []
        self.seen = 0
        self._rng = random.Random(seed)

    def add(self, item) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
            return
        k = self._rng.randrange(self.seen)
        if k < self.size:
            self.items[k] = item


def priors_lines(src: Sequence[Tokens], tgt: Sequence[Tokens], lowercase: bool = True) -> tuple[list[str], list[str]]:
    """Sentence pairs as the lines eflomal and its priors read (tabs would break the priors file)."""
    def line(tokens: Tokens) -> str:
        return _clean([t.replace("\t", "_") for t in tokens], lowercase)

    return [line(s) for s in src], [line(t) for t in tgt]


def learn_priors(
    src_lines: Sequence[str],
    tgt_lines: Sequence[str],
    path: str | os.PathLike,
    *,
    model: int = 3,
    n_iterations: tuple[int, int, int] | None = None,
    n_samplers: int = 3,
    null_prior: float = 0.2,
    seed: int | None = None,
) -> dict:
    """Align ``src_lines``/``tgt_lines`` (eflomal input lines) once and write an
    eflomal priors file to ``path`` (replaced atomically). Returns counts of the
    prior entries by kind."""
    import eflomal

    if len(src_lines) != len(tgt_lines):
        raise ValueError(f"{len(src_lines)} source but {len(tgt_lines)} target lines")
    if not src_lines:
        raise ValueError("no sentence pairs to learn priors from")
    path = Path(path)
    aligner = eflomal.Aligner(model=model, n_iterations=n_iterations, n_samplers=n_samplers, null_prior=null_prior)
    env = {} if seed is None else {"LD_PRELOAD": str(_seed_shim()), "PROJNER_EFLOMAL_SEED": str(seed * 1000 + 999),
                                   "OMP_NUM_THREADS": "1"}
    # eflomal's own temporary files go into this folder too; removed on any exit, swept after kill -9
    with eflomal_tempdir() as tmp:
        fwd, rev = Path(tmp, "fwd"), Path(tmp, "rev")
        try:
            with _environ(env):
                aligner.align(list(src_lines), list(tgt_lines), links_filename_fwd=str(fwd),
                              links_filename_rev=str(rev), quiet=True)
        except Exception as exc:  # eflomal reports failures as plain exceptions
            raise ModelError(f"eflomal (learning priors): {exc}") from None
        with open(fwd, encoding="utf-8") as f, open(rev, encoding="utf-8") as r:
            lex, hmmf, hmmr, ferf, ferr = eflomal.calculate_priors(src_lines, tgt_lines, f, r)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_out = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            eflomal.write_priors(out, lex, hmmf, hmmr, ferf, ferr)
        os.replace(tmp_out, path)
    return {"pairs": len(src_lines), "lexical": len(lex), "fertility": len(ferf) + len(ferr),
            "jumps": len(hmmf) + len(hmmr)}


def sample_and_bitext_lines(sample: Iterable[tuple[str, str]], bitext_lines: tuple[list[str], list[str]]
                            ) -> tuple[list[str], list[str]]:
    """The priors run's input: the sampled pairs followed by the extra bitext."""
    pairs = list(sample)
    src = [s for s, _ in pairs] + list(bitext_lines[0])
    tgt = [t for _, t in pairs] + list(bitext_lines[1])
    return src, tgt
