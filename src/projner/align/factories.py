"""The registered aligners: one factory per name, each with a typed options model.

A factory takes the run's shared resources (:class:`~projner.align.base.Shared`:
encoder pool, default encoder, bitext, lowercase, seed) and the aligner's own
options, validates the options against its model and builds the aligner;
ensembles build their members first and receive them built. The aligner
classes themselves only store what they are given.

Precedence: an aligner's own option wins over the run's shared setting
(``eflomal: {lowercase: false}`` beats ``lowercase: true``; an embedding
aligner's ``model`` beats ``--encoder``); extra bitext adds up (own first).
"""

from __future__ import annotations

import os
from typing import Any, Literal, Optional, Union

from pydantic import Field, field_validator, model_validator

from ..options import (Cosine, Flag, NonNegative, NonNegativeInt, Options, Positive, PositiveInt, Unit, check_components,
                       fail, parse_options)
from .base import Aligner, Shared
from .extraction import METHODS
from .symmetrize import METHODS as SYMMETRIZATIONS

__all__ = ["EflomalOptions", "LexicalOptions", "EmbeddingOptions", "VoteOptions", "RescueOptions",
           "SameLanguageOptions", "BackTranslationOptions", "eflomal", "lexical", "embedding", "embedding_vote",
           "embedding_rescue", "same_language", "backtranslation"]

Layer = Union[NonNegativeInt, list[NonNegativeInt]]


class EflomalOptions(Options):
    symmetrization: Literal[SYMMETRIZATIONS] = "grow-diag-final-and"  # type: ignore[valid-type]
    lowercase: Optional[Flag] = None
    bitext: list[Any] = Field(default_factory=list)
    model: Literal[1, 2, 3] = 3
    n_iterations: Optional[tuple[NonNegativeInt, NonNegativeInt, NonNegativeInt]] = None  # IBM1, HMM, fertility
    n_samplers: PositiveInt = 3
    null_prior: Unit = 0.2
    prefix_len: Union[NonNegativeInt, list[NonNegativeInt]] = (0, 4)  # type: ignore[assignment]
    priors: Union[str, dict[NonNegativeInt, str], None] = None  # one file, or one per prefix length
    reverse_priors: Union[str, dict[NonNegativeInt, str], None] = None  # the reverse direction's (default: priors)
    bitext_limit: Optional[PositiveInt] = None
    seed: Optional[NonNegativeInt] = None
    normalize: Flag = True  # eflomal reads word_key(token): edge punctuation, elided clitics stripped
    spelling_prior: NonNegative = 1.0  # pseudo-counts for words spelt alike in a pair (0 = off)

    @field_validator("prefix_len")
    @classmethod
    def _some(cls, v):
        if isinstance(v, list) and not v:
            raise ValueError("give at least one prefix length")
        return v

    @field_validator("priors", "reverse_priors")
    @classmethod
    def _priors_exist(cls, v):
        for path in (v.values() if isinstance(v, dict) else [v] if v is not None else []):
            if not os.path.isfile(os.path.expanduser(path)):
                raise ValueError(f"priors file not found: {path}")
        return v

    @model_validator(mode="after")
    def _priors_per_prefix(self):
        lens = [self.prefix_len] if isinstance(self.prefix_len, int) else list(self.prefix_len)
        for name in ("priors", "reverse_priors"):
            files = getattr(self, name)
            missing = [p for p in lens if p not in files] if isinstance(files, dict) else []
            if missing:
                raise ValueError(f"{name}: no file for prefix length {missing[0]} (give one per prefix_len)")
        return self

    @field_validator("bitext")
    @classmethod
    def _pairs(cls, v):
        for k, item in enumerate(v):
            if not hasattr(item, "load") and not (isinstance(item, (list, tuple)) and len(item) == 2):
                fail((k,), "a bitext entry is a pair of files [source, target]", item)
        return v


class LexicalOptions(Options):
    threshold: Unit = 0.75
    min_length: PositiveInt = 4
    names_only: Flag = True
    link_punctuation: Flag = False


class EmbeddingOptions(Options):
    model: Optional[str] = None
    layer: Layer = 8
    method: Literal[METHODS] = "argmax"  # type: ignore[valid-type]
    pooling: Literal["mean", "first", "subword"] = "mean"
    batch_size: PositiveInt = 32
    device: Optional[str] = None
    threshold: Unit = 1e-3
    temperature: Optional[Positive] = None
    distortion: Unit = 0.0
    max_length: Optional[PositiveInt] = None
    num_threads: Optional[PositiveInt] = None
    cache_size: NonNegativeInt = 50_000
    min_score: Optional[Cosine] = None
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = "float32"
    center: Literal["none", "batch", "sentence"] = "none"
    skip_space: Flag = True

    @field_validator("layer")
    @classmethod
    def _some(cls, v):
        if isinstance(v, list) and not v:
            raise ValueError("give at least one layer")
        return v


def _check_member_name(name: str, loc: tuple) -> None:
    from ..registry import names

    base, _, method = name.partition(":")
    if base not in names("aligner"):
        fail(loc, f"unknown aligner {name!r} (known: {', '.join(names('aligner'))})", name)
    if method and base != "embedding":
        fail(loc, f"only embedding members take ':method', not {name!r}", name)
    if method and method not in METHODS:
        fail(loc, f"unknown extraction method {method!r} (use one of {', '.join(METHODS)})", name)


def _check_spec(spec: Optional[str], loc: tuple) -> None:
    import re

    for name in re.split(r"\s*[+|&]\s*", (spec or "").strip()) if spec else []:
        _check_member_name(name, loc)


class VoteOptions(Options):
    members: list[str] = Field(default_factory=lambda: ["eflomal", "embedding:argmax", "embedding:itermax",
                                                        "lexical"], min_length=1)
    weights: Optional[list[NonNegative]] = None
    threshold: Unit = 0.5
    use_scores: Flag = False
    similarity_weight: NonNegative = 0.0
    model: Optional[str] = None
    options: dict[str, Any] = Field(default_factory=dict)
    scores: Literal["vote", "similarity", "none"] = "vote"
    confirm_similarity: Optional[Cosine] = None
    confirm_member: str = "eflomal"
    confirm_weight: Positive = 1.0
    trust_pairs: Optional[PositiveInt] = None

    @field_validator("members")
    @classmethod
    def _names(cls, v):
        for k, name in enumerate(v):
            _check_member_name(name, (k,))
        return v

    @field_validator("options")
    @classmethod
    def _member_options(cls, v, info):
        members = info.data.get("members") or []
        return check_components("aligner", v, allowed=set(members) | {m.partition(":")[0] for m in members})

    @model_validator(mode="after")
    def _consistent(self):
        if self.weights is not None and len(self.weights) != len(self.members):
            raise ValueError(f"{len(self.weights)} weights for {len(self.members)} members")
        if self.confirm_similarity is not None and self.confirm_member not in self.members:
            raise ValueError(f"confirm_member {self.confirm_member!r} is not one of the members")
        if self.trust_pairs is not None and self.confirm_similarity is None:
            raise ValueError("trust_pairs needs confirm_similarity (it lifts that check)")
        return self


class RescueOptions(Options):
    statistical: str = "eflomal"
    method: Literal[METHODS] = "argmax"  # type: ignore[valid-type]
    filter_threshold: Optional[Cosine] = 0.3
    rescue_threshold: Optional[Cosine] = 0.5
    lexical: Flag = True
    model: Optional[str] = None
    embedding: dict[str, Any] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("statistical")
    @classmethod
    def _name(cls, v):
        _check_member_name(v, ())
        return v

    @field_validator("embedding")
    @classmethod
    def _embedding(cls, v):
        EmbeddingOptions.model_validate(v)
        return v

    @field_validator("options")
    @classmethod
    def _members(cls, v):
        return check_components("aligner", v)


class SameLanguageOptions(Options):
    threshold: Unit = 0.7
    min_length: PositiveInt = 4
    model: Optional[str] = None
    neural: Flag = True
    embedding: dict[str, Any] = Field(default_factory=dict)
    statistical: Optional[str] = None
    statistical_options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("embedding")
    @classmethod
    def _embedding(cls, v):
        EmbeddingOptions.model_validate(v)
        return v

    @model_validator(mode="after")
    def _statistical(self):
        if self.statistical is not None:
            check_components("aligner", {self.statistical: self.statistical_options})
        elif self.statistical_options:
            raise ValueError("statistical_options without a statistical aligner")
        return self


class BackTranslationOptions(Options):
    translations: Union[str, list[list[str]], None] = None
    translator: Any = Field(default=None, description="an object with translate(texts) (code only)")
    cross: str = "embedding"
    direct: Optional[str] = "embedding"
    combine: Literal["augment", "union", "intersection"] = "augment"
    model: Optional[str] = None
    same_language: SameLanguageOptions = Field(default_factory=SameLanguageOptions)
    options: dict[str, Any] = Field(default_factory=dict)
    tokenize: Flag = False

    @field_validator("cross", "direct")
    @classmethod
    def _spec(cls, v):
        _check_spec(v, ())
        return v

    @field_validator("options")
    @classmethod
    def _members(cls, v):
        return check_components("aligner", v)


# -- factories ------------------------------------------------------------------------------
def _own_bitext(items: list, shared: Shared) -> list:
    out = []
    for item in items:
        if isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(x, (str, os.PathLike)) for x in item):
            if shared.open_bitext is not None:
                item = shared.open_bitext(*item)
        out.append(item)
    return out


def eflomal(shared: Shared | None = None, **options: Any) -> Aligner:
    from .eflomal import EflomalAligner

    o = parse_options(EflomalOptions, options, "aligner 'eflomal'")
    shared = shared or Shared()
    lowercase = o.lowercase if o.lowercase is not None else (shared.lowercase if shared.lowercase is not None else True)
    return EflomalAligner(symmetrization=o.symmetrization, lowercase=lowercase,
                          bitext=_own_bitext(o.bitext, shared) + list(shared.bitext), model=o.model,
                          n_iterations=o.n_iterations, n_samplers=o.n_samplers, null_prior=o.null_prior,
                          prefix_len=o.prefix_len, priors=o.priors, reverse_priors=o.reverse_priors,
                          bitext_limit=o.bitext_limit,
                          seed=o.seed if o.seed is not None else shared.seed, normalize=o.normalize,
                          spelling_prior=o.spelling_prior)


def lexical(shared: Shared | None = None, **options: Any) -> Aligner:
    from .lexical import LexicalAligner

    return LexicalAligner(**parse_options(LexicalOptions, options, "aligner 'lexical'").model_dump())


def embedding(shared: Shared | None = None, **options: Any) -> Aligner:
    from .embedding import EmbeddingAligner

    shared = shared or Shared()
    kw = parse_options(EmbeddingOptions, options, "aligner 'embedding'").model_dump()
    kw["model"] = kw["model"] or shared.encoder
    return EmbeddingAligner(**kw, encoders=shared.pool())


def embedding_vote(shared: Shared | None = None, **options: Any) -> Aligner:
    from .build import build_member
    from .ensemble import VoteAligner

    o = parse_options(VoteOptions, options, "aligner 'embedding-vote'")
    shared = (shared or Shared()).with_encoder(o.model)
    members = [build_member(n, o.options.get(n, o.options.get(n.partition(":")[0])), shared) for n in o.members]
    return VoteAligner(members, names=o.members, weights=o.weights, threshold=o.threshold, use_scores=o.use_scores,
                       similarity_weight=o.similarity_weight, scores=o.scores,
                       confirm_similarity=o.confirm_similarity, confirm_member=o.confirm_member,
                       confirm_weight=o.confirm_weight, trust_pairs=o.trust_pairs)


def embedding_rescue(shared: Shared | None = None, **options: Any) -> Aligner:
    from .build import build_member
    from .ensemble import RescueAligner

    o = parse_options(RescueOptions, options, "aligner 'embedding-rescue'")
    shared = (shared or Shared()).with_encoder(o.model)
    opts = {k: dict(v) for k, v in o.options.items()}
    emb = {**opts.get("embedding", {}), **o.embedding, "method": o.method}
    stat = build_member(o.statistical, opts.get(o.statistical), shared)
    neural = build_member("embedding", emb, shared)
    lex = build_member("lexical", opts.get("lexical"), shared) if o.lexical else None
    return RescueAligner(stat, neural, lex, filter_threshold=o.filter_threshold, rescue_threshold=o.rescue_threshold)


def _same_language(o: SameLanguageOptions, shared: Shared) -> Aligner:
    from .backtranslation import SameLanguageAligner
    from .build import build_member

    model = o.model or (shared.encoder if o.neural else None)
    neural = build_member("embedding", {"method": "itermax", **o.embedding, "model": model}, shared) if model else None
    stat = build_member(o.statistical, o.statistical_options, shared) if o.statistical else None
    return SameLanguageAligner(threshold=o.threshold, min_length=o.min_length, neural=neural, statistical=stat)


def same_language(shared: Shared | None = None, **options: Any) -> Aligner:
    o = parse_options(SameLanguageOptions, options, "aligner 'same-language'")
    return _same_language(o, shared or Shared())


def backtranslation(shared: Shared | None = None, **options: Any) -> Aligner:
    from .backtranslation import BackTranslationAligner
    from .build import build_spec

    o = parse_options(BackTranslationOptions, options, "aligner 'backtranslation'")
    if o.translations is None and o.translator is None:
        from ..errors import ConfigError

        raise ConfigError("backtranslation: give translations (a file or a list) or a translator")
    shared = (shared or Shared()).with_encoder(o.model)
    cross = build_spec(o.cross, o.options, shared)
    direct = build_spec(o.direct, o.options, shared) if o.direct else None
    return BackTranslationAligner(translations=o.translations, translator=o.translator, cross=cross, direct=direct,
                                  combine=o.combine, same=_same_language(o.same_language, shared),
                                  tokenize=o.tokenize)


for _f, _o in ((eflomal, EflomalOptions), (lexical, LexicalOptions), (embedding, EmbeddingOptions),
               (embedding_vote, VoteOptions), (embedding_rescue, RescueOptions), (same_language, SameLanguageOptions),
               (backtranslation, BackTranslationOptions)):
    _f.Options = _o  # type: ignore[attr-defined]
