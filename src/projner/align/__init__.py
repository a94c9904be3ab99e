"""Aligners behind one protocol, selected by name.

Names: ``eflomal`` (statistical), ``lexical`` (identical / near-identical tokens),
and combinations written with ``+`` (``eflomal+lexical``: statistical links
augmented by lexical ones), ``|`` (union) or ``&`` (intersection). Further
aligners (``embedding``, the ensembles...) are listed by name in
:mod:`projner.registry`.
"""

from __future__ import annotations

from typing import Any, Mapping

from .base import Aligner, Shared, check_batch
from .build import build_member, build_spec
from .combine import CombinedAligner, augment, combine_alignments
from .eflomal import EflomalAligner
from .lexical import LexicalAligner, edit_similarity, fold, token_similarity
from .symmetrize import symmetrize

__all__ = [
    "Aligner",
    "EflomalAligner",
    "LexicalAligner",
    "CombinedAligner",
    "augment",
    "combine_alignments",
    "symmetrize",
    "build_aligner",
    "build_member",
    "Shared",
    "fold",
    "edit_similarity",
    "token_similarity",
    "check_batch",
]


def build_aligner(spec: str, options: Mapping[str, Mapping[str, Any]] | None = None,
                  shared: Shared | None = None) -> Aligner:
    """Build an aligner from a name such as ``eflomal+lexical``.

    ``options`` maps member names to their options (checked against each
    factory's options model), e.g. ``{"eflomal": {"symmetrization": "union"}}``;
    ``shared`` holds the run's resources (encoder pool, bitext, lowercase, seed).
    """
    return build_spec(spec, options, shared)
