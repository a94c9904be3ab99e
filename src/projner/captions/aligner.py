"""An aligner that links words through a caption-induced bilingual lexicon.

Registered as ``caption-lexicon``: ``build_aligner("eflomal|caption-lexicon",
{"caption-lexicon": {"lexicon": "lexicon.tsv"}})`` adds lexicon links to the
statistical ones (``|`` union keeps both; ``+`` lets lexicon links override).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from ..align.base import Tokens, check_batch
from ..options import Flag, Options, Unit, parse_options
from ..types import Alignment
from .lexicon import Lexicon

__all__ = ["CaptionLexiconAligner", "CaptionLexiconOptions", "caption_lexicon", "load_lexicon"]


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Lexicon:
    return Lexicon.load(path)


def load_lexicon(lexicon: "str | os.PathLike | Lexicon") -> Lexicon:
    """A :class:`Lexicon` object as is, or one read (and cached) from a TSV path."""
    if isinstance(lexicon, Lexicon):
        return lexicon
    p = os.fspath(lexicon)
    try:
        mtime = os.path.getmtime(p)
    except OSError:
        mtime = -1.0  # Lexicon.load raises the located "file not found"
    return _load(p, mtime)


class CaptionLexiconAligner:
    """Links source token ``i`` to target token ``j`` when the lexicon scores the
    (lower-cased) pair at least ``threshold``; each token keeps only its best
    match(es) in both directions (ties broken by relative position), so links stay
    mostly one-to-one. Link scores are the lexicon scores.

    Parameters: lexicon (TSV path or :class:`Lexicon`), threshold (default 0.2),
    mutual (keep only mutually best pairs, default true).
    """

    name = "caption-lexicon"

    def __init__(self, lexicon: "str | os.PathLike | Lexicon", threshold: float = 0.2, mutual: bool = True) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be in [0, 1]")
        self._lexicon = lexicon  # read on first use
        self.threshold = threshold
        self.mutual = mutual

    @property
    def lexicon(self) -> Lexicon:
        if not isinstance(self._lexicon, Lexicon):
            self._lexicon = load_lexicon(self._lexicon)
        return self._lexicon

    def align_one(self, src: Tokens, tgt: Tokens) -> Alignment:
        n, m = len(src), len(tgt)
        if not n or not m:
            return Alignment()
        sim = self.lexicon.matrix(src, tgt)
        sim[sim < self.threshold] = 0.0
        if not sim.any():
            return Alignment()
        pos = 1.0 - np.abs(np.arange(n)[:, None] / n - np.arange(m)[None, :] / m)
        score = sim + 1e-3 * pos * (sim > 0)
        keep = (score > 0) & (score >= score.max(axis=1, keepdims=True))
        if self.mutual:
            keep &= score >= score.max(axis=0, keepdims=True)
        idx = np.argwhere(keep)
        return Alignment(idx, sim[idx[:, 0], idx[:, 1]])

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        return [self.align_one(s, t) for s, t in zip(src, tgt)]


class CaptionLexiconOptions(Options):
    lexicon: Any
    threshold: Unit = 0.2
    mutual: Flag = True


def caption_lexicon(shared: Any = None, **options: Any) -> CaptionLexiconAligner:
    """The registered ``caption-lexicon`` aligner (options: :class:`CaptionLexiconOptions`)."""
    return CaptionLexiconAligner(**parse_options(CaptionLexiconOptions, options, "aligner 'caption-lexicon'")
                                 .model_dump())


caption_lexicon.Options = CaptionLexiconOptions  # type: ignore[attr-defined]
