"""A lexical :class:`~projner.project.scoring.CandidateScorer` over a caption-induced lexicon.

For a source entity ``e`` and a target candidate ``c`` the score is the Dice-style
agreement of lexicon translations, like the alignment signal of candidate
matching: ``(Σ_{s∈e} max_{t∈c} L(s,t) + Σ_{t∈c} max_{s∈e} L(s,t)) / (|e| + |c|)``,
in [0, 1] because lexicon scores are. Names are rarely in a caption lexicon, so
this signal mostly helps with the common-noun parts of entities ("Bank",
"Gruppe", "Kommission"), and with MISC-like entities.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from ..options import Options, Unit, parse_options
from ..types import Pair, Span
from .aligner import load_lexicon
from .lexicon import Lexicon

__all__ = ["LexiconScorer", "window_agreement"]


def window_agreement(block: np.ndarray, candidates: Sequence[tuple[int, int]]) -> np.ndarray:
    """Dice agreement of an (|e| × m) similarity block with every candidate ``[start, end)``."""
    rows = block.shape[0]
    out = np.zeros(len(candidates), dtype=np.float64)
    if not rows or not block.any():
        return out
    col = block.max(axis=0)
    cum = np.concatenate([[0.0], np.cumsum(col, dtype=np.float64)])
    for k, (s, e) in enumerate(candidates):
        if e <= s:
            continue
        a_e = float(block[:, s:e].max(axis=1).sum())
        a_c = cum[e] - cum[s]
        out[k] = (a_e + a_c) / (rows + (e - s))
    return out


class LexiconScorer:
    """Scores (entity, candidate) pairs by lexicon translation agreement.

    ``LexiconScorer("lexicon.tsv")``; add it to candidate matching as an extra
    signal: ``ScoreWeights(extra=((0.3, scorer),))``.
    """

    def __init__(self, lexicon: "str | os.PathLike | Lexicon", threshold: float = 0.0) -> None:
        self.lexicon = load_lexicon(lexicon)
        self.threshold = threshold

    def __call__(self, pair: Pair, entities: Sequence[Span], candidates: Sequence[tuple[int, int]]) -> np.ndarray:
        out = np.zeros((len(entities), len(candidates)), dtype=np.float64)
        if not len(entities) or not len(candidates):
            return out
        src, tgt = pair.source.tokens, pair.target.tokens
        sim = self.lexicon.matrix(src, tgt)
        if self.threshold:
            sim[sim < self.threshold] = 0.0
        if not sim.any():
            return out
        for k, e in enumerate(entities):
            out[k] = window_agreement(sim[e.start : e.end], candidates)
        return np.clip(out, 0.0, 1.0)


class LexiconScorerOptions(Options):
    lexicon: str
    threshold: Unit = 0.0


def lexicon_scorer(**options: Any) -> LexiconScorer:
    """The registered ``lexicon`` scorer (options: :class:`LexiconScorerOptions`)."""
    return LexiconScorer(**parse_options(LexiconScorerOptions, options, "scorer 'lexicon'").model_dump())


lexicon_scorer.Options = LexiconScorerOptions  # type: ignore[attr-defined]
