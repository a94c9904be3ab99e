"""Statistical word alignment with eflomal (Östling & Tiedemann 2016), forward and
reverse, symmetrised. Trains on the pairs being aligned plus any extra bitext."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..errors import ConfigError, ModelError
from ..types import Alignment
from .base import Tokens, check_batch
from .eflomal_chunks import EFLOMAL_MAX_TOKENS, _fits, eflomal_tempdir as _eflomal_tempdir, join_chunks, \
    split_long_pairs
from .eflomal_priors import spelling_pairs, write_spelling_priors
from .symmetrize import METHODS, symmetrize, symmetrize_votes


_APOSTROPHES = re.compile("['’]")


def word_key(token: str) -> str:
    """The word eflomal counts for a token: without the punctuation at its edges and,
    for a token joined by an apostrophe, its longest piece (the last on a tie): the
    elided article or pronoun of French, Italian or Catalan and the English ``'s``
    go (``l'endroit.`` -> ``endroit``, ``service,`` -> ``service``, ``(yogurt`` ->
    ``yogurt``, ``Ray's`` -> ``Ray``). Untokenised text (machine translation split at
    spaces) otherwise gives eflomal several types for one word, which few pairs
    cannot afford. Tokens without a letter or digit stay as they are."""
    i, j = 0, len(token)
    while i < j and not token[i].isalnum():
        i += 1
    while j > i and not token[j - 1].isalnum():
        j -= 1
    if i == j:
        return token
    core = token[i:j]
    if "'" in core or "’" in core:
        pieces = [p for p in _APOSTROPHES.split(core) if p]
        core = max(reversed(pieces), key=len)
    return core


def _clean(tokens: Tokens, lowercase: bool, normalize: bool = True) -> str:
    line = " ".join((word_key(t) if normalize else t).replace(" ", "_") for t in tokens)
    return line.lower() if lowercase else line


class EflomalAligner:
    """eflomal forward + reverse alignment, symmetrised.

    Parameters
    ----------
    symmetrization: one of ``intersection``, ``union``, ``grow-diag``,
        ``grow-diag-final``, ``grow-diag-final-and`` (default), ``forward``, ``reverse``.
    lowercase: lowercase both sides before training.
    bitext: extra parallel text: already tokenised ``(source_sentences,
        target_sentences)`` pairs, or objects whose ``load()`` returns such a pair
        (:class:`projner.io.BitextFiles` for files; the pipelines wrap the file
        pairs of a configuration). ``bitext_limit`` keeps each one's first N pairs.
    model: eflomal model (1 = IBM1, 2 = + HMM, 3 = + fertility).
    n_iterations (IBM1, HMM, fertility iterations), n_samplers, null_prior: eflomal's own settings.
    prefix_len: if > 0, words are truncated to this many characters (a cheap stemmer
        that helps morphologically rich languages on small data). A list runs
        eflomal once per value and symmetrises all the runs' links by voting
        (:func:`~projner.align.symmetrize.symmetrize_votes`): the default ``(0, 4)``
        combines surface forms with 4-character stems, which is more accurate
        than either alone and evens out eflomal's sampling noise.
    priors: path of an eflomal priors file (see ``eflomal-makepriors``), read by every
        run; or ``{prefix_len: path}``, one file per prefix length (sharded alignment
        learns each run's priors from a run with the same prefix length).
    reverse_priors: the priors of the reverse direction (source word given target word),
        in the same form; default: ``priors`` for both directions, as eflomal reads them.
        With it, each direction is an eflomal process of its own, reading its own file
        (side by side, or one after the other when seeded); the input is prepared once.
    normalize: eflomal reads each token's :func:`word_key` (edge punctuation and
        elided clitics stripped) instead of the token itself; links still point at
        the tokens. Off: the tokens as they are (lowercased if ``lowercase``).
    spelling_prior: Dirichlet pseudo-counts given to each pair of words spelt alike
        in the same sentence pair (names, numbers, cognates; :mod:`~projner.align.eflomal_priors`),
        which decide for words too rare for eflomal's statistics; 0 = off.
    seed: make eflomal reproducible (opt-in). eflomal has no seed option and seeds
        itself from ``/dev/urandom``; with a seed, a small shim (compiled once with
        the system C compiler into ``~/.cache/projner``, glibc only) answers that
        read with bytes derived from the seed, and eflomal runs on one thread
        (``OMP_NUM_THREADS=1``, so about twice as slow on two cores) because its
        threads merge counts in a scheduling-dependent order.
    """

    name = "eflomal"

    def __init__(
        self,
        symmetrization: str = "grow-diag-final-and",
        lowercase: bool = True,
        bitext: Iterable = (),
        model: int = 3,
        n_iterations: tuple[int, int, int] | None = None,
        n_samplers: int = 3,
        null_prior: float = 0.2,
        prefix_len: int | Sequence[int] = (0, 4),
        priors: str | Mapping[int, str] | None = None,
        reverse_priors: str | Mapping[int, str] | None = None,
        bitext_limit: int | None = None,
        seed: int | None = None,
        normalize: bool = True,
        spelling_prior: float = 1.0,
    ) -> None:
        if symmetrization not in METHODS:
            raise ValueError(f"unknown symmetrisation {symmetrization!r} (use one of {', '.join(METHODS)})")
        self.symmetrization = symmetrization
        self.lowercase = lowercase
        self.bitext = list(bitext)
        for item in self.bitext:
            if not hasattr(item, "load") and not (
                    isinstance(item, (tuple, list)) and len(item) == 2
                    and not any(isinstance(x, (str, os.PathLike)) for x in item)):
                raise ConfigError(
                    f"eflomal: bitext {item!r} is not a pair of tokenised sentence lists; give files as "
                    "projner.io.BitextFiles(source, target) (configs and the command line do this for you)")
        self.model = model
        self.n_iterations = n_iterations
        self.n_samplers = n_samplers
        self.null_prior = null_prior
        self.prefix_lens = [int(prefix_len)] if isinstance(prefix_len, (int, float)) else [int(p) for p in prefix_len]
        if not self.prefix_lens or any(p < 0 for p in self.prefix_lens):
            raise ValueError("prefix_len must be a non-negative integer or a non-empty list of them")
        self.priors = self._per_prefix(priors, "priors")
        self.reverse_priors = self._per_prefix(reverse_priors, "reverse_priors")
        self.bitext_limit = bitext_limit
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
        self.seed = seed
        self.normalize = normalize
        if spelling_prior < 0:
            raise ValueError(f"spelling_prior must be >= 0, not {spelling_prior!r}")
        self.spelling_prior = spelling_prior
        self._bitext_cache: tuple[list[str], list[str]] | None = None
        self._warned_long = False
        self.trained_pairs: int | None = None  # pairs of the last align(): the batch plus the bitext

    def _per_prefix(self, priors, name: str):
        if isinstance(priors, Mapping):
            priors = {int(k): str(v) for k, v in priors.items()}
            missing = [p for p in self.prefix_lens if p not in priors]
            if missing:
                raise ValueError(f"{name}: no file for prefix length {missing[0]} (give one per prefix_len)")
        return priors

    def _bitext_lines(self, main_src: Sequence[Tokens] = (), main_tgt: Sequence[Tokens] = ()) -> tuple[list[str], list[str]]:
        """The extra bitext as eflomal lines; a pair given in the wrong direction
        (its source side reads like the target language) is swapped, with a warning."""
        if self._bitext_cache is None:
            src_lines: list[str] = []
            tgt_lines: list[str] = []
            for item in self.bitext:
                if hasattr(item, "load"):
                    s, t = item.load()
                    name = str(item)
                else:
                    s, t = list(item[0]), list(item[1])
                    name = "(tokenised sentences)"
                if self.bitext_limit is not None:
                    s, t = s[: self.bitext_limit], t[: self.bitext_limit]
                if main_src and main_tgt and looks_reversed(s, t, main_src, main_tgt):
                    logging.getLogger("projner").warning(
                        "bitext %s looks reversed (its first file reads like the target language); "
                        "using it the other way round", name)
                    s, t = t, s
                src_lines.extend(_clean(x, self.lowercase, self.normalize) for x in s)
                tgt_lines.extend(_clean(x, self.lowercase, self.normalize) for x in t)
            self._bitext_cache = (src_lines, tgt_lines)
        return self._bitext_cache

    def directional(self, src: Sequence[Tokens], tgt: Sequence[Tokens],
                    prefix_len: int | None = None) -> tuple[list[Alignment], list[Alignment]]:
        """Forward and reverse alignments of one eflomal run (both as source→target links).

        eflomal aligns nothing in a sentence of 1,024 tokens or more: such pairs are
        cut into chunks at sentence punctuation (:func:`chunk_pair`), aligned as
        separate pairs, and their links put back together (with a warning)."""
        check_batch(src, tgt)
        pieces = split_long_pairs(src, tgt)
        if pieces is not None:
            if not self._warned_long:
                self._warned_long = True
                n_long = sum(not _fits(s, t) for s, t in zip(src, tgt))
                logging.getLogger("projner").warning(
                    "eflomal: %d sentence pair(s) of %s or more tokens (eflomal's limit) aligned in chunks cut at "
                    "sentence punctuation", n_long, f"{EFLOMAL_MAX_TOKENS:,}")
            p_src, p_tgt, owners = pieces
            fwd, rev = self._directional(p_src, p_tgt, prefix_len)
            return join_chunks(fwd, owners, len(src)), join_chunks(rev, owners, len(src))
        return self._directional(src, tgt, prefix_len)

    def _directional(self, src: Sequence[Tokens], tgt: Sequence[Tokens],
                     prefix_len: int | None = None) -> tuple[list[Alignment], list[Alignment]]:
        try:
            import eflomal
        except ImportError:  # pragma: no cover - eflomal is a core dependency
            raise ModelError("eflomal is not installed: pip install eflomal") from None
        n = len(src)
        extra_src, extra_tgt = self._bitext_lines(src, tgt)
        src_lines = [_clean(s, self.lowercase, self.normalize) for s in src] + extra_src
        tgt_lines = [_clean(t, self.lowercase, self.normalize) for t in tgt] + extra_tgt
        plen = self.prefix_lens[0] if prefix_len is None else prefix_len
        kw = dict(source_prefix_len=plen, target_prefix_len=plen) if plen else {}
        aligner = eflomal.Aligner(model=self.model, n_iterations=self.n_iterations,
                                  n_samplers=self.n_samplers, null_prior=self.null_prior, **kw)
        if self.reverse_priors is not None:
            from .eflomal_directions import two_processes

            return two_processes(self, aligner, src_lines, tgt_lines, n, plen)
        with _eflomal_tempdir() as tmp:
            fwd, rev = Path(tmp, "fwd"), Path(tmp, "rev")
            path = self.priors.get(plen) if isinstance(self.priors, dict) else self.priors
            path = self._priors_file(src_lines[:n], tgt_lines[:n], path, Path(tmp, "priors"))
            priors = open(path, encoding="utf-8") if path else None
            env = {} if self.seed is None else {
                "LD_PRELOAD": str(_seed_shim()),
                "PROJNER_EFLOMAL_SEED": str(self.seed * 1000 + plen),
                "OMP_NUM_THREADS": "1",
            }
            try:
                with _environ(env):
                    aligner.align(src_lines, tgt_lines, links_filename_fwd=str(fwd),
                                  links_filename_rev=str(rev), priors_input=priors, quiet=True)
            finally:
                if priors:
                    priors.close()
            forward = _read_links(fwd, n)
            reverse = _read_links(rev, n)
        return forward, reverse

    def _priors_file(self, src_lines: Sequence[str], tgt_lines: Sequence[str], base: str | None,
                     path: Path, pairs: set | None = None) -> str | Path | None:
        """The priors eflomal reads: the given file (``base``) plus the spelling priors
        of the pairs being aligned (:mod:`~projner.align.eflomal_priors`; ``pairs``: those
        already found), if any."""
        if not self.spelling_prior:
            return base
        pairs = spelling_pairs(src_lines, tgt_lines) if pairs is None else pairs
        if not pairs:
            return base
        write_spelling_priors(path, pairs, self.spelling_prior, base=base)
        return path

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        if not len(src):
            return []
        runs = [self.directional(src, tgt, p) for p in self.prefix_lens]
        self.trained_pairs = len(src) + len(self._bitext_lines(src, tgt)[0])
        if len(runs) == 1:
            forward, reverse = runs[0]
            return [symmetrize(f, r, self.symmetrization) for f, r in zip(forward, reverse)]
        return [
            symmetrize_votes([d[k] for run in runs for d in run], self.symmetrization)
            for k in range(len(src))
        ]


def _vocab(sentences, limit: int = 3000) -> set[str]:
    out: set[str] = set()
    for k, toks in enumerate(sentences):
        if k >= limit:
            break
        out.update(t.lower() for t in toks if any(c.isalpha() for c in t))
    return out


def looks_reversed(b_src, b_tgt, main_src, main_tgt) -> bool:
    """True when a bitext's two sides match the main pairs' languages the other way
    round: each side shares clearly more word types with the opposite main side."""
    vs, vt = _vocab(b_src), _vocab(b_tgt)
    ms, mt = _vocab(main_src, 10**9), _vocab(main_tgt, 10**9)
    if not vs or not vt or not ms or not mt:
        return False

    def share(v, m):
        return len(v & m) / len(v)

    straight = share(vs, ms) + share(vt, mt)
    crossed = share(vs, mt) + share(vt, ms)
    return crossed > 1.5 * straight and crossed - straight > 0.05


_SHIM_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static unsigned long long seed_bytes;
FILE *fopen(const char *path, const char *mode) {
    static FILE *(*real_fopen)(const char *, const char *) = NULL;
    if (!real_fopen) real_fopen = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen");
    const char *seed = getenv("PROJNER_EFLOMAL_SEED");
    if (seed && path && strcmp(path, "/dev/urandom") == 0) {
        seed_bytes = strtoull(seed, NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
        return fmemopen(&seed_bytes, sizeof seed_bytes, "rb");
    }
    return real_fopen(path, mode);
}
"""


def _seed_shim() -> Path:
    """Compile (once) the shim that feeds eflomal a seed instead of /dev/urandom."""
    import hashlib
    import shutil
    import subprocess

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "projner"
    so = cache / f"eflomal-seed-{hashlib.sha256(_SHIM_C.encode()).hexdigest()[:12]}.so"
    if so.exists():
        return so
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if cc is None:
        raise ModelError("eflomal seed: needs a C compiler (cc/gcc) to build its seeding shim; "
                         "install one or leave the seed unset")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        src = Path(tmp, "seed.c")
        src.write_text(_SHIM_C)
        out = Path(tmp, "seed.so")
        res = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(out), str(src), "-ldl"],
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise ModelError(f"eflomal seed: building the seeding shim failed: {res.stderr.strip()[:200]}")
        os.replace(out, so)
    return so


class _environ:
    """Set environment variables for the duration of a block (eflomal runs as a child process)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        for k, v in self.values.items():
            self.saved[k] = os.environ.get(k)
            os.environ[k] = v

    def __exit__(self, *exc) -> None:
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _read_links(path: Path, n: int) -> list[Alignment]:
    out: list[Alignment] = []
    with open(path, encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            if k >= n:
                break
            pairs = [tuple(map(int, tok.split("-"))) for tok in line.split()]
            out.append(Alignment(pairs))
    while len(out) < n:
        out.append(Alignment())
    return out
