"""A spaCy pipeline as a tagger, with a label map onto CoNLL types.

spaCy runs over the given words (no re-tokenisation): a ``Doc`` is built from
the tokens and passed through the pipeline. Entity labels are mapped with
``label_map``; labels mapped to ``""`` or missing from the map are dropped
unless ``keep_unmapped`` is set.

Default map (OntoNotes → CoNLL): PERSON→PER; GPE, LOC, FAC→LOC; ORG→ORG;
NORP, EVENT, WORK_OF_ART, LAW, LANGUAGE, PRODUCT→MISC; numeric and temporal
types (DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL) dropped. CoNLL
style labels (PER, LOC, ORG, MISC) pass through unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import ModelError
from ..types import Span

__all__ = ["SpacyTagger", "DEFAULT_LABEL_MAP"]

DEFAULT_LABEL_MAP: dict[str, str] = {
    "PERSON": "PER",
    "PER": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "MISC": "MISC",
    "DATE": "",
    "TIME": "",
    "PERCENT": "",
    "MONEY": "",
    "QUANTITY": "",
    "ORDINAL": "",
    "CARDINAL": "",
}


class SpacyTagger:
    """Parameters: ``model`` (an installed package name such as ``de_core_news_sm``
    or a directory written by ``nlp.to_disk``), ``label_map`` (merged over the
    default; ``""`` drops a label), ``drop_misc`` (map MISC-like types to nothing),
    ``keep_unmapped``, ``batch_size``."""

    name = "spacy"

    def __init__(
        self,
        model: str,
        label_map: Mapping[str, str] | None = None,
        drop_misc: bool = False,
        keep_unmapped: bool = False,
        batch_size: int = 64,
    ) -> None:
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover
            raise ModelError(f"the spacy package is needed for spaCy taggers (pip install 'projner[ner]'): {exc}")
        self.model_name = os.fspath(model)
        looks_path = Path(self.model_name).exists() or "/" in self.model_name or self.model_name.startswith(".")
        try:
            self.nlp = spacy.load(self.model_name)
        except (OSError, ValueError, KeyError) as exc:
            if looks_path and not Path(self.model_name).exists():
                raise ModelError(f"spaCy model not found: no directory {self.model_name!r}", self.model_name) from None
            first = str(exc).splitlines()[0][:300]
            raise ModelError(f"cannot load spaCy model {self.model_name!r}: {first}") from None
        if "ner" not in self.nlp.pipe_names and "entity_ruler" not in self.nlp.pipe_names and not any(
            "ner" in n or "ruler" in n for n in self.nlp.pipe_names
        ):
            raise ModelError(f"spaCy model {self.model_name!r} has no entity recognizer (pipes: {self.nlp.pipe_names})")
        self.label_map = dict(DEFAULT_LABEL_MAP)
        if drop_misc:
            self.label_map.update({k: "" for k, v in DEFAULT_LABEL_MAP.items() if v == "MISC"})
        self.label_map.update(label_map or {})
        self.keep_unmapped = keep_unmapped
        self.batch_size = batch_size

    def map_label(self, label: str) -> str:
        if label in self.label_map:
            return self.label_map[label]
        return label if self.keep_unmapped else ""

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[Span]]:
        from spacy.tokens import Doc

        docs = [Doc(self.nlp.vocab, words=[w if w.strip() else "_" for w in toks]) for toks in sentences]
        out: list[list[Span]] = []
        for doc in self.nlp.pipe(docs, batch_size=self.batch_size):
            spans = []
            for ent in doc.ents:
                lab = self.map_label(ent.label_)
                if lab:
                    spans.append(Span(ent.start, ent.end, lab))
            out.append(spans)
        return out
