"""Pipelines as functions over sentences and pairs: align, project, evaluate.

These compose :mod:`projner.align` and :mod:`projner.project`; the CLI only calls
functions here and in :mod:`projner.io` / :mod:`projner.evaluate`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .align import Aligner
from .config import ProjectionConfig
from .errors import InputError
from .evaluate import Report, evaluate
from .project import Projector, build_projector
from .resolve import Components, make_aligner, make_projector
from .types import Alignment, Pair, Sentence, Span

Progress = Callable[[int], None]


def prepare_source(sentence: Sentence, config: ProjectionConfig) -> Sentence:
    """Apply the label map and drop ignored labels on a source sentence."""
    if not config.label_map and not config.ignore_labels:
        return sentence
    ignore = set(config.ignore_labels)
    spans = []
    for s in sentence.spans:
        lab = config.label_map.get(s.label, s.label)
        if lab not in ignore:
            spans.append(Span(s.start, s.end, lab, s.score))
    return sentence.with_spans(spans)


def check_parallel(sources: Sequence[Sentence], targets: Sequence[Sentence], src_path=None, tgt_path=None) -> None:
    if len(sources) != len(targets):
        raise InputError(
            f"{len(targets)} target sentences but {len(sources)} source sentences in {src_path}; "
            "source and target must be line-parallel",
            tgt_path,
        )


def align_corpus(sources: Sequence[Sentence], targets: Sequence[Sentence], config: ProjectionConfig,
                 components: Components | None = None) -> list[Alignment]:
    """Align a parallel corpus with the configured aligner (``components``: already built)."""
    aligner = components.aligner if components is not None else make_aligner(config)
    return aligner.align([s.tokens for s in sources], [t.tokens for t in targets])


def fit_projector(projector: Projector, sources: Iterable[Sentence], targets: Iterable[Sentence]) -> None:
    """Let a projector that learns corpus statistics (a :class:`RefinedProjector`) read the corpus."""
    fit = getattr(projector, "fit", None)
    if fit is not None:
        fit(sources, targets)


def project_pairs(pairs: Iterable[Pair], projector: Projector, progress: Progress | None = None) -> Iterator[Sentence]:
    """Stream projected target sentences, one per pair (alignments must be set)."""
    for k, pair in enumerate(pairs):
        if pair.alignment is None:
            raise ValueError("project_pairs needs aligned pairs")
        try:
            yield projector(pair.source, pair.target, pair.alignment, pair.meta)
        except ValueError as exc:
            raise InputError(f"pair {k + 1}: {exc}", pair.meta.get("alignment_path"), pair.meta.get("alignment_line")) from None
        if progress is not None:
            progress(1)


def project_stream(
    sources: Iterable[Sentence],
    targets: Iterable[Sentence],
    alignments: Iterable[Alignment],
    config: ProjectionConfig,
    *,
    paths: tuple = (None, None, None),
    stats: dict | None = None,
    progress: Progress | None = None,
    corpus: Callable[[], tuple[Iterable[Sentence], Iterable[Sentence]]] | None = None,
    components: Components | None = None,
) -> Iterator[Sentence]:
    """Project precomputed alignments in one pass, holding one pair at a time.

    ``corpus`` (if given) returns fresh source and target iterables for a first
    pass in which the projector learns its corpus statistics (see :func:`fit_projector`).

    The three inputs are read in lockstep; a length mismatch or an out-of-range
    link raises :class:`InputError` (with ``paths`` = source, target, alignment
    files for the message) when it is met, so write the output atomically.
    ``stats`` (if given) receives ``pairs``, ``source_entities``, ``projected`` and
    ``dropped`` (sentences left out by ``config.filter``).
    """
    from itertools import zip_longest

    projector = components.projector if components is not None else make_projector(config)
    if corpus is not None:
        fit_src, fit_tgt = corpus()
        fit_projector(projector, (prepare_source(s, config) for s in fit_src), fit_tgt)
    src_path, tgt_path, al_path = paths
    st = stats if stats is not None else {}
    st.update(pairs=0, source_entities=0, projected=0, dropped=0)
    flt = config.sentence_filter()
    missing = object()
    for k, (src, tgt, al) in enumerate(zip_longest(sources, targets, alignments, fillvalue=missing)):
        if src is missing or tgt is missing or al is missing:
            _not_parallel(k, {"source": src is not missing, "target": tgt is not missing,
                              "alignment": al is not missing}, {"source": src_path, "target": tgt_path,
                                                                "alignment": al_path})
        try:
            al.check_bounds(len(src), len(tgt))
        except ValueError as exc:
            raise InputError(str(exc), al_path, k + 1) from None
        src = prepare_source(src, config)
        out = projector(src, tgt, al)
        st["pairs"] += 1
        st["source_entities"] += len(src.spans)
        st["projected"] += len(out.spans)
        if progress is not None:
            progress(1)
        if flt.active and not flt.keep(src, out):
            st["dropped"] += 1
            continue
        yield out
    if not st["pairs"]:
        raise InputError("no sentences in this file", src_path)


def _not_parallel(k: int, have: dict, files: dict) -> None:
    """Raise the error of streams that ended at different lengths (after ``k`` pairs)."""
    short = [name for name, ok in have.items() if not ok]
    longer = [name for name, ok in have.items() if ok]
    if len(longer) == 1:
        raise InputError(
            f"{longer[0]} has more entries than the {k} sentences of the {' and '.join(short)}; "
            "the files must be line-parallel",
            files[longer[0]], k + 1 if longer[0] == "alignment" else None,
        )
    raise InputError(
        f"{short[0]} ended after {k} sentences but the {' and '.join(longer)} go on; "
        "the files must be line-parallel",
        files[short[0]],
    )


def filter_projected(sources: Sequence[Sentence], projected: Sequence[Sentence],
                     config: ProjectionConfig) -> tuple[list[Sentence], int]:
    """The projected sentences that ``config.filter`` keeps, and how many it dropped
    (``sources`` as given: the label map and ignored labels are applied here)."""
    from .project.quality import filter_corpus

    flt = config.sentence_filter()
    if not flt.active:
        return list(projected), 0
    return filter_corpus([prepare_source(s, config) for s in sources], projected, flt)


def project_corpus(
    sources: Sequence[Sentence],
    targets: Sequence[Sentence],
    config: ProjectionConfig,
    alignments: Sequence[Alignment] | None = None,
    progress: Progress | None = None,
    components: Components | None = None,
) -> tuple[list[Sentence], list[Alignment]]:
    """Align (unless ``alignments`` are given) and project a parallel corpus
    (``components``: the aligner and projector already built by :func:`projner.resolve.resolve`)."""
    check_parallel(sources, targets)
    projector = components.projector if components is not None else make_projector(config)
    sources = [prepare_source(s, config) for s in sources]
    fit_projector(projector, sources, targets)
    if alignments is None:
        alignments = align_corpus(sources, targets, config, components)
    pairs = (Pair(s, t, a) for s, t, a in zip(sources, targets, alignments))
    return list(project_pairs(pairs, projector, progress)), list(alignments)


def benchmark_projection(
    source_gold: Sequence[Sentence],
    target_gold: Sequence[Sentence],
    config: ProjectionConfig,
    alignments: Sequence[Alignment] | None = None,
    components: Components | None = None,
) -> tuple[Report, list[Sentence]]:
    """Project source gold onto the target tokens and score against target gold."""
    check_parallel(source_gold, target_gold)
    targets = [t.with_spans(()) for t in target_gold]
    t0 = time.perf_counter()
    t_align = 0.0
    if alignments is None:
        sources = [prepare_source(s, config) for s in source_gold]
        alignments = align_corpus(sources, targets, config, components)
        t_align = time.perf_counter() - t0
    t1 = time.perf_counter()
    projected, _ = project_corpus(source_gold, targets, config, alignments, components=components)
    t2 = time.perf_counter()
    report = evaluate(
        target_gold,
        projected,
        label_map=config.label_map,
        ignore=config.ignore_labels,
        source=[s.spans for s in source_gold],
    )
    report.extra.update(
        seconds=round(t2 - t0, 3),
        align_seconds=round(t_align, 3),
        project_seconds=round(t2 - t1, 3),
        pairs_per_second_projection=round(len(targets) / max(t2 - t1, 1e-9), 1),
        config=config.model_dump(mode="json"),
    )
    return report, projected


def project_via_backtranslation(back: Sequence[Sentence], targets: Sequence[Sentence | Sequence[str]],
                                same: Aligner | None = None,
                                projector: Projector | None = None) -> list[Sentence]:
    """Project the spans of labelled back-translations onto the target sentences
    through a same-language alignment (``same`` default: :class:`SameLanguageAligner`;
    ``projector`` default: heuristic)."""
    from .align.backtranslation import SameLanguageAligner

    same = same or SameLanguageAligner()
    projector = projector or build_projector("heuristic")
    tsents = [t if isinstance(t, Sentence) else Sentence(list(t)) for t in targets]
    if len(back) != len(tsents):
        raise ValueError(f"{len(back)} back-translations but {len(tsents)} target sentences")
    aligns = same.align([b.tokens for b in back], [t.tokens for t in tsents])
    return [projector(b, t.with_spans(()), a) for b, t, a in zip(back, tsents, aligns)]


def _read_alignment_file(path: Path, fmt: str, one_indexed: bool, n: int | None = None):
    from .io.wpt import detect_alignment_format, read_alignments

    fmt = detect_alignment_format(path) if fmt == "auto" else fmt
    return fmt, read_alignments(path, fmt, one_indexed=one_indexed, n_sentences=n)


def evaluate_alignment_files(gold: Path, pred: Path, *, gold_format: str = "auto", pred_format: str = "auto",
                             gold_one_indexed: bool = False, pred_one_indexed: bool = False,
                             transpose_pred: bool = False) -> dict:
    """Score a predicted alignment file against a gold file; returns a JSON-able dict."""
    from .align.evaluation import score_alignments
    from .io.wpt import ALIGNMENT_FORMATS

    for name, fmt, path in (("gold", gold_format, gold), ("prediction", pred_format, pred)):
        if fmt not in ALIGNMENT_FORMATS:
            raise InputError(f"unknown {name} format {fmt!r} (use one of auto, talp, wpt, jsonl)", path)
    pfmt, pred_al = _read_alignment_file(pred, pred_format, pred_one_indexed)
    gfmt = gold_format
    if gfmt == "auto":
        from .io.wpt import detect_alignment_format

        gfmt = detect_alignment_format(gold)
    # a WPT file lists only sentences with links: size it like the prediction
    gfmt, gold_al = _read_alignment_file(gold, gfmt, gold_one_indexed, len(pred_al) if gfmt == "wpt" else None)
    if pfmt == "wpt" and len(pred_al) < len(gold_al):
        pfmt, pred_al = _read_alignment_file(pred, "wpt", pred_one_indexed, len(gold_al))
    if not gold_al:
        raise InputError("no gold alignments", gold)
    if len(gold_al) != len(pred_al):
        raise InputError(f"{len(pred_al)} predicted sentences but {len(gold_al)} gold sentences in {gold}", pred)
    if transpose_pred:
        pred_al = [a.transpose() for a in pred_al]
    scores = score_alignments(gold_al, pred_al)
    out = scores.as_dict()
    out.update({"gold": str(gold), "prediction": str(pred), "gold_format": gfmt, "prediction_format": pfmt})
    return out
