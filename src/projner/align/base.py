"""The aligner protocol.

An aligner maps a batch of tokenised sentence pairs to one :class:`Alignment`
per pair (source index, target index). Statistical aligners learn from the batch
(and any extra bitext they were given), so they align a corpus at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

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


@dataclass
class Shared:
    """Resources the aligners of one run share, passed to them explicitly when they
    are built (:func:`projner.align.build_aligner`, :func:`projner.resolve.resolve`).

    encoder: the run's encoder (``--encoder``), for embedding aligners that name none.
    encoders: the :class:`~projner.align.encoder.EncoderPool` holding the loaded
        encoders and their vector caches (created on first use); whoever builds the
        aligners owns it and closes it (:meth:`close`, or ``with shared: ...``).
    bitext: extra parallel text for statistical aligners: objects whose ``load()``
        returns (source sentences, target sentences), or such tokenised pairs.
    lowercase: lowercase text for statistical alignment (``None``: the aligner's default).
    seed: seed for every aligner that samples (eflomal), members of ensembles included.
    open_bitext: turns a (source file, target file) pair named in an aligner's own
        options into a ``load()`` object (the pipelines give
        :class:`projner.io.BitextFiles`; aligners never read files themselves).
    """

    encoder: str | None = None
    encoders: Any = None
    bitext: tuple = ()
    lowercase: bool | None = None
    seed: int | None = None
    open_bitext: Callable[[str, str], Any] | None = None

    def pool(self) -> Any:
        if self.encoders is None:
            from .encoder import EncoderPool

            self.encoders = EncoderPool()
        return self.encoders

    def with_encoder(self, model: str | None) -> "Shared":
        """The same resources (same encoder pool) with another default encoder."""
        self.pool()
        return self if model is None else replace(self, encoder=str(model))

    def close(self) -> None:
        if self.encoders is not None:
            self.encoders.close()

    def __enter__(self) -> "Shared":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
