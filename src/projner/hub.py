"""Where a model lives: a local folder, or a hub name already in the local cache.

Shared by the translators, taggers and the CLI; no heavy imports.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ModelError

__all__ = ["check_model_location", "looks_like_path"]


def looks_like_path(name: str) -> bool:
    return (
        os.sep in name
        or name.startswith((".", "~"))
        or (os.altsep is not None and os.altsep in name)
        or Path(name).exists()
        or name.count("/") > 1
    )


def check_model_location(model: str | os.PathLike, what: str = "translation model") -> str:
    """Return ``model`` as a string; a path that does not exist is a :class:`ModelError`."""
    name = os.fspath(model)
    p = Path(name).expanduser()
    if p.exists():
        if not p.is_dir():
            raise ModelError(f"{what} {name!r} is a file; expected a model directory", name)
        return str(p)
    if name.startswith((".", "/", "~")) or name.count("/") > 1 or os.sep == "\\" and "\\" in name:
        raise ModelError(f"{what} not found: no directory {name!r}", name)
    return name  # a hub name such as Helsinki-NLP/opus-mt-en-de, loaded from the local cache only
