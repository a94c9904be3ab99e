"""Building aligners by name: a spec such as ``eflomal+lexical`` (members combined
with ``+`` augment, ``|`` union or ``&`` intersection), each member by its
registered factory with its own options and the run's :class:`Shared` resources."""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import ConfigError
from .base import Aligner, Shared
from .combine import CombinedAligner

__all__ = ["build_spec", "build_member", "spec_members"]

_OPS = {"+": "augment", "|": "union", "&": "intersection"}


def spec_members(spec: str) -> tuple[list[str], str | None]:
    """The member names of a spec and its combination (``None`` for one member)."""
    spec = spec.strip()
    ops = set(re.findall(r"[+|&]", spec))
    if len(ops) > 1:
        raise ConfigError(f"aligner {spec!r} mixes combination operators; use one of + | & per spec")
    parts = [p.strip() for p in re.split(r"[+|&]", spec)]
    if not all(parts):
        raise ConfigError(f"aligner {spec!r} has an empty member")
    return parts, (_OPS[ops.pop()] if ops else None)


def build_member(name: str, options: Any = None, shared: Shared | None = None) -> Aligner:
    """One aligner: ``name`` (``embedding:itermax`` = the embedding aligner with that
    extraction method) built by its registered factory from ``options``."""
    from ..registry import get

    base, _, method = name.partition(":")
    factory = get("aligner", base)
    opts = dict(options or {})
    if method:
        if base != "embedding":
            raise ConfigError(f"ensemble member {name!r}: only embedding members take ':method'")
        opts["method"] = method
    try:
        if hasattr(factory, "Options"):
            return factory(shared or Shared(), **opts)
        return factory(**opts)
    except ValueError as exc:
        raise ConfigError(f"aligner {name!r}: {exc}") from None
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise ConfigError(f"aligner {name!r}: {exc}") from None
        raise


def build_spec(spec: str, options: Mapping[str, Any] | None = None, shared: Shared | None = None) -> Aligner:
    """An aligner from a spec; ``options`` maps member names to their options."""
    options = dict(options or {})
    shared = shared or Shared()
    names, how = spec_members(spec)
    members = [build_member(name, options.get(name), shared) for name in names]
    return members[0] if how is None else CombinedAligner(members, how)
