"""Lexical links for what statistics miss on names: identical and near-identical
tokens (case-folded, accent-folded, edit similarity) and numbers, compared through
their cores (:mod:`projner.text.affixes`: ``kwaZulu`` ~ ``Zulu``, ``I-EU`` ~ ``EU``,
``ngo-1996`` ~ ``1996``, ``Londonban`` ~ ``London``)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..text.affixes import cores, score_cores
from ..text.similarity import edit_similarity, fold, prefix_similarity, token_similarity
from ..text.similarity import is_number as _is_number
from ..text.similarity import is_word as _is_word
from ..types import Alignment
from .base import Tokens, check_batch

__all__ = ["LexicalAligner", "fold", "edit_similarity", "prefix_similarity", "token_similarity"]


class LexicalAligner:
    """Links source and target tokens that are (nearly) the same string.

    A pair is linked when the folded tokens are identical (numbers and words with
    a capital letter or at least ``min_length`` characters), or when their edit /
    prefix similarity is at least ``threshold`` and the source token is capitalised
    (a name). Each source token keeps its best target match(es) and vice versa, so
    links stay one-to-one apart from exact ties, which are broken by relative position.
    Link scores are the similarities.
    """

    name = "lexical"

    def __init__(self, threshold: float = 0.75, min_length: int = 4, names_only: bool = True,
                 link_punctuation: bool = False) -> None:
        self.threshold = threshold
        self.min_length = min_length
        self.names_only = names_only
        self.link_punctuation = link_punctuation

    def _candidate(self, tok: str) -> bool:
        if _is_number(tok):
            return True
        if not _is_word(tok):
            return self.link_punctuation
        if self.names_only:
            return tok[:1].isupper() or len(tok) >= self.min_length and any(c.isupper() for c in tok)
        return len(tok) >= 2

    def align_one(self, src: Tokens, tgt: Tokens) -> Alignment:
        n, m = len(src), len(tgt)
        if not n or not m:
            return Alignment()
        sim = np.zeros((n, m), dtype=np.float32)
        ctgt = [cores(t) for t in tgt]
        first_t = [{f[:1] for f, _ in c} for c in ctgt]
        for i, s in enumerate(src):
            if not self._candidate(s):
                continue
            cs = cores(s)
            if not _is_word(s):  # punctuation (link_punctuation): identical tokens only
                for j, t in enumerate(tgt):
                    if cs[0][0] == ctgt[j][0][0]:
                        sim[i, j] = 1.0
                continue
            first = {f[:1] for f, _ in cs}
            for j, ct in enumerate(ctgt):
                if first.isdisjoint(first_t[j]):
                    continue
                sc = score_cores(cs, ct, self.min_length, self.names_only)
                if sc >= self.threshold:
                    sim[i, j] = sc
        if not sim.any():
            return Alignment()
        # relative-position tie breaker
        pos = 1.0 - np.abs(np.arange(n)[:, None] / max(n, 1) - np.arange(m)[None, :] / max(m, 1))
        score = sim + 1e-3 * pos * (sim > 0)
        best_t = score.max(axis=1, keepdims=True)
        best_s = score.max(axis=0, keepdims=True)
        keep = (score > 0) & (score >= best_t) & (score >= best_s)
        idx = np.argwhere(keep)
        return Alignment(idx, sim[idx[:, 0], idx[:, 1]])

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        return [self.align_one(s, t) for s, t in zip(src, tgt)]
