"""Transfer through a real machine-translation model, beyond the plain pipelines of
:mod:`projner.transfer.pipelines`:

- :func:`translate_train_markers`: EasyProject-style translate-train. The source
  entities are wrapped in ``[ ... ]`` before translation and read back from the
  output (:func:`projner.translate.markers.translate_with_markers`: markers lost,
  moved or duplicated by the MT are repaired by matching the entity's own
  translation); no word alignment.
- :func:`translate_test_backtranslation`: translate-test with back-translation
  refinement. The tagged source-language translation is translated back into the
  target language; the back-translation and the original target sentence are the
  same language, so their alignment is mostly string matching. ``mode="markers"``
  (default) translates the tagged sentence with markers and projects the
  back-translation's spans onto the original words
  (:func:`projner.pipelines.project_via_backtranslation`); entities
  the back-translation loses keep their direct projection when it does not
  overlap. ``mode="align"`` uses the back-translation to refine the word alignment
  instead (the ``backtranslation`` aligner, composed with the direct links).

Both take any translator (``translate(texts) -> texts``); wrap it in
:class:`projner.translate.cache.CachedTranslator` to translate each text once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal, Sequence

from ..config import ProjectionConfig
from ..evaluate import evaluate
from ..translate.markers import MarkerOptions, marker_stats, translate_with_markers
from ..types import Sentence
from .pipelines import TransferResult, translate_test

__all__ = ["translate_train_markers", "translate_test_backtranslation", "markers_step", "backtranslation_step"]


def _split(tokenize: str):
    from ..text.tokenize import tokenize as word_tokenize, whitespace_tokenize

    return whitespace_tokenize if tokenize == "whitespace" else word_tokenize


def translate_train_markers(sources: Sequence[Sentence], translator: Any, config: ProjectionConfig | None = None,
                            options: MarkerOptions = MarkerOptions(), tokenize: str = "word",
                            entity_translator: Any = None) -> tuple[TransferResult, dict[str, int]]:
    """Labelled source → marked translation → labelled target sentences.

    ``config`` contributes only its ``label_map`` and ``ignore_labels`` (applied to
    the source before marking: an ignored label gets no markers). Returns the
    result (``predictions`` are the labelled translations, without alignments)
    and :func:`~projner.translate.markers.marker_stats`."""
    from ..pipelines import prepare_source
    from ..text.tokenize import detokenize

    config = config or ProjectionConfig()
    prepared = [prepare_source(s, config) for s in sources]
    t0 = time.perf_counter()
    labelled = translate_with_markers(prepared, translator, options, tokenize=_split(tokenize),
                                      detokenize=detokenize, entity_translator=entity_translator)
    t1 = time.perf_counter()
    stats = marker_stats(prepared, labelled)
    outputs = [str(s.meta.get("marked_output", "")) for s in labelled]
    plain = [s.with_spans(()) for s in labelled]
    return TransferResult(outputs, plain, [], labelled, seconds={"translate": t1 - t0}), stats


def _keep_direct(refined: Sentence, direct: Sentence) -> Sentence:
    """``refined`` plus the spans of ``direct`` that overlap none of its spans."""
    extra = [d for d in direct.spans if not any(d.overlaps(r) for r in refined.spans)]
    if not extra:
        return refined
    return refined.with_spans(sorted(list(refined.spans) + extra, key=lambda s: s.start))


def translate_test_backtranslation(
    targets: Sequence[Sentence],
    translator: Any,
    back_translator: Any,
    tagger: Any,
    config: ProjectionConfig,
    tokenize: str = "word",
    gold: Sequence[Sentence] | None = None,
    mode: Literal["markers", "align"] = "markers",
    options: MarkerOptions = MarkerOptions(),
    direct: TransferResult | None = None,
) -> tuple[TransferResult, dict[str, int]]:
    """Translate-test (see :func:`projner.transfer.pipelines.translate_test`) with
    back-translation refinement (module doc). ``back_translator`` translates from
    the source language (the tagger's) into the target language. ``direct``: a
    finished plain translate-test result of the same inputs, reused (its
    translations, tags and projections) instead of being computed again.
    Returns the result and marker statistics (empty for ``mode="align"``)."""
    from ..pipelines import prepare_source, project_corpus, project_via_backtranslation
    from ..text.tokenize import detokenize

    if mode not in ("markers", "align"):
        raise ValueError(f"unknown back-translation mode {mode!r} (markers or align)")
    if direct is None:
        direct = translate_test(targets, translator, tagger, config, tokenize)
    tagged = [prepare_source(s, config) for s in direct.translated]
    plain = [t.with_spans(()) for t in targets]
    t0 = time.perf_counter()
    stats: dict[str, int] = {}
    if mode == "markers":
        back = translate_with_markers(tagged, back_translator, options, tokenize=_split(tokenize),
                                      detokenize=detokenize)
        t1 = time.perf_counter()
        stats = marker_stats(tagged, back)
        refined = project_via_backtranslation(back, plain)
        preds = [_keep_direct(r, d) for r, d in zip(refined, direct.predictions)]
        aligns = direct.alignments
    else:
        opts = {k: dict(v) for k, v in config.aligner_options.items()}
        opts["backtranslation"] = {**opts.get("backtranslation", {}), "translator": back_translator,
                                   "cross": config.aligner, "direct": config.aligner}
        bt_config = config.model_copy(update={"aligner": "backtranslation", "aligner_options": opts})
        t1 = time.perf_counter()
        preds, aligns = project_corpus(tagged, plain, bt_config)
    t2 = time.perf_counter()
    report = None
    if gold is not None:
        report = evaluate(list(gold), preds, label_map=config.label_map, ignore=config.ignore_labels)
    seconds = dict(direct.seconds)
    seconds.update({"back_translate": t1 - t0, "project_back": t2 - t1})
    return TransferResult(direct.translations, direct.translated, aligns, preds, report, seconds), stats


# -- run-folder steps (used by projner.transfer.run) ----------------------------------
def markers_step(run, sources: Sequence[Sentence], translator: Any, config: ProjectionConfig, tokenize: str,
                 output: str, depends: list[str], summary: dict) -> list[Sentence]:
    """Marker-based translate-train as one step: ``translations.txt`` (the marked
    outputs), ``target.txt`` (tokenised, markers removed), ``output`` (labelled
    translations) and ``markers.json`` (marker survival); returns the labelled
    translations read back."""
    from ..io import read_sentences, write_sentences
    from .steps import read_json, write_json, write_lines

    ext = output.rsplit(".", 1)[-1]

    def do(tmp):
        res, stats = translate_train_markers(sources, translator, config, tokenize=tokenize)
        write_lines(tmp["translations.txt"], res.translations)
        write_lines(tmp["target.txt"], [" ".join(s.tokens) for s in res.translated])
        write_sentences(tmp[output], [s.with_spans(s.spans) for s in res.predictions], ext)
        write_json(tmp["markers.json"], {**stats, "seconds": round(res.seconds["translate"], 2)})

    paths = run.step("translate-markers", ["translations.txt", "target.txt", output, "markers.json"], do,
                     depends=depends)
    summary["markers"] = read_json(paths["markers.json"])
    summary["projected"] = str(paths[output])
    return list(read_sentences(paths[output], ext, labels=True))


def backtranslation_step(run, targets: Sequence[Sentence], tagged: Sequence[Sentence],
                         direct: Sequence[Sentence], back_translator: Any, config: ProjectionConfig, mode: str,
                         tokenize: str, output: str, depends: list[str], summary: dict) -> Path:
    """Translate-test's back-translation refinement as one step: ``output`` (the refined
    predictions on the target words) and ``backtranslation.json`` (marker survival)."""
    from ..io import write_sentences
    from .steps import read_json, write_json

    ext = output.rsplit(".", 1)[-1]

    def do(tmp):
        plain = [t.with_spans(()) for t in targets]
        prior = TransferResult([], list(tagged), [], list(direct))
        res, stats = translate_test_backtranslation(plain, None, back_translator, None, config, tokenize,
                                                    mode=mode, direct=prior)
        write_sentences(tmp[output], res.predictions, ext)
        write_json(tmp["backtranslation.json"], {"mode": mode, **stats})

    paths = run.step("backtranslation", [output, "backtranslation.json"], do, depends=depends)
    summary["backtranslation"] = read_json(paths["backtranslation.json"])
    return paths[output]
