"""The registered projectors (``heuristic``, ``greedy``, ``bipartite``, ``ilp``) and
their typed options.

A configuration's ``projection:`` section holds the options of the chosen
method: the fields of :class:`~projner.project.heuristic.HeuristicOptions`, or of
:class:`~projner.project.MatchingOptions` and its score weights, plus ``refine``
(``true``, ``false`` or a mapping of :class:`~projner.project.refine.RefineOptions`).
The matchers' candidate extractor (``extractor: tagger`` or ``{name: tagger, model:
DIR}``) and extra scoring signals (``scorers: [{name: lexicon, weight: 0.3, lexicon:
FILE}]``) are registered components too (kinds ``candidates`` and ``scorer``).
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field, field_validator

from ..options import Flag, Finite, NonNegativeInt, Options, PositiveInt, Unit, fail, parse_options
from .longspan import LONG_SPAN_MIN

__all__ = ["HeuristicProjectorOptions", "MatchingProjectorOptions", "heuristic", "greedy", "bipartite", "ilp",
           "options_for", "ngram", "spans", "build_component"]


class HeuristicProjectorOptions(Options):
    """Options of the ``heuristic`` projector (see :class:`HeuristicOptions`)."""

    merge_distance: NonNegativeInt = 1
    min_ratio: Unit = 0.0
    keep: Literal["longest", "all"] = "longest"
    skip_punctuation: Flag = True
    long_spans: PositiveInt = LONG_SPAN_MIN
    refine: Any = True  # checked by projner.project.refine_options


class ScoreWeightsOptions(Options):
    alignment: Finite = 1.0
    lexical: Finite = 0.25
    capital: Finite = 0.0
    boundary: Finite = 0.0
    length: Finite = 0.0
    unaligned_credit: Finite = 0.25
    linked_only: Flag = True
    outside: Finite = 0.3


class MatchingProjectorOptions(ScoreWeightsOptions):
    """Options of the matching projectors (``greedy``, ``bipartite``, ``ilp``): see
    :class:`MatchingOptions`; score weights flat or as ``weights``."""

    max_len: Optional[PositiveInt] = None
    extra_len: NonNegativeInt = 3
    min_score: Finite = 0.35
    k: PositiveInt = 1
    long_spans: PositiveInt = LONG_SPAN_MIN
    weights: Optional[ScoreWeightsOptions] = None
    extractor: Any = Field(default=None, description="a registered candidate extractor: its name, or "
                           "{name: ..., options}; in code also an extractor object")
    scorers: list[Any] = Field(default_factory=list, description="extra scoring signals: "
                               "[{name: lexicon, weight: 0.3, lexicon: lexicon.tsv}, ...]")
    refine: Any = True

    @field_validator("extractor")
    @classmethod
    def _extractor(cls, v):
        if isinstance(v, (str, dict)):
            _component("candidates", v, ())
        return v

    @field_validator("scorers")
    @classmethod
    def _scorers(cls, v):
        for k, spec in enumerate(v):
            if isinstance(spec, (str, dict)):
                _component("scorer", spec, (k,))
                w = spec.get("weight", 1.0) if isinstance(spec, dict) else 1.0
                if isinstance(w, bool) or not isinstance(w, (int, float)) or w != w or abs(w) == float("inf"):
                    fail((k, "weight"), "weight must be a finite number", w)
        return v


def options_for(method: str) -> type[Options]:
    return HeuristicProjectorOptions if method == "heuristic" else MatchingProjectorOptions


def _factory(method: str):
    def make(**options: Any):
        from . import build_projector

        if options.get("extractor") is not None:
            options["extractor"] = build_component("candidates", options["extractor"])
        scorers = options.pop("scorers", None) or []
        if scorers:
            options["extra"] = tuple((float(s.get("weight", 1.0)) if isinstance(s, dict) else 1.0,
                                      build_component("scorer", s)) for s in scorers)
        return build_projector(method, **options)

    make.__name__ = method
    make.__doc__ = f"The ``{method}`` projector (options: :class:`{options_for(method).__name__}`)."
    make.Options = options_for(method)  # type: ignore[attr-defined]
    return make


heuristic = _factory("heuristic")
greedy = _factory("greedy")
bipartite = _factory("bipartite")
ilp = _factory("ilp")


# -- candidate extractors and scorers, nameable in a configuration --------------------------------
class NgramOptions(Options):
    max_len: PositiveInt = 8


class SpansOptions(Options):
    pass


def ngram(**options: Any):
    """All n-grams up to ``max_len`` tokens as candidates."""
    from .candidates import NgramExtractor

    return NgramExtractor(**parse_options(NgramOptions, options, "candidates 'ngram'").model_dump())


def spans(**options: Any):
    """The target sentence's own spans as candidates (e.g. a pre-annotated file)."""
    from .candidates import SpanExtractor

    parse_options(SpansOptions, options, "candidates 'spans'")
    return SpanExtractor()


ngram.Options = NgramOptions  # type: ignore[attr-defined]
spans.Options = SpansOptions  # type: ignore[attr-defined]


def _component(kind: str, spec: Any, loc: tuple) -> None:
    """Check ``spec``: a registered name, or ``{name: NAME, ...its options}``."""
    from ..options import check_components

    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        fail(loc, f"a {kind} is a name or a mapping with 'name' and its options", spec)
    opts = {k: v for k, v in spec.items() if k not in ("name", "weight")}
    from pydantic import ValidationError

    try:
        check_components(kind, {spec["name"]: opts})
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(loc + tuple(err["loc"][1:]), err["msg"], err.get("input"))


def build_component(kind: str, spec: Any) -> Any:
    """A candidate extractor or scorer from its configuration spec (objects pass through)."""
    from ..registry import create

    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        return spec
    return create(kind, spec["name"], **{k: v for k, v in spec.items() if k not in ("name", "weight")})
