"""From a validated configuration to built components, once, at the edge.

:func:`resolve` turns a :class:`~projner.config.ProjectionConfig` into the
aligner and the projector of a run. The run's shared resources are made here
and passed down explicitly (:class:`~projner.align.base.Shared`): the encoder
pool (models and vector caches, released when the components are closed), the
extra bitext as :class:`~projner.io.BitextFiles` objects, lowercase and the
seed. Every aligner, ensemble members included, is built by its registered
factory from its validated options; nothing below reads files by name or
routes options by component name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .align.base import Aligner, Shared
from .config import ProjectionConfig
from .errors import ConfigError

__all__ = ["Components", "resolve", "shared_resources", "make_aligner", "make_projector"]


@dataclass
class Components:
    """The built components of a projection run; ``with resolve(cfg) as c: ...``
    releases the encoders (and their vector caches) at the end."""

    config: ProjectionConfig
    projector: Any
    shared: Shared = field(default_factory=Shared)
    _aligner: Aligner | None = None

    @property
    def aligner(self) -> Aligner:
        if self._aligner is None:
            self._aligner = make_aligner(self.config, self.shared)
        return self._aligner

    def close(self) -> None:
        self.shared.close()

    def __enter__(self) -> "Components":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def shared_resources(config: ProjectionConfig) -> Shared:
    """The run's shared resources from its configuration."""
    from .io import BitextFiles

    return Shared(encoder=config.encoder, bitext=tuple(BitextFiles(s, t) for s, t in config.bitext),
                  lowercase=config.lowercase, seed=config.seed, open_bitext=BitextFiles)


def make_aligner(config: ProjectionConfig, shared: Shared | None = None) -> Aligner:
    from .align import build_aligner

    shared = shared if shared is not None else shared_resources(config)
    aligner = build_aligner(config.aligner, config.aligner_options, shared)
    _check_encoders(shared)
    return aligner


def make_projector(config: ProjectionConfig) -> Any:
    from .project import build_projector

    try:
        return build_projector(config.method, **dict(config.projection))
    except TypeError as exc:
        raise ConfigError(f"projection options for {config.method!r}: {exc}") from None


def _check_encoders(shared: Shared) -> None:
    """A local encoder folder that does not exist fails now, before any work."""
    from .align.encoder import check_location

    for enc in shared.encoders or ():
        check_location(enc.model_name)


def resolve(config: ProjectionConfig, *, aligner: bool = True) -> Components:
    """Build the run's components (``aligner=False``: the projector only, e.g. when
    alignments are given; the aligner is then built on first use)."""
    comps = Components(config, make_projector(config), shared_resources(config))
    if aligner:
        _ = comps.aligner
    return comps
