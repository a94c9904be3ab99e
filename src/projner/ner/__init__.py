"""Taggers behind one protocol (see :mod:`projner.ner.base`)."""

from .base import Tagger

__all__ = ["Tagger"]
