"""Core types: Span, Sentence, Alignment, Pair.

This module depends on nothing but numpy. Every annotation inside projner is a
list of spans over token offsets (end exclusive); tag schemes (IOB1, IOB2, BIOES)
exist only at the reading and writing boundary (``projner.io``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

import numpy as np

__all__ = ["Span", "Sentence", "Alignment", "Pair", "spans_to_iob2", "iob_to_spans"]


@dataclass(frozen=True, order=True)
class Span:
    """A labelled token range ``[start, end)``; ``score`` is optional confidence."""

    start: int
    end: int
    label: str
    score: float | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.start, (int, np.integer)) and isinstance(self.end, (int, np.integer))):
            raise TypeError("span offsets must be integers")
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end})")
        if not self.label:
            raise ValueError("span label must be a non-empty string")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end

    def with_label(self, label: str) -> "Span":
        return Span(self.start, self.end, label, self.score)


class Sentence:
    """An immutable tokenised sentence with entity spans.

    Spans are validated at construction: inside the sentence and, unless
    ``allow_overlap`` is set, not overlapping. They are kept sorted.
    """

    __slots__ = ("tokens", "spans", "meta")

    def __init__(
        self,
        tokens: Sequence[str],
        spans: Iterable[Span] = (),
        *,
        allow_overlap: bool = False,
        meta: dict | None = None,
    ) -> None:
        toks = tuple(tokens)
        for t in toks:
            if not isinstance(t, str):
                raise TypeError(f"tokens must be strings, got {type(t).__name__}")
        sp = tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label)))
        n = len(toks)
        for s in sp:
            if s.end > n:
                raise ValueError(f"span [{s.start}, {s.end}) {s.label} is outside a sentence of {n} tokens")
        if not allow_overlap:
            for a, b in zip(sp, sp[1:]):
                if a.overlaps(b):
                    raise ValueError(f"overlapping spans [{a.start}, {a.end}) and [{b.start}, {b.end})")
        object.__setattr__(self, "tokens", toks)
        object.__setattr__(self, "spans", sp)
        object.__setattr__(self, "meta", dict(meta) if meta else {})

    def __setattr__(self, key, value):  # pragma: no cover - immutability guard
        raise AttributeError("Sentence is immutable")

    def __len__(self) -> int:
        return len(self.tokens)

    def __reduce__(self):
        # slots + the immutability guard: pickle through the constructor
        return (_rebuild_sentence, (self.tokens, self.spans, self.meta))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sentence):
            return NotImplemented
        return self.tokens == other.tokens and self.spans == other.spans

    def __hash__(self) -> int:
        return hash((self.tokens, self.spans))

    def __repr__(self) -> str:
        return f"Sentence(tokens={list(self.tokens)!r}, spans={list(self.spans)!r})"

    def with_spans(self, spans: Iterable[Span]) -> "Sentence":
        return Sentence(self.tokens, spans, meta=self.meta)

    def text(self) -> str:
        return " ".join(self.tokens)

    def entity_text(self, span: Span) -> str:
        return " ".join(self.tokens[span.start : span.end])

    def tags(self) -> list[str]:
        """IOB2 tags over the tokens."""
        return spans_to_iob2(self.spans, len(self.tokens))


def _rebuild_sentence(tokens, spans, meta) -> Sentence:
    return Sentence(tokens, spans, allow_overlap=True, meta=meta)


def spans_to_iob2(spans: Iterable[Span], n: int) -> list[str]:
    tags = ["O"] * n
    for s in spans:
        tags[s.start] = "B-" + s.label
        for i in range(s.start + 1, s.end):
            tags[i] = "I-" + s.label
    return tags


def iob_to_spans(tags: Sequence[str], scheme: str = "auto") -> list[Span]:
    """Convert IOB1, IOB2 or BIOES tags to spans.

    ``scheme`` is ``iob1``, ``iob2``, ``bioes`` or ``auto``. Tags are assumed valid
    (see :func:`projner.io.tags.check_tags` for validation with messages); an ``I-``
    that does not continue an entity of the same type starts a new one (IOB1
    semantics), which is also what seqeval does for IOB2.
    """
    spans: list[Span] = []
    start = -1
    label = ""
    for i, tag in enumerate(tags):
        if tag == "O" or not tag:
            if start >= 0:
                spans.append(Span(start, i, label))
                start = -1
            continue
        prefix, _, lab = tag.partition("-")
        if prefix in ("B", "S") or (prefix in ("I", "E") and (start < 0 or lab != label)):
            if start >= 0:
                spans.append(Span(start, i, label))
            start, label = i, lab
        # I-/E- continuing the current entity: nothing to do
        if prefix in ("S", "E"):
            spans.append(Span(start, i + 1, label))
            start = -1
    if start >= 0:
        spans.append(Span(start, len(tags), label))
    return spans


class Alignment:
    """Word alignment links ``(source index, target index)``.

    ``links`` is an int32 array of shape (k, 2), kept sorted and unique;
    ``scores`` an optional float32 array of shape (k,); ``possible`` an optional
    bool array marking possible (as opposed to sure) links, as in gold standards.
    """

    __slots__ = ("links", "scores", "possible")

    def __init__(self, links=None, scores=None, possible=None) -> None:
        arr = np.asarray(links if links is not None else np.zeros((0, 2)), dtype=np.int64)
        if arr.size == 0:
            arr = arr.reshape(0, 2)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError("alignment links must have shape (k, 2)")
        if (arr < 0).any():
            raise ValueError("alignment indices must be non-negative")
        sc = None if scores is None else np.asarray(scores, dtype=np.float32).reshape(-1)
        po = None if possible is None else np.asarray(possible, dtype=bool).reshape(-1)
        for name, extra in (("scores", sc), ("possible", po)):
            if extra is not None and extra.shape[0] != arr.shape[0]:
                raise ValueError(f"alignment {name} must have one value per link")
        # sort and deduplicate (keep max score, sure wins over possible)
        if arr.shape[0]:
            key = arr[:, 0] * (int(arr[:, 1].max()) + 1) + arr[:, 1]
            order = np.lexsort((-(sc if sc is not None else np.zeros(len(arr))), key))
            key, arr = key[order], arr[order]
            sc = sc[order] if sc is not None else None
            if po is not None:
                po = po[order]
            first = np.ones(len(key), dtype=bool)
            first[1:] = key[1:] != key[:-1]
            if po is not None:
                # a link is possible only if every duplicate says so
                groups = np.cumsum(first) - 1
                all_possible = np.ones(int(groups[-1]) + 1, dtype=bool)
                np.logical_and.at(all_possible, groups, po)
                po = all_possible
            arr = arr[first]
            sc = sc[first] if sc is not None else None
        self.links = arr.astype(np.int32)
        self.scores = sc
        self.possible = po

    # construction -------------------------------------------------------
    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[int, int]], scores=None) -> "Alignment":
        return cls(list(pairs), scores)

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, scores: np.ndarray | None = None) -> "Alignment":
        idx = np.argwhere(matrix)
        sc = None if scores is None else scores[idx[:, 0], idx[:, 1]] if len(idx) else np.zeros(0)
        return cls(idx, sc)

    # views --------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.links.shape[0])

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(map(tuple, self.links.tolist()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Alignment):
            return NotImplemented
        return np.array_equal(self.links, other.links)

    def __repr__(self) -> str:
        return f"Alignment({self.pairs()})"

    def pairs(self) -> list[tuple[int, int]]:
        return [tuple(x) for x in self.links.tolist()]

    def sure(self) -> "Alignment":
        if self.possible is None:
            return self
        keep = ~self.possible
        return Alignment(self.links[keep], None if self.scores is None else self.scores[keep])

    def to_matrix(self, n_src: int, n_tgt: int, *, use_scores: bool = False) -> np.ndarray:
        self.check_bounds(n_src, n_tgt)
        if use_scores:
            m = np.zeros((n_src, n_tgt), dtype=np.float32)
            m[self.links[:, 0], self.links[:, 1]] = 1.0 if self.scores is None else self.scores
        else:
            m = np.zeros((n_src, n_tgt), dtype=bool)
            m[self.links[:, 0], self.links[:, 1]] = True
        return m

    def check_bounds(self, n_src: int, n_tgt: int) -> None:
        if len(self) and (self.links[:, 0].max() >= n_src or self.links[:, 1].max() >= n_tgt):
            bad = self.links[(self.links[:, 0] >= n_src) | (self.links[:, 1] >= n_tgt)][0]
            raise ValueError(
                f"link {bad[0]}-{bad[1]} is out of range for {n_src} source and {n_tgt} target tokens"
            )

    # algebra ------------------------------------------------------------
    def transpose(self) -> "Alignment":
        return Alignment(self.links[:, ::-1], self.scores, self.possible)

    def union(self, other: "Alignment") -> "Alignment":
        sc = None
        if self.scores is not None or other.scores is not None:
            a = self.scores if self.scores is not None else np.ones(len(self), np.float32)
            b = other.scores if other.scores is not None else np.ones(len(other), np.float32)
            sc = np.concatenate([a, b])
        return Alignment(np.concatenate([self.links, other.links]), sc)

    def intersection(self, other: "Alignment") -> "Alignment":
        if not len(self) or not len(other):
            return Alignment()
        theirs = {tuple(x) for x in other.links.tolist()}
        keep = np.array([tuple(x) in theirs for x in self.links.tolist()], dtype=bool)
        return Alignment(self.links[keep], None if self.scores is None else self.scores[keep])

    def difference(self, other: "Alignment") -> "Alignment":
        theirs = {tuple(x) for x in other.links.tolist()}
        keep = np.array([tuple(x) not in theirs for x in self.links.tolist()], dtype=bool)
        if not len(self):
            return Alignment()
        return Alignment(self.links[keep], None if self.scores is None else self.scores[keep])

    def compose(self, other: "Alignment") -> "Alignment":
        """``self`` maps A→B, ``other`` maps B→C; the result maps A→C."""
        if not len(self) or not len(other):
            return Alignment()
        by_b: dict[int, list[int]] = {}
        for b, c in other.links.tolist():
            by_b.setdefault(b, []).append(c)
        out = [(a, c) for a, b in self.links.tolist() for c in by_b.get(b, ())]
        return Alignment(out)

    def targets_of(self, src_indices: Iterable[int]) -> np.ndarray:
        """Sorted unique target indices linked to any of ``src_indices``."""
        s = np.fromiter(src_indices, dtype=np.int64)
        if not len(self) or not len(s):
            return np.zeros(0, dtype=np.int64)
        mask = np.isin(self.links[:, 0], s)
        return np.unique(self.links[mask, 1])


@dataclass
class Pair:
    """A parallel pair: labelled source sentence, target sentence, optional alignment."""

    source: Sentence
    target: Sentence
    alignment: Alignment | None = None
    meta: dict = field(default_factory=dict)
