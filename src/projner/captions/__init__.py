"""Image-caption corpora as alignment evidence for annotation projection.

* Caption translations (Multi30K task 1) are plain extra bitext for the
  statistical aligner: :func:`caption_bitext` → ``EflomalAligner(bitext=[...])``.
* Comparable captions of the same image (Multi30K task 2) induce a bilingual
  lexicon from image-level word co-occurrence (:mod:`projner.captions.lexicon`),
  used as eflomal priors (:func:`~projner.captions.lexicon.write_eflomal_priors`),
  as an extra link source (aligner ``caption-lexicon``) and as a candidate-matching
  signal (:class:`~projner.captions.scoring.LexiconScorer`).
* With images and an image-text model, :class:`projner.captions.visual.ClipScorer`
  scores target candidates against the pair's image (imported on demand: it
  needs torch and transformers).

The ``caption-lexicon`` aligner is registered by name in :mod:`projner.registry`
(built-in components), so naming it in a config needs no import here.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from ..io.captions import caption_translations, read_caption_corpus
from .aligner import CaptionLexiconAligner, load_lexicon
from .lexicon import Lexicon, LexiconEntry, image_bags, induce_lexicon, write_eflomal_priors
from .scoring import LexiconScorer

__all__ = [
    "Lexicon",
    "LexiconEntry",
    "induce_lexicon",
    "image_bags",
    "write_eflomal_priors",
    "CaptionLexiconAligner",
    "LexiconScorer",
    "load_lexicon",
    "caption_bitext",
    "lexicon_from_corpus",
]


def caption_bitext(corpus: str | os.PathLike, src_lang: str = "en", tgt_lang: str = "de", *,
                   splits: Sequence[str] = ("train",), limit: int | None = None
                   ) -> tuple[list[list[str]], list[list[str]]]:
    """Caption translations (Multi30K task 1 folder or a caption JSONL) as tokenised bitext."""
    src: list[list[str]] = []
    tgt: list[list[str]] = []
    if os.path.isfile(corpus):
        splits = ("all",)  # a JSONL file has no splits: read it once
    for split in splits:
        s, t = caption_translations(read_caption_corpus(corpus, split=split, langs=(src_lang, tgt_lang), task=1),
                                    src_lang, tgt_lang)
        src.extend(s)
        tgt.extend(t)
    if limit is not None:
        src, tgt = src[:limit], tgt[:limit]
    return src, tgt


def lexicon_from_corpus(corpus: str | os.PathLike, src_lang: str = "en", tgt_lang: str = "de", *,
                        splits: Sequence[str] = ("train",), task: int = 2, **options: Any) -> Lexicon:
    """Induce a lexicon from the comparable captions of a corpus (Multi30K folder,
    task 2 by default, or a caption JSONL); ``options`` go to :func:`induce_lexicon`."""
    if os.path.isfile(corpus):
        splits = ("all",)  # a JSONL file has no splits: read it once

    def bags():
        for split in splits:
            recs = read_caption_corpus(corpus, split=split, langs=(src_lang, tgt_lang), task=task)
            yield from image_bags(recs, src_lang, tgt_lang)

    lex = induce_lexicon(bags(), **options)
    lex.meta.update(corpus=os.fspath(corpus), splits=list(splits), task=task, src_lang=src_lang, tgt_lang=tgt_lang)
    return lex
