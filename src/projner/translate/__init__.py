"""Translators behind one protocol (see :mod:`projner.translate.base`)."""

from .base import Translator

__all__ = ["Translator"]
