"""Projection of long, clause-level spans (argument components, opinion clauses).

Names are short and their translations keep the words together, so candidate
matching with function-word trimming suits them. A clause of 15–40 words is
different: its translation reorders words inside it, some of its words stay
unaligned (articles, auxiliaries, punctuation attached differently), and one
or two links always stray into the rest of the sentence. What annotators mark
is the whole clause, from its first to its last word, usually between clause
punctuation. So a long span is projected as

1. the **aligned region**: the contiguous stretch of target words that best
   covers the words linked from the span — each target word linked from the span
   counts +1, each linked only from outside it −1, unlinked words 0 (a maximum-sum
   stretch, so a stray link far away, behind words of other clauses, is left out);
2. **extended over unlinked words**, up to the nearest word linked from outside
   the span or clause punctuation (the articles and particles that the alignment
   leaves out belong to the clause), on each side where the source span itself
   ends at a clause boundary (the sentence's edge or clause punctuation) or where
   the word that stops the growth translates the source word next to the span
   ("pero [la toxicidad …]" from "but [toxicity …]");
3. **punctuation at the edges as in the source**: the span's final ``.`` or ``,``
   is kept when the source span ends on punctuation, dropped otherwise; likewise
   at the start.

A span is long when it has at least ``min_tokens`` source tokens (names are
rarely that long, clauses rarely shorter) and fewer than half of its words are
capitalised (long names — "Committee on Regional Policy , Transport and Tourism"
— are titles; in caseless scripts length alone decides).
"""

from __future__ import annotations

from typing import Sequence

from ..types import Span
from .candidates import BREAK_PUNCT, is_break, is_punct

LONG_SPAN_MIN = 6
CLAUSE_END = frozenset(",;:.!?")


def is_long(span: Span, tokens: Sequence[str], min_tokens: int) -> bool:
    """A clause, not a name: at least ``min_tokens`` tokens, fewer than half of its words
    capitalised ("Committee on Regional Policy , Transport and Tourism" is a name; in
    caseless scripts length alone decides)."""
    if not min_tokens or span.end - span.start < min_tokens:
        return False
    words = [t for t in tokens[span.start : span.end] if t[:1].isalpha()]
    return 2 * sum(1 for t in words if t[:1].isupper()) < len(words)


def aligned_region(inside: Sequence[bool], outside: Sequence[float]) -> tuple[int, int] | None:
    """The maximum-sum stretch ``[start, end)`` with +1 for words linked from the
    span (``inside``), minus ``outside[j]`` for the others (1 for a word linked only
    from outside), 0 for the rest (the longest on ties); trimmed to start and end on
    a word linked from the span."""
    best, best_at = 0.0, None
    cur, cur_start = 0.0, 0
    for j, (i, o) in enumerate(zip(inside, outside)):
        v = 1.0 if i else -float(o)
        if cur < 0:
            cur, cur_start = 0.0, j
        cur += v
        if i and cur >= best:  # ties: the longer stretch (more of the span's words covered)
            best, best_at = cur, (cur_start, j + 1)
    if best_at is None:
        return None
    start, end = best_at
    while not inside[start]:
        start += 1
    return start, end


def _ends_clause(tok: str) -> bool:
    """Clause punctuation attached to a word ("colon," "tóxico;" in untokenised text)."""
    return len(tok) > 1 and tok[-1] in CLAUSE_END and any(c.isalnum() for c in tok)


def _grow(tokens: Sequence[str], edge: int, step: int, blocked: Sequence[bool]) -> int:
    """How far ``edge`` (the first index outside the span on that side) can move over
    words that are neither ``blocked`` (linked from outside the span) nor clause
    punctuation, nor past a word that carries clause punctuation; returns the new
    first index outside."""
    n = len(tokens)
    while 0 <= edge < n and not blocked[edge] and not is_break(tokens[edge]):
        if step < 0 and _ends_clause(tokens[edge]):
            break  # "tanto, [el VFL …]": the word before the clause stays outside
        if step > 0 and 0 < edge and _ends_clause(tokens[edge - 1]):
            break  # "[… de colon,] así como": nothing after the clause's own comma
        edge += step
    return edge


def _extend(tokens: Sequence[str], start: int, end: int, blocked: Sequence[bool],
            left: bool | set, right: bool | set, src_of: Sequence[set]) -> tuple[int, int]:
    """Grow ``[start, end)`` over unaligned words on each side that is ``True`` (a clause
    boundary), or, given the source neighbour's index as a set, when the word that stops
    the growth is linked from that neighbour (the gap lies between the neighbour's
    translation and the span's)."""
    new = _grow(tokens, start - 1, -1, blocked)
    if left is True or (new >= 0 and left and src_of[new] & left):
        start = new + 1
    new = _grow(tokens, end, 1, blocked)
    if right is True or (new < len(tokens) and right and src_of[new] & right):
        end = new
    return start, end


def _edge_punct(tokens: Sequence[str], start: int, end: int, src: Sequence[str], ent: Span,
                inside: Sequence[bool], blocked: Sequence[bool], lo: int, hi: int) -> tuple[int, int]:
    """Punctuation at the target edges as at the source edges."""
    if src[ent.end - 1] in CLAUSE_END:
        # the clause's own closing punctuation: the next one (unless linked from outside only)
        if end < hi and tokens[end] in CLAUSE_END and (inside[end] or not blocked[end]):
            end += 1
    else:
        while end - 1 > start and is_punct(tokens[end - 1]) and not inside[end - 1]:
            end -= 1
    if not is_punct(src[ent.start]):
        while start + 1 < end and is_punct(tokens[start]) and not inside[start]:
            start += 1
    return start, end


def project_long(src_tokens: Sequence[str], tokens: Sequence[str], ent: Span,
                 by_src: dict[int, list[int]]) -> tuple[int, int] | None:
    """Target ``[start, end)`` of the long source span ``ent`` (see the module text),
    or ``None`` when none of its words is linked. ``by_src`` maps source index to
    linked target indices."""
    m = len(tokens)
    inside = [False] * m
    outside = [False] * m
    for i, js in by_src.items():
        flags = inside if ent.start <= i < ent.end else outside
        for j in js:
            flags[j] = True
    if not any(is_break(t) for t in src_tokens[ent.start : ent.end - 1]):
        # a clause without punctuation of its own translates to one without: an unlinked
        # target break counts against the stretch like two words of another clause
        outside = [2.0 if is_break(t) else o for o, t in zip(outside, tokens)]
    region = aligned_region(inside, outside)
    if region is None:
        return None
    # links of source punctuation outside the span do not hold the span back: in
    # untokenised text the comma sits on a word and its link lands on a neighbour
    words_out = [False] * m
    for i, js in by_src.items():
        if not ent.start <= i < ent.end and not is_punct(src_tokens[i]):
            for j in js:
                words_out[j] = True
    blocked = [o and not i for i, o in zip(inside, words_out)]
    src_of: list[set] = [set() for _ in range(m)]
    for i, js in by_src.items():
        for j in js:
            src_of[j].add(i)
    # unaligned words are taken in on a side where the source span ends at a clause boundary
    # (sentence edge or clause punctuation, outside or as its own edge word), or where they
    # lie between the span and the translation of the source word next to it
    n = len(src_tokens)
    left = ent.start == 0 or is_break(src_tokens[ent.start - 1]) or is_break(src_tokens[ent.start]) or {ent.start - 1}
    right = ent.end == n or src_tokens[ent.end - 1] in CLAUSE_END or {ent.end}
    start, end = _extend(tokens, *region, blocked, left, right, src_of)
    return _edge_punct(tokens, start, end, src_tokens, ent, inside, blocked, 0, m)


def project_long_spans(src_tokens: Sequence[str], tokens: Sequence[str], spans: Sequence[Span],
                       by_src: dict[int, list[int]]) -> list[Span]:
    """Project every span of ``spans`` as a long span; score = share of its source
    tokens linked into the projection. Overlaps are left to the caller."""
    out = []
    for ent in spans:
        got = project_long(src_tokens, tokens, ent, by_src)
        if got is None:
            continue
        start, end = got
        covered = sum(1 for i in range(ent.start, ent.end) if any(start <= j < end for j in by_src.get(i, ())))
        out.append(Span(start, end, ent.label, round(covered / (ent.end - ent.start), 6)))
    return out
