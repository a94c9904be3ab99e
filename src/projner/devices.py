"""``--device`` and ``--batch-size`` for the neural aligners.

The default is the CPU, offline. ``cuda`` needs a CUDA build of torch, e.g.
``pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cu126``
(pick the index matching your CUDA driver); ``auto`` uses CUDA when torch sees a
GPU and the CPU otherwise. The settings go to every encoder the aligner spec
builds: ``embedding`` members and the encoders inside ``embedding-vote``,
``embedding-rescue``, ``same-language`` and the back-translation aligners.
"""

from __future__ import annotations

import copy
import re

from .config import ProjectionConfig
from .errors import ConfigError

DEVICES = ("cpu", "cuda", "auto")
CUDA_HINT = ("install a CUDA build of torch, e.g. pip install torch==2.13.0 --index-url "
             "https://download.pytorch.org/whl/cu126")


def neural_members(config: ProjectionConfig) -> list[str]:
    """Members of the aligner spec that run an encoder."""
    names = re.split(r"\s*[+|&]\s*", config.aligner)
    return [n for n in names if n.startswith("embedding") or n in ("backtranslation", "same-language")]


def resolve_device(device: str) -> str:
    """``cpu`` / ``cuda`` / ``cuda:N`` / ``auto`` → the torch device to use; refuses
    ``cuda`` when torch has no CUDA device (before any work)."""
    if device != "cpu" and device not in DEVICES and not re.fullmatch(r"cuda:\d+", device):
        raise ConfigError(f"--device must be cpu, cuda, cuda:N or auto, not {device!r}")
    if device == "cpu":
        return "cpu"
    try:
        import torch
    except ImportError:
        raise ConfigError(f"--device {device} needs torch (pip install 'projner[neural]')") from None
    has_cuda = torch.cuda.is_available()
    if device == "auto":
        return "cuda" if has_cuda else "cpu"
    if not has_cuda:
        raise ConfigError(f"--device {device}: torch sees no CUDA device; {CUDA_HINT}")
    return device


def apply_device(config: ProjectionConfig, device: str | None, batch_size: int | None) -> ProjectionConfig:
    """``config`` with the device and batch size set on every encoder of its aligner
    (unchanged when the aligner has no neural member)."""
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ConfigError(f"--batch-size must be a positive integer, not {batch_size!r}")
    members = neural_members(config)
    if not members or (device is None and batch_size is None):
        return config
    settings = {}
    if device is not None:
        settings["device"] = resolve_device(device)
    if batch_size is not None:
        settings["batch_size"] = batch_size
    opts = copy.deepcopy(config.aligner_options)
    for name in members:
        o = opts.setdefault(name, {})
        if name.startswith("embedding-vote"):
            inner = o.setdefault("options", {})
            keys = [k for k in inner if k.startswith("embedding")] or ["embedding"]
            for k in keys:
                inner.setdefault(k, {}).update(settings)
        elif name in ("embedding-rescue", "same-language"):
            o.setdefault("embedding", {}).update(settings)
        elif name in ("backtranslation", "embedding-backtranslation"):
            o.setdefault("options", {}).setdefault("embedding", {}).update(settings)
            o.setdefault("same_language", {}).setdefault("embedding", {}).update(settings)
        else:
            o.update(settings)
    return config.model_copy(update={"aligner_options": opts})
