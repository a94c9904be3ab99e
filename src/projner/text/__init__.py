"""Word splitting and detokenisation."""

from .tokenize import detokenize, tokenize, whitespace_tokenize

__all__ = ["tokenize", "whitespace_tokenize", "detokenize"]
