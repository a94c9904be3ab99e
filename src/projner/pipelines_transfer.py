"""Compatibility alias: the transfer pipelines live in :mod:`projner.transfer`."""

from .transfer import *  # noqa: F401,F403
from .transfer import __all__  # noqa: F401
