"""Projection algorithms: heuristic spans and candidate matching.

All functions are pure: they take the core types and return a new target
:class:`~projner.types.Sentence` whose spans carry a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import numpy as np

from ..types import Alignment, Pair, Sentence
from .candidates import (BREAK_PUNCT, CandidateExtractor, NgramExtractor, SpanExtractor,
                         ngram_candidates)
from .heuristic import HeuristicOptions, project_heuristic, runs
from .longspan import LONG_SPAN_MIN, is_long, project_long_spans
from .matching import MATCHERS, match
from .refine import Refiner, RefineOptions
from .resolve import resolve_overlaps
from .scoring import CandidateScorer, ScoreWeights, lexical_matrix, score_matrix

__all__ = [
    "HeuristicOptions",
    "MatchingOptions",
    "RefineOptions",
    "Refiner",
    "RefinedProjector",
    "refine_options",
    "ScoreWeights",
    "CandidateScorer",
    "CandidateExtractor",
    "NgramExtractor",
    "SpanExtractor",
    "project_heuristic",
    "project_candidates",
    "build_projector",
    "Projector",
    "METHODS",
    "ngram_candidates",
    "score_matrix",
    "resolve_overlaps",
    "runs",
    "BREAK_PUNCT",
]

METHODS = ("heuristic",) + MATCHERS


@dataclass(frozen=True)
class MatchingOptions:
    """Options of :func:`project_candidates`.

    max_len: longest n-gram candidate; ``None`` = longest source entity + ``extra_len``.
    extra_len: see ``max_len``.
    min_score: a match must score above this (weighted sum of the signals).
    k: at most this many candidates per source entity.
    weights: :class:`ScoreWeights` of the signals.
    extractor: a candidate extractor; ``None`` = n-grams around linked target words.
    long_spans: source spans of at least this many tokens are clauses, not names: they
        are not matched to candidates but projected as the contiguous aligned region
        extended to clause boundaries (:mod:`projner.project.longspan`); ``0`` = never.
    """

    max_len: int | None = None
    extra_len: int = 3
    min_score: float = 0.35
    k: int = 1
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    extractor: CandidateExtractor | None = None
    long_spans: int = LONG_SPAN_MIN


def project_candidates(
    source: Sentence,
    target: Sentence,
    alignment: Alignment,
    method: str = "ilp",
    options: MatchingOptions | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Sentence:
    """Project by matching source entities to target candidates.

    Candidates are scored (see :mod:`projner.project.scoring`) and matched with
    ``method`` (``greedy``, ``bipartite`` or ``ilp``).
    """
    opt = options or MatchingOptions()
    n_tgt = len(target)
    if not source.spans or not n_tgt:
        return target.with_spans(())
    alignment.check_bounds(len(source), n_tgt)
    long = [e for e in source.spans if is_long(e, source.tokens, opt.long_spans)]
    if long:
        return _with_long_spans(source, target, alignment, method, opt, meta, long)
    pair = Pair(source, target, alignment, dict(meta or {}))
    L = alignment.to_matrix(len(source), n_tgt, use_scores=alignment.scores is not None)
    ent_rows = np.zeros(len(source), dtype=bool)
    for e in source.spans:
        ent_rows[e.start : e.end] = True
    lex = None
    if opt.weights.lexical:
        lex = np.zeros((len(source), n_tgt), dtype=np.float32)
        rows = np.nonzero(ent_rows)[0]
        lex[rows] = lexical_matrix(source.tokens, target.tokens, rows)
    if opt.extractor is not None:
        candidates = opt.extractor(target)
    else:
        anchors = (L[ent_rows] > 0).any(axis=0)
        if lex is not None:
            anchors |= (lex[ent_rows] > 0).any(axis=0)
        if not anchors.any():
            return target.with_spans(())
        longest = max(e.end - e.start for e in source.spans)
        max_len = opt.max_len or longest + opt.extra_len
        # punctuation that occurs inside a source entity ("Committee on Transport , Tourism",
        # "Directive 94 / 55 / EC") may occur inside its projection too
        inner = {t for e in source.spans for t in source.tokens[e.start : e.end]}
        candidates = ngram_candidates(target.tokens, max_len, anchors, BREAK_PUNCT - inner)
    if not candidates:
        return target.with_spans(())
    scores, _ = score_matrix(pair, candidates, opt.weights, L, lex)
    matches = match(method, scores, candidates, n_tgt, opt.min_score, opt.k)
    spans = []
    from ..types import Span

    for e, c, s in matches:
        start, end = candidates[c]
        spans.append(Span(start, end, source.spans[e].label, round(float(s), 6)))
    return target.with_spans(resolve_overlaps(spans))


def _with_long_spans(source, target, alignment, method, opt, meta, long) -> Sentence:
    """Long spans projected as aligned regions, the others matched to candidates."""
    by_src: dict[int, list[int]] = {}
    for i, j in alignment.links.tolist():
        by_src.setdefault(i, []).append(j)
    spans = project_long_spans(source.tokens, target.tokens, long, by_src)
    short = [e for e in source.spans if not is_long(e, source.tokens, opt.long_spans)]
    if short:
        spans += project_candidates(source.with_spans(short), target, alignment, method, opt, meta).spans
    return target.with_spans(resolve_overlaps(spans))


Projector = Callable[[Sentence, Sentence, Alignment], Sentence]


class RefinedProjector:
    """A projector followed by a :class:`Refiner`. ``fit(sources, targets)`` lets the
    refiner learn the corpus's function words and labels (the pipelines call it);
    unfitted, it only balances brackets."""

    def __init__(self, project: Projector, refiner: Refiner) -> None:
        self.project = project
        self.refiner = refiner

    def fit(self, sources, targets) -> "RefinedProjector":
        self.refiner.fit(sources, targets)
        return self

    def __call__(self, source: Sentence, target: Sentence, alignment: Alignment, meta=None) -> Sentence:
        return self.refiner(source, self.project(source, target, alignment, meta), alignment)


def projection_option_names(method: str) -> set[str]:
    """The options :func:`build_projector` accepts for ``method``."""
    if method == "heuristic":
        return set(HeuristicOptions.__dataclass_fields__) | {"refine"}
    return (set(MatchingOptions.__dataclass_fields__) | set(ScoreWeights.__dataclass_fields__)
            | {"refine", "scorers"}) - {"extra"}


def refine_options(value: Any) -> RefineOptions | None:
    if value is None or value is False:
        return None
    if value is True:
        return RefineOptions()
    if isinstance(value, RefineOptions):
        return value
    if isinstance(value, Mapping):
        bad = sorted(set(value) - set(RefineOptions.__dataclass_fields__))
        if bad:
            raise TypeError(f"unknown option '{bad[0]}' in refine "
                            f"(known: {', '.join(RefineOptions.__dataclass_fields__)})")
        return RefineOptions(**value)
    raise TypeError(f"refine: {value!r} is not true, false or a mapping of refine options")


def build_projector(method: str = "ilp", refine: Any = True, **options: Any) -> Projector:
    """A projector by name: ``heuristic``, ``greedy``, ``bipartite`` or ``ilp``.

    ``options`` are the fields of :class:`HeuristicOptions` or
    :class:`MatchingOptions`; for the matchers, score weights may be given flat
    (``lexical=0.3``) or as ``weights={...}``. ``refine`` (default on: ``True``,
    ``False``, a mapping of :class:`RefineOptions` fields or the options) wraps the
    projector in a :class:`RefinedProjector`.
    """
    ropt = refine_options(refine)
    if ropt is not None and "long_spans" in options and not (isinstance(refine, Mapping) and "long_spans" in refine):
        ropt = replace(ropt, long_spans=options["long_spans"])  # one threshold for both unless told apart
    base = _build_base(method, **options)
    return base if ropt is None else RefinedProjector(base, Refiner(ropt))


def _build_base(method: str, **options: Any) -> Projector:
    if method == "heuristic":
        hopt = HeuristicOptions(**options)
        return lambda s, t, a, meta=None: project_heuristic(s, t, a, hopt)
    if method not in MATCHERS:
        raise ValueError(f"unknown projection method {method!r} (use one of {', '.join(METHODS)})")
    wfields = set(ScoreWeights.__dataclass_fields__)
    flat = {k: options.pop(k) for k in list(options) if k in wfields}
    weights = ScoreWeights(**{**dict(options.pop("weights", {}) or {}), **flat})
    mopt = MatchingOptions(weights=weights, **options)
    if method in ("bipartite", "ilp"):
        import scipy.optimize  # noqa: F401  (import once here, not inside the first pair)
    return lambda s, t, a, meta=None: project_candidates(s, t, a, method, mopt, meta)
