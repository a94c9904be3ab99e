"""The aligner protocol.

An aligner maps a batch of tokenised sentence pairs to one :class:`Alignment`
per pair (source index, target index). Statistical aligners learn from the batch
(and any extra bitext they were given), so they align a corpus at once.
"""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from ..types import Alignment

Tokens = Sequence[str]


@runtime_checkable
class Aligner(Protocol):
    name: str

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        """One alignment per (src[i], tgt[i])."""
        ...


def check_batch(src: Sequence[Tokens], tgt: Sequence[Tokens]) -> None:
    if len(src) != len(tgt):
        raise ValueError(f"{len(src)} source sentences but {len(tgt)} target sentences")
