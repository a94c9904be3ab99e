"""Score matrices for candidate matching: one row per source entity, one column
per target candidate, values in [0, 1] per signal; the total is the weighted mean of the signals.

Signals:
- ``alignment``: Dice agreement of the links, ``(a_e + a_c) / (|e| + |c|)`` where
  ``a_e`` counts entity tokens linked into the candidate and ``a_c`` candidate
  tokens linked from the entity (target tokens with no link at all count
  ``unaligned_credit``; with ``linked_only``, ``|e|`` counts only the entity
  tokens that have a link). Link scores, when present, weight the links.
  The alignment agreement loses ``outside`` (0.3) × the share of the entity's
  link mass that lands on target words outside the candidate but before the
  nearest word linked only from elsewhere in the sentence: a candidate should
  hold every word the entity is linked to (English "chicken soup", both words
  linked to both "soupe" and "poulet" → "soupe au poulet", not "soupe", which the
  Dice alone prefers because each entity word already has a link inside it).
- ``lexical``: the same Dice over fuzzy string matches (case- and accent-folded
  identity, common-prefix similarity), for names that are copied or inflected.
- ``capital``: agreement of capitalisation at the first and last token.
- ``boundary``: 1 unless a candidate boundary looks wrong: a multi-token candidate
  that starts with a lowercase word (or ends with a short one, ≤ 3 letters) where
  the entity is capitalised (``los Países Bajos``, ``Industria , llamo``), or a
  capitalised word right outside the candidate that is unaligned or linked only
  from the entity (``Reino`` left of ``Unido``): −0.5 per bad side.
- ``length``: ``1 - |len(c) - len(e)| / max(len(c), len(e))``.

Extra scorers (e.g. a visual-context scorer) follow :class:`CandidateScorer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

from ..text.affixes import cores
from ..types import Pair, Span
from .candidates import Candidate


class CandidateScorer(Protocol):
    def __call__(self, pair: Pair, entities: Sequence[Span], candidates: Sequence[Candidate]) -> np.ndarray | None:
        """A (len(entities), len(candidates)) matrix of scores in [0, 1], or ``None``
        to abstain for this pair (then its weight is left out of the mean)."""
        ...


TIE = 1e-3  # tie-breaking weight, far below any real score difference


@dataclass(frozen=True)
class ScoreWeights:
    alignment: float = 1.0
    lexical: float = 0.25
    capital: float = 0.0
    boundary: float = 0.0
    length: float = 0.0
    unaligned_credit: float = 0.25
    linked_only: bool = True
    outside: float = 0.3
    extra: tuple = field(default=())  # ((weight, CandidateScorer), ...)


def _prefix_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    if n < 4:
        return 0.0
    return n / max(len(a), len(b))


def lexical_matrix(src_tokens: Sequence[str], tgt_tokens: Sequence[str], rows: np.ndarray) -> np.ndarray:
    """Fuzzy similarity between the source tokens ``rows`` and every target token."""
    ct = [cores(t) for t in tgt_tokens]
    words_t = [any(c.isalnum() for c in t) for t in tgt_tokens]
    sim = np.zeros((len(rows), len(tgt_tokens)), dtype=np.float32)
    for a, i in enumerate(rows):
        cs = cores(src_tokens[i])
        if not any(c.isalnum() for c in cs[0][0]):
            continue
        for j, c in enumerate(ct):
            if words_t[j]:
                # through the cores: kwaZulu ~ Zulu, I-EU ~ EU (an affix match scores 0.98 of a bare one)
                sim[a, j] = max((_prefix_sim(s, t) * (0.98 if k or m else 1.0)
                                 for k, (s, _) in enumerate(cs) for m, (t, _) in enumerate(c) if s[:1] == t[:1]),
                                default=0.0)
    return sim


def _dice(block: np.ndarray, starts: np.ndarray, ends: np.ndarray, col_extra: np.ndarray | None = None,
          n_rows: float | None = None) -> np.ndarray:
    """Dice agreement of an (|e| × m) evidence block in [0, 1] with every candidate
    ``[start, end)``: ``(Σ_rows max_in_window + Σ_window max_over_rows) / (|e| + |c|)``.

    ``col_extra`` adds partial credit for target columns (e.g. unaligned tokens);
    ``n_rows`` replaces ``|e|`` in the denominator (e.g. only the linked entity tokens).
    """
    rows, m = block.shape
    lens = ends - starts
    max_len = int(lens.max())
    # table[l - 1][:, s] = max(block[:, s:s + l]) for every window length l
    table = np.zeros((max_len, rows, m), dtype=np.float32)
    table[0] = block
    for l in range(2, max_len + 1):
        table[l - 1, :, : m - l + 1] = np.maximum(table[l - 2, :, : m - l + 1], block[:, l - 1 :])
    a_e = table[lens - 1, :, starts].sum(axis=1)
    col = block.max(axis=0)
    if col_extra is not None:
        col = np.maximum(col, col_extra)
    col_cum = np.concatenate([[0.0], np.cumsum(col, dtype=np.float64)])
    a_c = col_cum[ends] - col_cum[starts]
    return (a_e + a_c) / ((rows if n_rows is None else n_rows) + lens)


def linked_elsewhere_cols(L: np.ndarray, e: Span, n_src: int) -> np.ndarray:
    """Per target word, the strongest link from a source word outside the entity ``e``."""
    left = L[: e.start].max(axis=0) if e.start else 0
    right = L[e.end :].max(axis=0) if e.end < n_src else 0
    return np.maximum(left, right) + np.zeros(L.shape[1])


def _zone(free: np.ndarray, foreign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For candidate starts ``s`` and ends ``e`` (arrays indexed by boundary 0..m): ``lo[s]``
    is the first word after the last ``foreign`` word (linked elsewhere and not from the
    entity) before ``s``; ``hi[e]`` the first foreign word at or after ``e`` (or m)."""
    m = len(free)
    wall = foreign & free
    lo = np.zeros(m + 1, dtype=np.int64)
    last = 0
    for j in range(m + 1):
        lo[j] = last
        if j < m and wall[j]:
            last = j + 1
    hi = np.full(m + 1, m, dtype=np.int64)
    nxt = m
    for j in range(m, -1, -1):
        if j < m and wall[j]:
            nxt = j
        hi[j] = nxt
    return lo, hi


def _capitalised(tok: str) -> bool:
    return tok[:1].isupper()


def score_matrix(
    pair: Pair,
    candidates: Sequence[Candidate],
    weights: ScoreWeights = ScoreWeights(),
    link_matrix: np.ndarray | None = None,
    lex_matrix: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(total, alignment_agreement)`` matrices of shape (entities, candidates).

    ``link_matrix`` (source × target) and ``lex_matrix`` (source × target fuzzy
    similarities, see :func:`lexical_matrix`) are computed when not given.
    """
    src, tgt = pair.source, pair.target
    ents = src.spans
    E, C = len(ents), len(candidates)
    if not E or not C:
        return np.zeros((E, C)), np.zeros((E, C))
    cand = np.asarray(candidates, dtype=np.int64)
    starts, ends = cand[:, 0], cand[:, 1]
    if link_matrix is None:
        link_matrix = pair.alignment.to_matrix(len(src), len(tgt), use_scores=pair.alignment.scores is not None)
    L = link_matrix.astype(np.float32) if link_matrix.dtype == bool else np.clip(link_matrix, 0.0, 1.0)
    unlinked = (L.max(axis=0) == 0).astype(np.float32) * weights.unaligned_credit
    clen = (ends - starts).astype(np.float64)
    align = np.zeros((E, C))
    lex = np.zeros((E, C))
    cap = np.zeros((E, C))
    length = np.zeros((E, C))
    tgt_cap = np.fromiter((_capitalised(t) for t in tgt.tokens), dtype=bool, count=len(tgt))
    m = len(tgt)
    if weights.boundary:
        is_word = np.fromiter((any(c.isalpha() for c in t) for t in tgt.tokens), dtype=bool, count=m)
        lower_word = is_word & ~tgt_cap
        short_lower = lower_word & np.fromiter((len(t) <= 3 for t in tgt.tokens), dtype=bool, count=m)
        cap_word = is_word & tgt_cap
        words = cap_word, lower_word, short_lower, (ends - starts) > 1
    boundary = np.ones((E, C))
    for k, e in enumerate(ents):
        align[k] = _alignment_row(L, e, starts, ends, unlinked, weights, len(src))
        if weights.lexical:
            sim = (lex_matrix[e.start : e.end] if lex_matrix is not None
                   else lexical_matrix(src.tokens, tgt.tokens, np.arange(e.start, e.end)))
            if sim.any():
                lex[k] = _dice(sim, starts, ends)
        if weights.capital:
            src_cap = _capitalised(src.tokens[e.start]), _capitalised(src.tokens[e.end - 1])
            cap[k] = 0.5 * (tgt_cap[starts] == src_cap[0]) + 0.5 * (tgt_cap[ends - 1] == src_cap[1])
        if weights.boundary and src.tokens[e.start][:1].isupper():
            boundary[k] = _boundary_row(L, e, starts, ends, len(src), m, words)
        elen = e.end - e.start
        length[k] = 1.0 - np.abs(clen - elen) / np.maximum(clen, elen)
    return _combine(weights, pair, candidates, align, lex, cap, length, boundary), align


def _combine(weights: ScoreWeights, pair: Pair, candidates, align, lex, cap, length, boundary) -> np.ndarray:
    """The weighted mean of the signals (and of the extra scorers that do not abstain); 0 without evidence."""
    evidence = (align > 0) | (lex > 0)
    total = (weights.alignment * align + weights.lexical * lex + weights.capital * cap + weights.length * length
             + weights.boundary * boundary)
    norm = weights.alignment + weights.lexical + weights.capital + weights.length + weights.boundary
    for w, scorer in weights.extra:
        extra = scorer(pair, pair.source.spans, candidates)
        if extra is None:  # the scorer abstains for this pair (e.g. no image): not part of the mean
            continue
        total = total + w * np.asarray(extra, dtype=np.float64)
        norm += w
    return np.where(evidence, total / max(norm, 1e-9), 0.0)


def _alignment_row(L, e, starts, ends, unlinked, weights: ScoreWeights, n_src: int) -> np.ndarray:
    """Alignment agreement of entity ``e`` with every candidate (one row of ``align``)."""
    block = L[e.start : e.end]
    # unaligned target tokens get partial credit, only inside candidates the entity reaches
    # entity tokens without any link (dropped in translation, or part of a
    # compound that took one link) do not count against a candidate
    linked_rows = float((block.max(axis=1) > 0).sum()) if weights.linked_only else None
    agree = _dice(block, starts, ends, unlinked, linked_rows)
    # only candidates holding a word the entity links to count (unaligned credit alone does not)
    linked_cols = block.max(axis=0)
    hit = np.concatenate([[0], np.cumsum(linked_cols > 0)])
    # ties (one entity word linked to "Vereinigte Königreich": both n-grams score 1) go to
    # the candidate that leaves fewer of the entity's linked target words outside
    mass = np.concatenate([[0.0], np.cumsum(linked_cols, dtype=np.float64)])
    inside = mass[ends] - mass[starts]
    outside = (mass[-1] - inside) / max(mass[-1], 1e-9)
    penalty = TIE * outside
    if weights.outside:
        # links outside the candidate count only up to the nearest word that translates
        # another part of the sentence: beyond it they are strays (German compounds take
        # one word, "Structural Funds" -> "Strukturfonds", and "Funds" also links "Mitteln")
        lo, hi = _zone(linked_cols == 0, linked_elsewhere_cols(L, e, n_src) > 0)
        near = (mass[hi[ends]] - mass[lo[starts]] - inside) / max(mass[-1], 1e-9)
        penalty = penalty + weights.outside * near
    return np.where((hit[ends] - hit[starts]) > 0, np.maximum(agree - penalty, 0.0), 0.0)


def _boundary_row(L, e, starts, ends, n_src: int, m: int, words) -> np.ndarray:
    """Boundary signal of a name ``e`` for every candidate: lowercase edges are suspicious,
    capitalised neighbours left out too."""
    cap_word, lower_word, short_lower, multi = words
    linked_elsewhere = (L[: e.start].max(axis=0) if e.start else 0) + (
        L[e.end :].max(axis=0) if e.end < n_src else 0)
    orphan = cap_word & ~(np.asarray(linked_elsewhere) > 0)
    orphan[0] = False  # sentence-initial capitals say nothing
    left_bad = (multi & lower_word[starts]) | ((starts > 0) & orphan[np.maximum(starts - 1, 0)])
    right_bad = (multi & short_lower[ends - 1]) | ((ends < m) & orphan[np.minimum(ends, m - 1)])
    return 1.0 - 0.5 * left_bad - 0.5 * right_bad
