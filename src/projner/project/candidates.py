"""Target candidate extraction for candidate-matching projection.

A candidate extractor is any callable ``(target: Sentence) -> list[(start, end)]``.
The default enumerates n-grams up to a maximum length that neither cross nor start
or end on sentence punctuation. A tagger-based extractor (spans of any tagger, labels
dropped) lives with the taggers in :mod:`projner.ner`.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

from ..types import Sentence

Candidate = tuple[int, int]

# punctuation that never sits inside a name ("Procter & Gamble", "Jean-Luc", "O'Neill" keep & - ')
BREAK_PUNCT = frozenset(
    ".,;:!?()[]{}\"«»“”„‟‹›—–…/|"
    "。、，；：！？（）「」『』【】《》"
)


def is_break(tok: str, breaks: frozenset = BREAK_PUNCT) -> bool:
    return tok in breaks or (len(tok) > 1 and all(c in breaks for c in tok))


def is_punct(tok: str) -> bool:
    return not any(c.isalnum() for c in tok)


class CandidateExtractor(Protocol):
    def __call__(self, target: Sentence) -> list[Candidate]: ...


def ngram_candidates(
    tokens: Sequence[str], max_len: int, anchors: np.ndarray | None = None,
    breaks: frozenset = BREAK_PUNCT,
) -> list[Candidate]:
    """All n-grams of 1..max_len tokens that do not contain break punctuation and do
    not start or end on punctuation. With ``anchors`` (a bool mask over tokens), only
    n-grams containing at least one anchor token are returned. ``breaks`` is the set
    of punctuation an n-gram may not cross."""
    n = len(tokens)
    if not n:
        return []
    brk = np.fromiter((is_break(t, breaks) for t in tokens), dtype=bool, count=n)
    pun = np.fromiter((is_punct(t) for t in tokens), dtype=bool, count=n)
    brk_cum = np.concatenate([[0], np.cumsum(brk)])
    anc_cum = None if anchors is None else np.concatenate([[0], np.cumsum(anchors)])
    out: list[Candidate] = []
    for start in range(n):
        if pun[start]:
            continue
        stop = min(n, start + max_len)
        for end in range(start + 1, stop + 1):
            if brk_cum[end] - brk_cum[start]:
                break
            if pun[end - 1]:
                continue
            if anc_cum is not None and anc_cum[end] == anc_cum[start]:
                continue
            out.append((start, end))
    return out


class NgramExtractor:
    """All n-grams up to ``max_len`` tokens (see :func:`ngram_candidates`)."""

    def __init__(self, max_len: int = 8) -> None:
        if max_len < 1:
            raise ValueError("max_len must be at least 1")
        self.max_len = max_len

    def __call__(self, target: Sentence) -> list[Candidate]:
        return ngram_candidates(target.tokens, self.max_len)


class SpanExtractor:
    """Candidates from the target sentence's own spans (labels dropped), e.g. from a
    candidate tagger or a pre-annotated file."""

    def __call__(self, target: Sentence) -> list[Candidate]:
        return sorted({(s.start, s.end) for s in target.spans})


ExtractorFactory = Callable[..., CandidateExtractor]
