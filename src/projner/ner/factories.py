"""The registered taggers (``crf``, ``hf``/``transformers``, ``spacy``) and their
typed options. With ``model`` (a saved model folder, or a spaCy package name) a
factory opens that tagger; a CRF without ``model`` is a new, untrained tagger."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field

from ..options import Flag, NonNegative, Options, PositiveInt, parse_options

__all__ = ["CRFTaggerOptions", "HFTaggerOptions", "SpacyTaggerOptions", "crf", "hf", "spacy"]


class CRFTaggerOptions(Options):
    model: Optional[str] = None
    c1: NonNegative = 0.05
    c2: NonNegative = 0.05
    max_iterations: PositiveInt = 100
    window: int = Field(2, ge=0, le=5)
    min_freq: PositiveInt = 1
    all_possible_transitions: Flag = True
    verbose: Flag = False
    marks: Literal["keep", "attach", "split", "auto"] = "keep"


class HFTaggerOptions(Options):
    model: str
    batch_size: PositiveInt = 16
    max_length: int = Field(256, ge=8)
    device: str = "cpu"
    label_map: Optional[dict[str, str]] = None
    offline: Flag = True


class SpacyTaggerOptions(Options):
    model: str
    label_map: Optional[dict[str, str]] = None
    drop_misc: Flag = False
    keep_unmapped: Flag = False
    batch_size: PositiveInt = 64


def crf(**options: Any):
    """A CRF tagger: the saved one at ``model``, or a new one with these settings."""
    from .crf import CRFTagger

    o = parse_options(CRFTaggerOptions, options, "tagger 'crf'").model_dump()
    model = o.pop("model")
    return CRFTagger.load(model) if model is not None else CRFTagger(**o)


def hf(**options: Any):
    """A transformers token-classification tagger saved at ``model``."""
    from .hf import HFTagger

    return HFTagger(**parse_options(HFTaggerOptions, options, "tagger 'hf'").model_dump())


def spacy(**options: Any):
    """A spaCy pipeline (folder or installed package ``model``) as a tagger."""
    from .spacy_tagger import SpacyTagger

    return SpacyTagger(**parse_options(SpacyTaggerOptions, options, "tagger 'spacy'").model_dump())


crf.Options = CRFTaggerOptions  # type: ignore[attr-defined]
hf.Options = HFTaggerOptions  # type: ignore[attr-defined]
spacy.Options = SpacyTaggerOptions  # type: ignore[attr-defined]


class TaggerCandidatesOptions(Options):
    model: str
    kind: str = "auto"
    ngrams: Flag = False
    max_len: PositiveInt = 8
    expand: Flag = False


def tagger_candidates(**options: Any):
    """The paper's NER candidates: spans a tagger (saved at ``model``) finds in the target."""
    from . import load_tagger
    from .candidates import TaggerCandidates

    o = parse_options(TaggerCandidatesOptions, options, "candidates 'tagger'").model_dump()
    tagger = load_tagger(o.pop("model"), o.pop("kind"))
    return TaggerCandidates(tagger, **o)


tagger_candidates.Options = TaggerCandidatesOptions  # type: ignore[attr-defined]
