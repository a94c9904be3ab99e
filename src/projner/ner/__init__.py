"""Taggers behind one protocol (see :mod:`projner.ner.base`).

Registered names (``projner.registry.create("tagger", NAME, **options)``):
``crf`` (sklearn-crfsuite, trains on a CPU), ``hf`` / ``transformers``
(token classification), ``spacy``. :func:`load_tagger` opens a saved model
directory of any kind; :class:`projner.ner.candidates.TaggerCandidates` turns
a tagger into a candidate extractor for candidate-matching projection.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import ModelError
from .base import Tagger, tag_sentences

__all__ = ["Tagger", "tag_sentences", "load_tagger"]


def load_tagger(path: str | os.PathLike, kind: str = "auto", **options: Any) -> Tagger:
    """Open a tagger: a projner CRF directory, a transformers token-classification
    directory, or a spaCy pipeline (directory or package name). ``kind`` forces one."""
    p = Path(path)
    if kind == "auto":
        if (p / "projner.json").exists():
            try:
                kind = json.loads((p / "projner.json").read_text(encoding="utf-8")).get("tagger", "auto")
            except ValueError:
                kind = "auto"
        if kind == "auto":
            if (p / "model.crfsuite").exists():
                kind = "crf"
            elif (p / "meta.json").exists() and (p / "config.cfg").exists():
                kind = "spacy"
            elif (p / "config.json").exists():
                kind = "hf"
            elif not p.exists():
                if _is_spacy_package(os.fspath(path)):
                    kind = "spacy"
                else:
                    raise ModelError("model not found: no such directory (nor an installed spaCy package)", p)
            else:
                raise ModelError("not a tagger model directory (no projner.json, config.json or spaCy meta.json)", p)
    from ..registry import create, names

    if kind not in names("tagger"):
        raise ModelError(f"unknown tagger kind {kind!r} (use crf, hf or spacy)")
    return create("tagger", kind, model=os.fspath(path), **options)


def _is_spacy_package(name: str) -> bool:
    if "/" in name or os.sep in name or name.startswith("."):
        return False
    try:
        import importlib.util

        return importlib.util.find_spec(name) is not None and importlib.util.find_spec("spacy") is not None
    except (ImportError, ValueError):
        return False
