"""Statistical word alignment with eflomal (Östling & Tiedemann 2016), forward and
reverse, symmetrised. Trains on the pairs being aligned plus any extra bitext."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import InputError, ModelError
from ..types import Alignment
from .base import Tokens, check_batch
from .symmetrize import METHODS, symmetrize


def _clean(tokens: Tokens, lowercase: bool) -> str:
    line = " ".join(t.replace(" ", "_") for t in tokens)
    return line.lower() if lowercase else line


def read_bitext(src_path: str | os.PathLike, tgt_path: str | os.PathLike, *, fmt: str = "auto",
                limit: int | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """Read a pair of line-parallel files (plain text, CoNLL or JSONL; ``.gz`` allowed).

    Plain text is split by the word tokenizer (idempotent on tokenised text).
    CoNLL ``-DOCSTART-`` lines are skipped on both sides, so CoNLL files whose
    translations kept them line for line stay parallel.
    """
    from ..io import detect_format, read_sentences  # io is a leaf below align's callers

    def load(path):
        f = detect_format(path) if fmt == "auto" else fmt
        f = "raw" if f == "text" else f
        return [list(s.tokens) for s in read_sentences(path, f, labels=False)]

    src, tgt = load(src_path), load(tgt_path)
    if len(src) != len(tgt):
        raise InputError(
            f"bitext files differ in length: {len(src)} sentences here, {len(tgt)} in {tgt_path}", src_path
        )
    if limit is not None:
        src, tgt = src[:limit], tgt[:limit]
    return src, tgt


class EflomalAligner:
    """eflomal forward + reverse alignment, symmetrised.

    Parameters
    ----------
    symmetrization: one of ``intersection``, ``union``, ``grow-diag``,
        ``grow-diag-final``, ``grow-diag-final-and`` (default), ``forward``, ``reverse``.
    lowercase: lowercase both sides before training.
    bitext: extra parallel text, as ``(source_path, target_path)`` pairs or
        already-tokenised ``(source_sentences, target_sentences)``.
    model: eflomal model (1 = IBM1, 2 = + HMM, 3 = + fertility).
    n_iterations, n_samplers, null_prior: eflomal's own settings.
    prefix_len: if > 0, words are truncated to this many characters (a cheap stemmer
        that helps morphologically rich languages on small data).
    priors: path of an eflomal priors file (see ``eflomal-makepriors``).
    """

    name = "eflomal"

    def __init__(
        self,
        symmetrization: str = "grow-diag-final-and",
        lowercase: bool = True,
        bitext: Iterable = (),
        model: int = 3,
        n_iterations: int | None = None,
        n_samplers: int = 3,
        null_prior: float = 0.2,
        prefix_len: int = 0,
        priors: str | None = None,
        bitext_limit: int | None = None,
    ) -> None:
        if symmetrization not in METHODS:
            raise ValueError(f"unknown symmetrisation {symmetrization!r} (use one of {', '.join(METHODS)})")
        self.symmetrization = symmetrization
        self.lowercase = lowercase
        self.bitext = list(bitext)
        self.model = model
        self.n_iterations = n_iterations
        self.n_samplers = n_samplers
        self.null_prior = null_prior
        self.prefix_len = prefix_len
        self.priors = priors
        self.bitext_limit = bitext_limit
        self._bitext_cache: tuple[list[str], list[str]] | None = None

    def _bitext_lines(self) -> tuple[list[str], list[str]]:
        if self._bitext_cache is None:
            src_lines: list[str] = []
            tgt_lines: list[str] = []
            for item in self.bitext:
                a, b = item
                if isinstance(a, (str, os.PathLike)):
                    s, t = read_bitext(a, b, limit=self.bitext_limit)
                else:
                    s, t = list(a), list(b)
                src_lines.extend(_clean(x, self.lowercase) for x in s)
                tgt_lines.extend(_clean(x, self.lowercase) for x in t)
            self._bitext_cache = (src_lines, tgt_lines)
        return self._bitext_cache

    def directional(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> tuple[list[Alignment], list[Alignment]]:
        """Forward and reverse alignments (both as source→target links)."""
        check_batch(src, tgt)
        try:
            import eflomal
        except ImportError:  # pragma: no cover - eflomal is a core dependency
            raise ModelError("eflomal is not installed: pip install eflomal") from None
        n = len(src)
        extra_src, extra_tgt = self._bitext_lines()
        src_lines = [_clean(s, self.lowercase) for s in src] + extra_src
        tgt_lines = [_clean(t, self.lowercase) for t in tgt] + extra_tgt
        kw = {}
        if self.prefix_len:
            kw = dict(source_prefix_len=self.prefix_len, target_prefix_len=self.prefix_len)
        aligner = eflomal.Aligner(model=self.model, n_iterations=self.n_iterations,
                                  n_samplers=self.n_samplers, null_prior=self.null_prior, **kw)
        with tempfile.TemporaryDirectory(prefix="projner-eflomal-") as tmp:
            fwd, rev = Path(tmp, "fwd"), Path(tmp, "rev")
            priors = open(self.priors, encoding="utf-8") if self.priors else None
            try:
                aligner.align(src_lines, tgt_lines, links_filename_fwd=str(fwd), links_filename_rev=str(rev),
                              priors_input=priors, quiet=True)
            finally:
                if priors:
                    priors.close()
            forward = _read_links(fwd, n)
            reverse = _read_links(rev, n)
        return forward, reverse

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        if not len(src):
            return []
        forward, reverse = self.directional(src, tgt)
        return [symmetrize(f, r, self.symmetrization) for f, r in zip(forward, reverse)]


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
