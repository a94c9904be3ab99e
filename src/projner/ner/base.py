"""The tagger protocol."""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from ..types import Sentence, Span


@runtime_checkable
class Tagger(Protocol):
    """Predicts entity spans for tokenised sentences."""

    name: str

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[Span]]: ...


def tag_sentences(tagger: Tagger, sentences: Sequence[Sentence]) -> list[Sentence]:
    spans = tagger.predict([s.tokens for s in sentences])
    return [s.with_spans(sp) for s, sp in zip(sentences, spans)]
