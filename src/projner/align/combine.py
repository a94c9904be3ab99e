"""Combining aligners: union, intersection, lexical-augmented."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..types import Alignment
from .base import Aligner, Tokens, check_batch

COMBINATIONS = ("union", "intersection", "augment")


def augment(base: Alignment, extra: Alignment) -> Alignment:
    """Add ``extra`` links; source and target tokens that ``extra`` links lose
    their other ``base`` links (a confident lexical match overrides statistics)."""
    if not len(extra):
        return base
    if not len(base):
        return extra
    es = np.unique(extra.links[:, 0])
    et = np.unique(extra.links[:, 1])
    keep = ~(np.isin(base.links[:, 0], es) | np.isin(base.links[:, 1], et))
    kept = Alignment(base.links[keep], None if base.scores is None else base.scores[keep])
    return kept.union(extra)


def combine_alignments(alignments: Sequence[Alignment], method: str) -> Alignment:
    if method not in COMBINATIONS:
        raise ValueError(f"unknown combination {method!r} (use one of {', '.join(COMBINATIONS)})")
    out = alignments[0]
    for a in alignments[1:]:
        if method == "union":
            out = out.union(a)
        elif method == "intersection":
            out = out.intersection(a)
        else:
            out = augment(out, a)
    return out


class CombinedAligner:
    """Runs several aligners on the same batch and combines their links.

    ``augment``: the first aligner's links, overridden and completed by the next
    ones' (typical: statistical first, lexical second).
    """

    def __init__(self, members: Sequence[Aligner], method: str = "augment") -> None:
        if method not in COMBINATIONS:
            raise ValueError(f"unknown combination {method!r} (use one of {', '.join(COMBINATIONS)})")
        if not members:
            raise ValueError("a combination needs at least one aligner")
        self.members = list(members)
        self.method = method
        self.name = f"{method}(" + ",".join(getattr(m, "name", "?") for m in members) + ")"

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        results = [m.align(src, tgt) for m in self.members]
        return [combine_alignments([r[i] for r in results], self.method) for i in range(len(src))]
