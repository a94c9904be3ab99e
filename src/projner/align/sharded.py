"""eflomal on large corpora: priors learned once, shards aligned independently.

eflomal learns from the corpus it aligns, so one run over a million pairs holds
the whole corpus and shows no progress. Instead:

1. :func:`learn_priors` runs eflomal once on a *sample* (plus any extra bitext) per
   prefix length the aligner uses (surface forms, 4-character stems) and turns each
   run's forward and reverse links into eflomal priors (:func:`prior_counts`:
   what ``eflomal-makepriors`` computes, plus fertility-0 counts): Dirichlet
   pseudo-counts for word pairs, jumps and fertilities. Two files per run, one per
   direction: the word-pair counts of the forward file come from the forward links
   (target word given source word), those of the reverse file from the reverse links
   (source word given target word; :func:`lexical_counts`).
2. Every shard is aligned on its own with those priors (``EflomalAligner(priors={prefix_len: file},
   reverse_priors={prefix_len: file})``),
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
from collections import Counter
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
        k = self.slot()
        if k is not None:
            self.items[k] = item

    def slot(self) -> int | None:
        """Count one more item of the stream; the index in ``items`` it goes to, or None
        (not sampled): callers can build an item only when it is kept."""
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(None)
            return len(self.items) - 1
        k = self._rng.randrange(self.seen)
        return k if k < self.size else None


def priors_lines(src: Sequence[Tokens], tgt: Sequence[Tokens], lowercase: bool = True) -> tuple[list[str], list[str]]:
    """Sentence pairs as the lines eflomal and its priors read (tabs would break the priors file)."""
    def line(tokens: Tokens) -> str:
        return _clean([t.replace("\t", "_") for t in tokens], lowercase)

    return [line(s) for s in src], [line(t) for t in tgt]


def prior_counts(src_lines: Sequence[str], tgt_lines: Sequence[str], fwd_lines: Iterable[str],
                 rev_lines: Iterable[str], prefix_len: int = 0) -> tuple[Counter, Counter, Counter, Counter, Counter]:
    """Dirichlet pseudo-counts from forward and reverse eflomal links: lexical
    (source word, target word), forward/reverse jumps, forward/reverse fertilities.

    As :func:`eflomal.calculate_priors` (what ``eflomal-makepriors`` runs), with two
    differences that make the priors describe the model the shards are aligned with:

    - words are cut to ``prefix_len`` characters, as eflomal does to its input when it
      runs with that prefix length (the priors of a stem run are counts over stems);
    - fertilities count every token, the unaligned ones as fertility 0. eflomal's sampler
      counts fertility 0 for each unaligned source token, so priors without those make
      every word look as if it always had a link and push the shards to link words
      (function words above all) that the whole-corpus model leaves unaligned.
    """
    lex, jump_f, jump_r, fert_f, fert_r = Counter(), Counter(), Counter(), Counter(), Counter()
    for src, tgt, fwd_line, rev_line in zip(src_lines, tgt_lines, fwd_lines, rev_lines):
        s, t = src.split(), tgt.split()
        if prefix_len:
            s, t = [w[:prefix_len] for w in s], [w[:prefix_len] for w in t]
        fwd = [tuple(map(int, x.split("-"))) for x in fwd_line.split()]
        rev = [tuple(map(int, x.split("-"))) for x in rev_line.split()]
        for i, j in fwd:  # the forward run's word pairs (the reverse file's: lexical_counts)
            lex[(s[i], t[j])] += 1
        _jumps(jump_f, sorted(fwd, key=lambda link: link[1]), len(s), 0, 1)
        _jumps(jump_r, sorted(rev, key=lambda link: link[0]), len(t), 1, 0)
        linked_f = Counter(i for i, _ in fwd)
        linked_r = Counter(j for _, j in rev)
        for i, word in enumerate(s):
            fert_f[(word, linked_f.get(i, 0))] += 1
        for j, word in enumerate(t):
            fert_r[(word, linked_r.get(j, 0))] += 1
    return lex, jump_f, jump_r, fert_f, fert_r


def lexical_counts(src_lines: Sequence[str], tgt_lines: Sequence[str], links_lines: Iterable[str],
                   prefix_len: int = 0) -> Counter:
    """``(source word, target word)`` link counts (words cut to ``prefix_len``).

    From the forward links they are the forward run's lexical priors, as
    ``eflomal-makepriors`` computes them. The reverse run models the source word given
    the target word, and eflomal reads one priors file for both directions; given
    forward counts, the reverse run is pulled towards the forward model (its one-to-many
    links, each target word picking one source word) and in Europarl-NER es drifted from
    the links the priors came from (13% of its links changed against 3% of the forward
    run's; docs/scale.md). Counted from the reverse links they describe the reverse
    model, and :class:`~projner.align.eflomal.EflomalAligner` gives each direction its
    own file (``reverse_priors``)."""
    lex: Counter = Counter()
    for src, tgt, line in zip(src_lines, tgt_lines, links_lines):
        s, t = src.split(), tgt.split()
        if prefix_len:
            s, t = [w[:prefix_len] for w in s], [w[:prefix_len] for w in t]
        for x in line.split():
            i, _, j = x.partition("-")
            lex[(s[int(i)], t[int(j)])] += 1
    return lex


def _jumps(counts: Counter, links: list, length: int, pos: int, key: int) -> None:
    """Jumps between consecutive aligned positions (eflomal's HMM statistics)."""
    last_pos, last_key = -1, -1
    for link in links:
        if link[key] != last_key:
            counts[link[pos] - last_pos] += 1
        last_pos, last_key = link[pos], link[key]
    counts[length - last_pos] += 1


def write_priors(path: str | os.PathLike, counts: tuple[Counter, Counter, Counter, Counter, Counter]) -> None:
    """An eflomal priors file (``eflomal.write_priors``'s format), replaced atomically."""
    import eflomal

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            lex, jump_f, jump_r, fert_f, fert_r = counts
            eflomal.write_priors(out, lex, jump_f, jump_r, fert_f, fert_r)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def priors_name(prefix_len: int, reverse: bool = False) -> str:
    """File name of the priors for eflomal runs with this prefix length (``reverse``: the
    reverse direction's file)."""
    name = "eflomal" if not prefix_len else f"eflomal.prefix{prefix_len}"
    return f"{name}.reverse.priors" if reverse else f"{name}.priors"


def learn_priors(
    src_lines: Sequence[str],
    tgt_lines: Sequence[str],
    folder: str | os.PathLike,
    *,
    prefix_lens: Sequence[int] = (0,),
    model: int = 3,
    n_iterations: tuple[int, int, int] | None = None,
    n_samplers: int = 3,
    null_prior: float = 0.2,
    seed: int | None = None,
) -> dict[int, Path]:
    """Align ``src_lines``/``tgt_lines`` (eflomal input lines) once per prefix length
    and write each run's priors into ``folder``: the forward direction's file and the
    reverse direction's (:func:`priors_name`, :func:`lexical_counts`).

    The default aligner votes eflomal runs on surface forms and on 4-character stems;
    each shard run gets the priors of a run like itself (a stem run's own stem links):
    priors from the surface run alone would pull both runs to the same links and lose
    what the vote gains from their differences. Returns ``{prefix_len: forward file}``."""
    import eflomal

    if len(src_lines) != len(tgt_lines):
        raise ValueError(f"{len(src_lines)} source but {len(tgt_lines)} target lines")
    if not src_lines:
        raise ValueError("no sentence pairs to learn priors from")
    out: dict[int, Path] = {}
    for plen in dict.fromkeys(int(p) for p in prefix_lens):
        kw = dict(source_prefix_len=plen, target_prefix_len=plen) if plen else {}
        aligner = eflomal.Aligner(model=model, n_iterations=n_iterations, n_samplers=n_samplers,
                                  null_prior=null_prior, **kw)
        env = {} if seed is None else {"LD_PRELOAD": str(_seed_shim()), "OMP_NUM_THREADS": "1",
                                       "PROJNER_EFLOMAL_SEED": str(seed * 1000 + 999 - plen)}
        # eflomal's own temporary files go into this folder too; removed on any exit, swept after kill -9
        with eflomal_tempdir() as tmp:
            fwd, rev = Path(tmp, "fwd"), Path(tmp, "rev")
            try:
                with _environ(env):
                    aligner.align(list(src_lines), list(tgt_lines), links_filename_fwd=str(fwd),
                                  links_filename_rev=str(rev), quiet=True)
            except Exception as exc:  # eflomal reports failures as plain exceptions
                raise ModelError(f"eflomal (learning priors): {exc}") from None
            rev_lines = rev.read_text(encoding="utf-8").splitlines()
            with open(fwd, encoding="utf-8") as f:
                counts = prior_counts(src_lines, tgt_lines, f, rev_lines, plen)
            reverse_lex = lexical_counts(src_lines, tgt_lines, rev_lines, plen)
        out[plen] = Path(folder) / priors_name(plen)
        write_priors(out[plen], counts)
        write_priors(Path(folder) / priors_name(plen, reverse=True), (reverse_lex, *counts[1:]))
    return out


def sample_and_bitext_lines(sample: Iterable[tuple[str, str]], bitext_lines: tuple[list[str], list[str]]
                            ) -> tuple[list[str], list[str]]:
    """The priors run's input: the sampled pairs followed by the extra bitext."""
    pairs = list(sample)
    src = [s for s, _ in pairs] + list(bitext_lines[0])
    tgt = [t for _, t in pairs] + list(bitext_lines[1])
    return src, tgt
