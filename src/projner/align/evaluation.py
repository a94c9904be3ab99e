"""Word-alignment quality against gold with sure and possible links (pure functions).

With predicted links A, sure gold links S and possible gold links P (P includes S;
links marked possible in the gold are added to S to form P):

- precision = |A ∩ P| / |A|
- recall    = |A ∩ S| / |S|
- AER       = 1 − (|A ∩ S| + |A ∩ P|) / (|A| + |S|)   (Och & Ney 2003)
- F1        = harmonic mean of precision and recall

Counts are summed over the corpus before dividing (micro average), as in the
WPT shared tasks and SimAlign / awesome-align evaluations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from ..types import Alignment

__all__ = ["AlignmentScores", "alignment_counts", "score_alignments", "sure_possible_sets"]


@dataclass
class AlignmentScores:
    precision: float
    recall: float
    f1: float
    aer: float
    predicted: int
    sure: int
    possible: int
    hit_sure: int
    hit_possible: int
    sentences: int

    def as_dict(self) -> dict:
        return asdict(self)


def sure_possible_sets(gold: Alignment) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(S, P) with P ⊇ S."""
    pairs = [tuple(x) for x in gold.links.tolist()]
    if gold.possible is None:
        s = set(pairs)
        return s, set(s)
    s = {p for p, poss in zip(pairs, gold.possible.tolist()) if not poss}
    return s, set(pairs)


def alignment_counts(gold: Alignment, pred: Alignment) -> tuple[int, int, int, int, int]:
    """(|A|, |S|, |P|, |A∩S|, |A∩P|) for one sentence; predicted possible marks are ignored."""
    s, p = sure_possible_sets(gold)
    a = {tuple(x) for x in pred.links.tolist()}
    return len(a), len(s), len(p), len(a & s), len(a & p)


def score_alignments(gold: Sequence[Alignment] | Iterable[Alignment],
                     pred: Sequence[Alignment] | Iterable[Alignment]) -> AlignmentScores:
    """Corpus-level precision, recall, F1 and AER; ``gold`` and ``pred`` are parallel."""
    gold, pred = list(gold), list(pred)
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold alignments but {len(pred)} predicted alignments")
    na = ns = np_ = hs = hp = 0
    for g, a in zip(gold, pred):
        c = alignment_counts(g, a)
        na += c[0]
        ns += c[1]
        np_ += c[2]
        hs += c[3]
        hp += c[4]
    precision = hp / na if na else 0.0
    recall = hs / ns if ns else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    aer = 1.0 - (hs + hp) / (na + ns) if na + ns else 0.0
    return AlignmentScores(precision, recall, f1, aer, na, ns, np_, hs, hp, len(gold))
