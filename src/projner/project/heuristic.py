"""Heuristic projection: follow each source entity's links, group the aligned
target words into contiguous runs, merge nearby runs, keep the runs whose length
relative to the entity passes a threshold."""

from __future__ import annotations

from dataclasses import dataclass


from ..types import Alignment, Sentence, Span
from .longspan import LONG_SPAN_MIN, is_long, project_long_spans
from .resolve import resolve_overlaps


@dataclass(frozen=True)
class HeuristicOptions:
    """Options of :func:`project_heuristic`.

    merge_distance: runs separated by at most this many unaligned-to-the-entity
        target words are merged into one (``1`` bridges ``Parlament des Europas``-style gaps).
    min_ratio: a run is kept when ``len(run) / len(entity) >= min_ratio``.
    keep: ``longest`` keeps only the longest surviving run per entity,
        ``all`` keeps every surviving run (the same label is projected several times).
    skip_punctuation: target runs do not start or end on punctuation.
    long_spans: source spans of at least this many tokens are clauses, not names:
        projected as the contiguous aligned region extended to clause boundaries
        (:mod:`projner.project.longspan`); ``0`` = never.
    """

    merge_distance: int = 1
    min_ratio: float = 0.0
    keep: str = "longest"
    skip_punctuation: bool = True
    long_spans: int = LONG_SPAN_MIN


def _is_punct(tok: str) -> bool:
    return not any(c.isalnum() for c in tok)


def runs(indices, merge_distance: int) -> list[tuple[int, int]]:
    """Group sorted unique indices into ``[start, end)`` runs, bridging gaps of
    at most ``merge_distance`` missing indices (plain Python: a sentence has few links)."""
    out: list[list[int]] = []
    for j in (int(x) for x in indices):
        if out and j - out[-1][1] <= merge_distance:
            out[-1][1] = j + 1
        else:
            out.append([j, j + 1])
    return [(a, b) for a, b in out]


def project_heuristic(
    source: Sentence,
    target: Sentence,
    alignment: Alignment,
    options: HeuristicOptions | None = None,
    **kwargs,
) -> Sentence:
    """Project ``source.spans`` onto ``target.tokens`` through ``alignment``.

    Returns a new target :class:`Sentence` whose spans carry a score: the share of
    the entity's source tokens that are aligned into the projected run.
    """
    opt = options or HeuristicOptions(**kwargs)
    n_tgt = len(target)
    if not source.spans or not len(alignment) or not n_tgt:
        return target.with_spans(())
    alignment.check_bounds(len(source), n_tgt)
    # plain Python beats numpy on the few links of one sentence
    by_src: dict[int, list[int]] = {}
    for i, j in alignment.links.tolist():
        by_src.setdefault(i, []).append(j)
    tokens = target.tokens
    long = [e for e in source.spans if is_long(e, source.tokens, opt.long_spans)]
    proposals: list[Span] = project_long_spans(source.tokens, tokens, long, by_src) if long else []
    for ent in source.spans:
        if long and is_long(ent, source.tokens, opt.long_spans):
            continue
        linked: dict[int, set[int]] = {}
        for i in range(ent.start, ent.end):
            for j in by_src.get(i, ()):
                linked.setdefault(j, set()).add(i)
        if not linked:
            continue
        idx = sorted(linked)
        groups = runs(idx, opt.merge_distance)
        n_ent = ent.end - ent.start
        kept: list[tuple[float, int, int]] = []
        for start, end in groups:
            if opt.skip_punctuation:
                while start < end and _is_punct(tokens[start]):
                    start += 1
                while end > start and _is_punct(tokens[end - 1]):
                    end -= 1
                # a run whose linked words were all punctuation keeps none of them: drop it
                if start >= end or not any(start <= j < end for j in idx):
                    continue
            if (end - start) / n_ent < opt.min_ratio:
                continue
            covered: set[int] = set()
            for j in idx:
                if start <= j < end:
                    covered |= linked[j]
            kept.append((len(covered) / n_ent, start, end))
        if not kept:
            continue
        if opt.keep == "longest":
            kept = [max(kept, key=lambda k: (k[2] - k[1], k[0], -k[1]))]
        for covered, start, end in kept:
            proposals.append(Span(start, end, ent.label, float(covered)))
    return target.with_spans(resolve_overlaps(proposals))
