"""The translator protocol."""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable


@runtime_checkable
class Translator(Protocol):
    """Translates a batch of raw-text strings; output i is the translation of input i."""

    name: str

    def translate(self, texts: Sequence[str]) -> list[str]: ...
