"""Refinement of projected spans: boundaries and labels that alignments get wrong.

Word alignments carry the *words* of an entity across, but target-language
annotation follows conventions the source does not show:

- **function words at the edges**: English "the Netherlands", "Group of the
  European People's Party" include "the"; the German / Spanish gold has
  "Niederlanden", "EVP-Fraktion" without "den" / "der". A projected span loses
  leading and trailing *function words* of the target language when the source
  entity's matching edge is a capitalised word, punctuation or a source
  function word (so "von Wogau" -> "von Wogau" and "competition policy" ->
  "política de competencia" stay whole). Function words are learnt, not listed:
  the lowercase words found in at least ``function_word_share`` of the target
  (resp. source) sentences of the corpus being projected (``fit``), which needs at
  least ``min_sentences`` sentences; otherwise nothing is trimmed.
- **relational adjectives**: a single lowercase word projected from a name
  ("Europe" -> "europäischen", "Community" -> "comunitarias") is an adjective,
  which CoNLL-style guidelines label MISC. It is relabelled ``adjective_label``
  when the corpus uses that label (words in caseless scripts are never lowercase).
- **names joined by a connector**: a span is extended over ``connector + name``
  words that the alignment left out (``Umoja`` → ``Umoja wa Mataifa`` for ``U.N.``;
  :mod:`projner.project.connectors`).
- **brackets**: a span that opens a bracket it does not close (or closes one it
  did not open) is extended over the adjacent closing (opening) brackets.

The refiner is a plain callable on (source, projected target, alignment); ``fit``
reads the corpus once for the function-word and label statistics. Unfitted, it
only balances brackets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..text.affixes import cores
from ..types import Alignment, Sentence, Span
from .connectors import CapitalShare, capitals_mark_names, join_connectors
from .longspan import LONG_SPAN_MIN, is_long

OPEN = {"(": ")", "[": "]", "{": "}"}
CLOSE = {v: k for k, v in OPEN.items()}


@dataclass(frozen=True)
class RefineOptions:
    """Options of :class:`Refiner` (all on by default; see the module text).

    trim_function_words: drop target function words at span edges.
    function_word_share: a lowercase word is a function word when it occurs in at
        least this share of the corpus's sentences.
    min_sentences: fewer sentences than this: no function words are learnt.
    adjective_label: label of single lowercase projected words (``None``: keep).
    adjective_from: the labels that ``adjective_label`` replaces.
    balance_brackets: extend spans over the brackets they leave unbalanced.
    join_connectors: extend spans over ``connector + name`` (:mod:`projner.project.connectors`).
    long_spans: spans projected from source spans of at least this many tokens are
        clauses, whose articles and particles belong to them: never trimmed (``0``:
        trim every span).
    """

    trim_function_words: bool = True
    function_word_share: float = 0.15
    min_sentences: int = 50
    adjective_label: str | None = "MISC"
    adjective_from: tuple[str, ...] = ("LOC", "ORG")
    balance_brackets: bool = True
    join_connectors: bool = True
    long_spans: int = LONG_SPAN_MIN

    def __post_init__(self) -> None:
        if not 0 < self.function_word_share <= 1:
            raise ValueError("function_word_share must be in (0, 1]")
        object.__setattr__(self, "adjective_from", tuple(self.adjective_from))


def is_lower(tok: str) -> bool:
    """A word that starts with a lowercase letter (never true in caseless scripts) and is
    not a name behind a short lowercase prefix (``eGoli``, ``kwaZulu``, ``wase-Iraq``)."""
    return bool(tok) and tok[0].islower() and len(cores(tok)) == 1


def function_words(sentences: Iterable[Sequence[str]], share: float, min_sentences: int) -> frozenset[str]:
    """Lowercase words occurring in at least ``share`` of ``sentences``."""
    df: Counter = Counter()
    n = 0
    for toks in sentences:
        n += 1
        df.update({t for t in toks if is_lower(t)})
    return _frequent(df, n, share, min_sentences)


def _frequent(df: Counter, n: int, share: float, min_sentences: int) -> frozenset[str]:
    if n < min_sentences:
        return frozenset()
    return frozenset(w for w, c in df.items() if c >= share * n)


@dataclass
class RefinerStats:
    """What :meth:`Refiner.fit` counts in a corpus, in a form that adds up: the
    statistics of a corpus read in parts (shards read on different machines) are the
    sum of the parts' (:meth:`add`), and :meth:`Refiner.fit_stats` learns from them
    exactly what ``fit`` learns from the whole corpus."""

    source_sentences: int = 0
    target_sentences: int = 0
    source_df: Counter = field(default_factory=Counter)  # lowercase word -> sentences it occurs in
    target_df: Counter = field(default_factory=Counter)
    source_caps: CapitalShare = field(default_factory=CapitalShare)
    target_caps: CapitalShare = field(default_factory=CapitalShare)
    labels: set = field(default_factory=set)

    @classmethod
    def count(cls, sources: Iterable[Sentence], targets: Iterable[Sentence]) -> "RefinerStats":
        st = cls()
        for toks in st.source_caps.tokens(st._source_tokens(sources)):
            st.source_sentences += 1
            st.source_df.update({t for t in toks if is_lower(t)})
        for toks in st.target_caps.tokens(t.tokens for t in targets):
            st.target_sentences += 1
            st.target_df.update({t for t in toks if is_lower(t)})
        return st

    def _source_tokens(self, sources: Iterable[Sentence]):
        for s in sources:
            self.labels.update(sp.label for sp in s.spans)
            yield s.tokens

    def add(self, other: "RefinerStats") -> "RefinerStats":
        self.source_sentences += other.source_sentences
        self.target_sentences += other.target_sentences
        self.source_df.update(other.source_df)
        self.target_df.update(other.target_df)
        for mine, theirs in ((self.source_caps, other.source_caps), (self.target_caps, other.target_caps)):
            mine.words += theirs.words
            mine.capitalised += theirs.capitalised
        self.labels |= other.labels
        return self


class Refiner:
    """Refine projected spans (see the module text)."""

    def __init__(self, options: RefineOptions | None = None) -> None:
        self.options = options or RefineOptions()
        self.target_fw: frozenset[str] = frozenset()
        self.source_fw: frozenset[str] = frozenset()
        self.labels: frozenset[str] | None = None
        self.capitals = True  # capitals mark names in the target (learnt by fit)

    def fit(self, sources: Iterable[Sentence], targets: Iterable[Sentence]) -> "Refiner":
        """Learn the function words of both sides and the corpus's label set."""
        return self.fit_stats(RefinerStats.count(sources, targets))

    def fit_stats(self, stats: RefinerStats) -> "Refiner":
        """:meth:`fit` from a corpus's counts (:class:`RefinerStats`, possibly added up from shards)."""
        o = self.options
        self.source_fw = _frequent(stats.source_df, stats.source_sentences, o.function_word_share, o.min_sentences)
        self.target_fw = _frequent(stats.target_df, stats.target_sentences, o.function_word_share, o.min_sentences)
        self.labels = frozenset(stats.labels)
        self.capitals = capitals_mark_names(stats.source_caps, stats.target_caps)
        return self

    # -- per sentence -------------------------------------------------------
    def _source_entity(self, source: Sentence, span: Span, links: Sequence[tuple[int, int]]) -> Span | None:
        best, best_n = None, 0
        for e in source.spans:
            if e.label != span.label:
                continue
            n = sum(1 for i, j in links if e.start <= i < e.end and span.start <= j < span.end)
            if n > best_n:
                best, best_n = e, n
        return best

    def _edge_allows_trim(self, tok: str) -> bool:
        return not is_lower(tok) or tok in self.source_fw or not any(c.isalpha() for c in tok)

    def _trim(self, tokens: Sequence[str], span: Span, src: Sentence, ent: Span | None,
              links: Sequence[tuple[int, int]]) -> tuple[int, int]:
        start, end = span.start, span.end
        if ent is None or not self.target_fw or is_long(ent, src.tokens, self.options.long_spans):
            return start, end
        # target words linked to a content word of the entity are never trimmed
        content = {j for i, j in links if ent.start <= i < ent.end and src.tokens[i] not in self.source_fw
                   and any(c.isalpha() for c in src.tokens[i])}

        def trimmable(j: int) -> bool:
            return tokens[j] in self.target_fw and j not in content

        first, last = src.tokens[ent.start], src.tokens[ent.end - 1]
        if self._edge_allows_trim(first) and tokens[start].lower() != first.lower():
            while start < end and trimmable(start):
                start += 1
        if self._edge_allows_trim(last) and tokens[end - 1].lower() != last.lower():
            while end > start and trimmable(end - 1):
                end -= 1
        return start, end

    @staticmethod
    def _balance(tokens: Sequence[str], start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
        """Extend ``[start, end)`` within ``[lo, hi)`` over the brackets it leaves open."""
        stack: list[str] = []
        unopened = 0
        for t in tokens[start:end]:
            if t in OPEN:
                stack.append(t)
            elif t in CLOSE:
                if stack and stack[-1] == CLOSE[t]:
                    stack.pop()
                else:
                    unopened += 1
        while stack and end < hi and tokens[end] == OPEN[stack[-1]]:
            stack.pop()
            end += 1
        while unopened and start > lo and tokens[start - 1] in OPEN:
            unopened -= 1
            start -= 1
        return start, end

    def __call__(self, source: Sentence, target: Sentence, alignment: Alignment | None = None) -> Sentence:
        o = self.options
        if not target.spans:
            return target
        tokens = target.tokens
        links = [] if alignment is None or not self.target_fw else [tuple(x) for x in alignment.links.tolist()]
        spans = list(target.spans)
        out: list[Span] = []
        relabel = o.adjective_label is not None and self.labels is not None and o.adjective_label in self.labels
        for k, sp in enumerate(spans):
            start, end = sp.start, sp.end
            ent = self._source_entity(source, sp, links)
            if o.trim_function_words:
                start, end = self._trim(tokens, sp, source, ent, links)
                if start >= end:
                    continue
            lo = out[-1].end if out else 0
            hi = spans[k + 1].start if k + 1 < len(spans) else len(tokens)
            if o.join_connectors and ent is not None:
                inside = {j for i, j in links if ent.start <= i < ent.end}
                outside = {j for i, j in links if not ent.start <= i < ent.end}
                start, end = join_connectors(tokens, start, end, lo, hi, inside, outside, self.target_fw,
                                             self.capitals)
            if o.balance_brackets:
                start, end = self._balance(tokens, start, end, lo, hi)
            label = sp.label
            if (relabel and end - start == 1 and label in o.adjective_from and is_lower(tokens[start])
                    and tokens[start] not in self.target_fw):
                label = o.adjective_label
            out.append(sp if (start, end, label) == (sp.start, sp.end, sp.label) else Span(start, end, label, sp.score))
        if len(out) == len(spans) and all(a is b for a, b in zip(out, spans)):
            return target  # nothing changed: no new Sentence
        return target.with_spans(out)
