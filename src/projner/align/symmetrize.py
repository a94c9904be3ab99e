"""Symmetrisation of forward and reverse alignments (Koehn et al. 2003).

``forward`` and ``reverse`` are both given as source→target links. Methods:
``intersection``, ``union``, ``grow-diag``, ``grow-diag-final``,
``grow-diag-final-and``.
"""

from __future__ import annotations


from ..types import Alignment

METHODS = ("intersection", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and", "forward", "reverse")
_NEIGHBOURS = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def symmetrize(forward: Alignment, reverse: Alignment, method: str = "grow-diag-final-and",
               n_src: int | None = None, n_tgt: int | None = None) -> Alignment:
    if method not in METHODS:
        raise ValueError(f"unknown symmetrisation {method!r} (use one of {', '.join(METHODS)})")
    if method == "forward":
        return forward
    if method == "reverse":
        return reverse
    f = set(forward.pairs())
    r = set(reverse.pairs())
    inter = f & r
    union = f | r
    if method == "intersection":
        return Alignment(sorted(inter))
    if method == "union":
        return Alignment(sorted(union))
    alignment = set(inter)
    src_aligned = {i for i, _ in alignment}
    tgt_aligned = {j for _, j in alignment}
    # grow-diag: add neighbouring union links that align a not-yet-aligned word
    added = True
    while added:
        added = False
        for i, j in sorted(alignment):
            for di, dj in _NEIGHBOURS:
                ni, nj = i + di, j + dj
                if (ni, nj) in union and (ni, nj) not in alignment and (ni not in src_aligned or nj not in tgt_aligned):
                    alignment.add((ni, nj))
                    src_aligned.add(ni)
                    tgt_aligned.add(nj)
                    added = True
    if method == "grow-diag":
        return Alignment(sorted(alignment))
    and_ = method == "grow-diag-final-and"
    for links in (sorted(f), sorted(r)):
        for i, j in links:
            if (i, j) in alignment:
                continue
            if and_:
                ok = i not in src_aligned and j not in tgt_aligned
            else:
                ok = i not in src_aligned or j not in tgt_aligned
            if ok:
                alignment.add((i, j))
                src_aligned.add(i)
                tgt_aligned.add(j)
    return Alignment(sorted(alignment))


def symmetrize_votes(directional: list[Alignment], method: str = "grow-diag-final-and") -> Alignment:
    """Symmetrise several directional alignments (forward and reverse of one or
    more aligner runs) by voting.

    With two alignments this is :func:`symmetrize`. With more, links that more
    than half of them share play the part of the intersection and links that at
    least half share the part of the union; ``method`` then grows from the first
    towards the second (``intersection`` / ``union`` return them directly).
    """
    if len(directional) == 2:
        return symmetrize(directional[0], directional[1], method)
    counts: dict[tuple[int, int], int] = {}
    for a in directional:
        for p in a.pairs():
            counts[p] = counts.get(p, 0) + 1
    half = len(directional) / 2
    sure = Alignment(sorted(p for p, v in counts.items() if v > half))
    likely = Alignment(sorted(p for p, v in counts.items() if v >= half))
    if method in ("intersection", "forward", "reverse"):
        return sure
    if method == "union":
        return likely
    return symmetrize(likely, sure, method)
