"""projner: cross-lingual NER by annotation projection."""

from .errors import ConfigError, InputError, ProjnerError, UsageError
from .types import Alignment, Pair, Sentence, Span

__version__ = "0.1.0"

__all__ = [
    "Alignment",
    "Pair",
    "Sentence",
    "Span",
    "ProjnerError",
    "InputError",
    "ConfigError",
    "UsageError",
    "__version__",
]
