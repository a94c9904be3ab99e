"""Cleaner training data from projection: keep the sentences whose projection looks complete.

A projected sentence that lost one of its source entities teaches a tagger that the
entity's words are ``O``; a span with a low projection score is often at the wrong
place. Following Ebing & Glavaš (2025, "The Devil Is in the Word Alignment
Details"), a training corpus made by projection can leave such sentences out:

- ``drop_incomplete``: drop a sentence unless every source entity was projected
  (as many target spans as source entities, after label maps and ignored labels);
- ``min_span_score``: drop a sentence holding a projected span whose score is below
  this (scores: :mod:`projner.project`; heuristic: share of the entity's words
  covered; candidate matching: the matching score).

Sentences without source entities are kept (they teach ``O``). The filter is a
corpus step: ``projner project`` and ``translate-train`` apply it to what they write
and train on (the output is then no longer line-parallel to the input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from ..types import Sentence


@dataclass(frozen=True)
class SentenceFilter:
    drop_incomplete: bool = False
    min_span_score: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_span_score <= 1.0:
            raise ValueError("min_span_score must be in [0, 1]")

    @property
    def active(self) -> bool:
        return self.drop_incomplete or self.min_span_score > 0

    def keep(self, source: Sentence, projected: Sentence) -> bool:
        if self.drop_incomplete and len(projected.spans) < len(source.spans):
            return False
        if self.min_span_score > 0 and any((s.score if s.score is not None else 1.0) < self.min_span_score
                                           for s in projected.spans):
            return False
        return True

    def apply(self, sources: Iterable[Sentence], projected: Iterable[Sentence],
              stats: dict | None = None) -> Iterator[Sentence]:
        """The projected sentences this filter keeps; ``stats`` receives ``kept`` and ``dropped``."""
        st = stats if stats is not None else {}
        st.update(kept=0, dropped=0)
        for src, out in zip(sources, projected):
            if self.keep(src, out):
                st["kept"] += 1
                yield out
            else:
                st["dropped"] += 1


def filter_corpus(sources: Sequence[Sentence], projected: Sequence[Sentence],
                  flt: SentenceFilter) -> tuple[list[Sentence], int]:
    """``(kept sentences, number dropped)``."""
    st: dict = {}
    kept = list(flt.apply(sources, projected, st))
    return kept, st["dropped"]
