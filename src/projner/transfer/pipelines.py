"""The transfer pipelines as functions over sentences: translate-train,
translate-test and the model-transfer baseline. Pure glue over translators,
taggers, aligners and projectors (no files; :mod:`projner.transfer.run` runs
them as resumable steps in a run folder)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..config import ProjectionConfig
from ..errors import InputError
from ..evaluate import Report, evaluate
from ..types import Alignment, Sentence
from .components import effective_tokenize, word_splitter

__all__ = ["translate_sentences", "TransferResult", "translate_train", "translate_test", "model_transfer"]


def translate_sentences(
    sentences: Sequence[Sentence], translator: Any, tokenize: str = "word"
) -> tuple[list[str], list[Sentence]]:
    """Detokenise, translate and re-tokenise: (raw translations, tokenised sentences)."""
    from ..text.tokenize import detokenize

    texts = [detokenize(list(s.tokens)) for s in sentences]
    outs = translator.translate(texts)
    if len(outs) != len(texts):
        raise InputError(f"translator returned {len(outs)} translations for {len(texts)} sentences")
    split = word_splitter(effective_tokenize(translator, tokenize))
    return list(outs), [Sentence(split(o)) for o in outs]


@dataclass
class TransferResult:
    """What a transfer pipeline produced; ``predictions`` are on the target words."""

    translations: list[str]
    translated: list[Sentence]
    alignments: list[Alignment]
    predictions: list[Sentence]
    report: Report | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def translate_train(
    sources: Sequence[Sentence], translator: Any, config: ProjectionConfig, tokenize: str = "word"
) -> TransferResult:
    """Labelled source → translate → tokenise → align → project: labelled target sentences."""
    from ..pipelines import project_corpus

    t0 = time.perf_counter()
    translations, targets = translate_sentences(sources, translator, tokenize)
    t1 = time.perf_counter()
    projected, aligns = project_corpus(list(sources), targets, config)
    t2 = time.perf_counter()
    return TransferResult(translations, targets, aligns, projected, seconds={"translate": t1 - t0, "project": t2 - t1})


def translate_test(
    targets: Sequence[Sentence],
    translator: Any,
    tagger: Any,
    config: ProjectionConfig,
    tokenize: str = "word",
    gold: Sequence[Sentence] | None = None,
) -> TransferResult:
    """Target sentences → translate into the source language → tag → align →
    project back onto the original target words; scored against ``gold``."""
    from ..ner.base import tag_sentences
    from ..pipelines import project_corpus

    t0 = time.perf_counter()
    translations, translated = translate_sentences(targets, translator, tokenize)
    t1 = time.perf_counter()
    tagged = tag_sentences(tagger, translated)
    t2 = time.perf_counter()
    plain = [t.with_spans(()) for t in targets]
    predictions, aligns = project_corpus(tagged, plain, config)
    t3 = time.perf_counter()
    report = None
    if gold is not None:
        report = evaluate(list(gold), predictions, label_map=config.label_map, ignore=config.ignore_labels)
    return TransferResult(
        translations, tagged, aligns, predictions, report,
        seconds={"translate": t1 - t0, "tag": t2 - t1, "project": t3 - t2},
    )


def model_transfer(targets: Sequence[Sentence], tagger: Any, gold: Sequence[Sentence] | None = None) -> tuple[list[Sentence], Report | None]:
    """The baseline: a tagger applied directly to the target text."""
    from ..ner.base import tag_sentences

    preds = tag_sentences(tagger, [t.with_spans(()) for t in targets])
    return preds, (evaluate(list(gold), preds) if gold is not None else None)
