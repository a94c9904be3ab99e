"""Where a model lives: a local folder, or a hub name already in the local cache.

Shared by the translators, taggers and the CLI; no heavy imports.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError, ModelError

__all__ = ["check_model_location", "looks_like_path", "load_error_message", "pick_device"]


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


def load_error_message(model: str, what: str, exc: Exception, offline: bool) -> str:
    """One line saying why ``model`` could not be loaded (projner never downloads)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if not Path(model).exists() and offline:
        return (
            f"cannot load {what} {model!r}: not a local directory and not in the local Hugging Face cache "
            f"(projner never downloads; pass a local path)"
        )
    return f"cannot load {what} {model!r}: {first[:300]}"


def pick_device(device: str) -> str:
    """``cpu``, ``cuda[:N]``, ``mps`` or ``auto`` (cuda when available), checked."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} requested but no CUDA GPU is available")
    if device != "cpu" and not device.startswith(("cuda", "mps")):
        raise ConfigError(f"unknown device {device!r} (use cpu, cuda, cuda:N or auto)")
    return device
