"""Aligners behind one protocol, selected by name.

Names: ``eflomal`` (statistical), ``lexical`` (identical / near-identical tokens),
and combinations written with ``+`` (``eflomal+lexical``: statistical links
augmented by lexical ones), ``|`` (union) or ``&`` (intersection). Further
aligners (e.g. ``embedding``) register themselves in :mod:`projner.registry`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import ConfigError
from ..registry import create, register, register_lazy
from .base import Aligner, check_batch
from .combine import CombinedAligner, augment, combine_alignments
from .eflomal import EflomalAligner
from .lexical import LexicalAligner, edit_similarity, fold, token_similarity
from .symmetrize import symmetrize

register("aligner", "eflomal")(EflomalAligner)
register("aligner", "lexical")(LexicalAligner)
register_lazy("aligner", "caption-lexicon", "projner.captions.aligner:CaptionLexiconAligner")
register_lazy("aligner", "embedding", "projner.align.embedding:EmbeddingAligner")
register_lazy("aligner", "embedding-vote", "projner.align.ensemble:VoteAligner")
register_lazy("aligner", "embedding-rescue", "projner.align.ensemble:RescueAligner")
register_lazy("aligner", "backtranslation", "projner.align.backtranslation:BackTranslationAligner")
register_lazy("aligner", "embedding-backtranslation", "projner.align.backtranslation:BackTranslationAligner")
register_lazy("aligner", "same-language", "projner.align.backtranslation:SameLanguageAligner")

__all__ = [
    "Aligner",
    "EflomalAligner",
    "LexicalAligner",
    "CombinedAligner",
    "augment",
    "combine_alignments",
    "symmetrize",
    "build_aligner",
    "fold",
    "edit_similarity",
    "token_similarity",
    "check_batch",
]

_OPS = {"+": "augment", "|": "union", "&": "intersection"}


def build_aligner(spec: str, options: Mapping[str, Mapping[str, Any]] | None = None) -> Aligner:
    """Build an aligner from a name such as ``eflomal+lexical``.

    ``options`` maps member names to keyword arguments for their factories,
    e.g. ``{"eflomal": {"bitext": [...], "lowercase": True}}``.
    """
    options = dict(options or {})
    spec = spec.strip()
    ops = set(re.findall(r"[+|&]", spec))
    if len(ops) > 1:
        raise ConfigError(f"aligner {spec!r} mixes combination operators; use one of + | & per spec")
    parts = [p.strip() for p in re.split(r"[+|&]", spec)]
    if not all(parts):
        raise ConfigError(f"aligner {spec!r} has an empty member")
    members = []
    for name in parts:
        try:
            members.append(create("aligner", name, **dict(options.get(name, {}))))
        except ValueError as exc:
            raise ConfigError(f"aligner {name!r}: {exc}") from None
    if len(members) == 1:
        return members[0]
    return CombinedAligner(members, _OPS[ops.pop()])
