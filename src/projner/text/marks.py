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
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

from ..types import Sentence, Span

__all__ = ["is_mark_token", "attach_marks", "attach_marks_sentence"]


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
