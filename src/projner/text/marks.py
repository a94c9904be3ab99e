"""Combining marks that a tokeniser split off their letters.

Some machine-translation pipelines tokenise a combining mark as a word of its own:
the NLLB Yorùbá translations of ``masakhaner_translate_train`` read ``wọ ́ n`` for
``wọ́n`` (every tone mark a separate token), while Yorùbá text written by people has
the marks on their letters. A tagger trained on the split form sees words that never
occur in real text. :func:`attach_marks` glues each token made only of combining marks
(Unicode category M) onto the token before it and composes the result (NFC);
:func:`attach_marks_sentence` does the same to a labelled sentence, keeping its spans
on the merged tokens. A mark that split a word in two (``lọ ́ jọ ́`` for ``lọ́jọ́``)
cannot be told from one that ended a word, so the two halves stay separate words.

The reverse direction is exact: :func:`split_marks` cuts a word (NFC) at every combining
mark that did not compose with its letter (``wọ́n`` → ``wọ`` ``́`` ``n``), which is how those
translations were tokenised. A tagger trained on such text (see :func:`has_split_marks`)
cuts the words it tags the same way and maps its spans back onto the words
(:func:`word_spans`), so the user's tokens are kept and nothing is guessed.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

from ..types import Sentence, Span

__all__ = ["MARKS", "is_mark_token", "attach_marks", "attach_marks_sentence", "split_marks", "split_marks_sentence",
           "word_spans", "has_split_marks"]


# what a tagger does with mark tokens in its training data: keep them, attach them to the word
# before, split every word the same way (training and tagging), or split when the data has them
MARKS = ("keep", "attach", "split", "auto")


def is_mark_token(tok: str) -> bool:
    """A token made only of combining marks (``\\u0301``, ``\\u0300``, ...)."""
    return bool(tok) and all(unicodedata.category(c).startswith("M") for c in tok)


def attach_marks(tokens: Sequence[str]) -> tuple[list[str], list[int]]:
    """``(tokens with mark-only tokens glued to the previous one, NFC; index of the new
    token each old token went into)``. A mark-only first token stays a token."""
    out: list[str] = []
    where: list[int] = []
    for tok in tokens:
        if out and is_mark_token(tok):
            out[-1] = out[-1] + tok
        else:
            out.append(tok)
        where.append(len(out) - 1)
    return [unicodedata.normalize("NFC", t) for t in out], where


def attach_marks_sentence(sentence: Sentence) -> Sentence:
    """The sentence with mark-only tokens attached; spans mapped onto the merged tokens."""
    if not any(is_mark_token(t) for t in sentence.tokens):
        return sentence
    tokens, where = attach_marks(sentence.tokens)
    spans: list[Span] = []
    for s in sorted(sentence.spans):
        start, end = where[s.start], where[s.end - 1] + 1
        if spans and start < spans[-1].end:  # a span that began on a mark: its word belongs to the span before
            continue
        spans.append(Span(start, end, s.label, s.score))
    return Sentence(tokens, spans, meta=sentence.meta)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _split_word(word: str) -> list[str]:
    """``word`` (NFC) cut into runs of marks and runs of other characters."""
    word = unicodedata.normalize("NFC", word)
    if not any(_is_mark(c) for c in word):
        return [word]
    out: list[str] = []
    for ch in word:
        if out and _is_mark(ch) == _is_mark(out[-1][-1]):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def split_marks(tokens: Sequence[str]) -> tuple[list[str], list[int]]:
    """``(pieces, owner)``: every token in NFC, cut at the combining marks that stayed
    separate characters (``wọ́n`` → ``wọ``, ``́``, ``n``); ``owner[k]`` is the index of the
    token piece ``k`` came from. Tokens without such marks stay whole."""
    pieces: list[str] = []
    owner: list[int] = []
    for i, tok in enumerate(tokens):
        for piece in _split_word(tok) if tok else [tok]:
            pieces.append(piece)
            owner.append(i)
    return pieces, owner


def word_spans(spans: Sequence[Span], owner: Sequence[int]) -> list[Span]:
    """Spans over pieces mapped onto the words the pieces came from (a span covers every
    word it touches; a span overlapping the one before it is dropped)."""
    out: list[Span] = []
    for s in sorted(spans):
        start, end = owner[s.start], owner[s.end - 1] + 1
        if out and start < out[-1].end:
            continue
        out.append(Span(start, end, s.label, s.score))
    return out


def split_marks_sentence(sentence: Sentence) -> Sentence:
    """The sentence in the split form (marks glued back first, then every word cut at its
    uncomposed marks): a word's pieces all belong to the spans covering the word."""
    if not any(_is_mark(c) for t in sentence.tokens for c in t):
        return sentence
    glued = attach_marks_sentence(sentence)
    pieces, owner = split_marks(glued.tokens)
    first = {}
    for k, i in enumerate(owner):
        first.setdefault(i, k)
    bounds = [first[i] for i in range(len(glued.tokens))] + [len(pieces)]
    spans = [Span(bounds[s.start], bounds[s.end], s.label, s.score) for s in glued.spans]
    return Sentence(pieces, spans, meta=sentence.meta)


def has_split_marks(sentences, share: float = 0.001) -> bool:
    """Whether the text (token lists or :class:`Sentence` objects) writes combining marks
    as tokens of their own: at least ``share`` of the tokens and at least 10 of them."""
    n = marks = 0
    for s in sentences:
        toks = getattr(s, "tokens", s)
        n += len(toks)
        marks += sum(1 for t in toks if is_mark_token(t))
    return marks >= 10 and marks >= share * n
