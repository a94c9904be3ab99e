"""One registry that maps names to factories (aligners, projectors, translators, taggers).

Components register themselves with a decorator::

    @register("aligner", "lexical")
    def make_lexical(**options): ...

and are built by name with :func:`create`. Modules holding heavy backends are
registered lazily by dotted path so that importing projner stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from .errors import ConfigError

_FACTORIES: dict[str, dict[str, Callable[..., Any]]] = {}
_LAZY: dict[str, dict[str, str]] = {}


def register(kind: str, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(factory: Callable[..., Any]) -> Callable[..., Any]:
        _FACTORIES.setdefault(kind, {})[name] = factory
        return factory

    return deco


def register_lazy(kind: str, name: str, target: str) -> None:
    """Register ``module:attribute`` as the factory, imported on first use."""
    _LAZY.setdefault(kind, {})[name] = target


def names(kind: str) -> list[str]:
    _import_builtins()
    return sorted(set(_FACTORIES.get(kind, {})) | set(_LAZY.get(kind, {})))


def get(kind: str, name: str) -> Callable[..., Any]:
    _import_builtins()
    if name in _FACTORIES.get(kind, {}):
        return _FACTORIES[kind][name]
    if name in _LAZY.get(kind, {}):
        mod, _, attr = _LAZY[kind][name].partition(":")
        factory = getattr(importlib.import_module(mod), attr)
        _FACTORIES.setdefault(kind, {})[name] = factory
        return factory
    known = ", ".join(names(kind)) or "none"
    raise ConfigError(f"unknown {kind} {name!r} (known: {known})")


def create(kind: str, name: str, **options: Any) -> Any:
    factory = get(kind, name)
    try:
        return factory(**options)
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise ConfigError(f"{kind} {name!r}: {exc}") from None
        raise


_BUILTINS_IMPORTED = False


def _import_builtins() -> None:
    global _BUILTINS_IMPORTED
    if _BUILTINS_IMPORTED:
        return
    _BUILTINS_IMPORTED = True
    # modules whose import registers light-weight components
    for mod in ("projner.align", "projner.project", "projner.translate", "projner.ner"):
        importlib.import_module(mod)
