"""Combining the predictions of several transfer pipelines (e.g. translate-train
and translate-test) on the same target sentences: entity-level voting.

The rule (:func:`vote_entities`), sentence by sentence:

1. Every predicted entity (start, end, label) gets the summed weight of the
   members that predicted exactly it (default weight 1 per member).
2. Entities with at least ``min_votes`` are accepted (default: more than half of
   the total weight, i.e. a strict majority; with 2 members, both).
3. Overlapping accepted entities are resolved greedily: more votes first; on a
   tie, the entity of the member listed first (the priority order); then the
   longer, then the earlier entity.

With ``min_votes`` at most half of the total weight, entities that only one side
found survive, and rule 3 settles the conflicts between them: a union with a
priority order.
"""

from __future__ import annotations

from typing import Sequence

from .errors import InputError
from .types import Sentence, Span

__all__ = ["vote_entities", "vote_sentence"]


def vote_sentence(members: Sequence[Sequence[Span]], weights: Sequence[float], min_votes: float) -> list[Span]:
    """The entities of one sentence that pass the vote (module doc)."""
    votes: dict[tuple[int, int, str], float] = {}
    first: dict[tuple[int, int, str], int] = {}
    for m, spans in enumerate(members):
        for s in {(s.start, s.end, s.label) for s in spans}:
            votes[s] = votes.get(s, 0.0) + weights[m]
            first.setdefault(s, m)
    ranked = sorted((k for k, v in votes.items() if v >= min_votes - 1e-9),
                    key=lambda k: (-votes[k], first[k], -(k[1] - k[0]), k[0]))
    taken: list[Span] = []
    for start, end, label in ranked:
        cand = Span(start, end, label, round(votes[(start, end, label)] / sum(weights), 6))
        if not any(cand.overlaps(t) for t in taken):
            taken.append(cand)
    return sorted(taken, key=lambda s: s.start)


def vote_entities(members: Sequence[Sequence[Sentence]], weights: Sequence[float] | None = None,
                  min_votes: float | None = None) -> list[Sentence]:
    """Combine the predictions of several systems on the same sentences (module doc).

    ``members``: one list of predicted sentences per system, all with the same
    sentences and tokens, in priority order. ``weights``: one per member (default 1).
    ``min_votes``: accepted from this summed weight (default: a strict majority)."""
    if not members:
        raise InputError("nothing to combine: give at least one set of predictions")
    n = len(members[0])
    weights = [1.0] * len(members) if weights is None else [float(w) for w in weights]
    if len(weights) != len(members):
        raise InputError(f"{len(weights)} weights for {len(members)} sets of predictions")
    if any(w <= 0 for w in weights):
        raise InputError("ensemble weights must be positive")
    total = sum(weights)
    if min_votes is None:
        min_votes = total / 2 + 1e-6  # a strict majority
    if min_votes <= 0 or min_votes > total + 1e-9:
        raise InputError(f"min_votes must be in (0, {total:g}] (the total weight), not {min_votes:g}")
    for k, m in enumerate(members):
        if len(m) != n:
            raise InputError(f"prediction set {k + 1} has {len(m)} sentences, the first has {n}")
    out = []
    for i in range(n):
        sents = [m[i] for m in members]
        for k, s in enumerate(sents[1:], 2):
            if len(s.tokens) != len(sents[0].tokens):
                raise InputError(f"sentence {i + 1}: prediction set {k} has {len(s.tokens)} tokens, "
                                 f"the first has {len(sents[0].tokens)}")
        out.append(sents[0].with_spans(vote_sentence([s.spans for s in sents], weights, min_votes)))
    return out
