"""Overlap resolution shared by the projectors."""

from __future__ import annotations

from typing import Iterable

from ..types import Span


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep a non-overlapping subset: highest score first, then longer, then earlier."""
    ordered = sorted(spans, key=lambda s: (-(s.score or 0.0), -(s.end - s.start), s.start, s.label))
    taken: list[Span] = []
    used = set()
    for s in ordered:
        cells = range(s.start, s.end)
        if any(i in used for i in cells):
            continue
        used.update(cells)
        taken.append(s)
    return sorted(taken)
