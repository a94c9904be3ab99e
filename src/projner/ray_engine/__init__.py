"""``--engine ray``: the same commands on a Ray cluster (optional extra ``ray``).

This package is the only part of projner that imports Ray (``tests/test_architecture``
checks it), and only inside :func:`projner.ray_engine.run.connect` /
:func:`~projner.ray_engine.run.distribute`: Ray Data does the distribution (an
actor pool over a dataset of shards), projner only cuts the shards, records the
finished ones in a manifest and merges the outputs in input order. See docs/scale.md.
"""

from .lists import project_lists
from .run import run

__all__ = ["run", "project_lists"]
