"""Extra parallel text for statistical aligners: file pairs read on demand.

Aligners never read files (``projner.align`` does not import ``projner.io``); the
edge (:func:`projner.resolve.resolve`) hands them :class:`BitextFiles` objects in
their shared resources, whose ``load()`` the aligner calls when it needs the
sentences, or already tokenised sentence pairs.
"""

from __future__ import annotations

import html
import os
from typing import Any, Iterable

from ..errors import InputError

Tokens = list[str]


def read_bitext(src_path: str | os.PathLike, tgt_path: str | os.PathLike, *, fmt: str = "auto",
                limit: int | None = None) -> tuple[list[Tokens], list[Tokens]]:
    """Read a pair of line-parallel files (plain text, CoNLL or JSONL; ``.gz`` allowed).

    Plain text is split by the word tokenizer (idempotent on tokenised text; Moses'
    ``&apos;``-style escapes are undone). CoNLL ``-DOCSTART-`` lines are skipped on
    both sides, so CoNLL files whose translations kept them line for line stay parallel.
    """
    from . import detect_format, read_conll, read_sentences
    from .text import read_text_lines

    def load(path):
        f = detect_format(path) if fmt == "auto" else fmt
        if f == "conll":
            # keep -DOCSTART- lines as placeholders so both sides stay line-parallel
            return [None if s.meta.get("docstart") else list(s.tokens)
                    for s in read_conll(path, labels=False, keep_docstart=True)]
        if f == "text":
            from ..text.tokenize import tokenize

            return [tokenize(html.unescape(line) if "&" in line else line) for line in read_text_lines(path)]
        return [list(s.tokens) for s in read_sentences(path, f, labels=False)]

    src, tgt = load(src_path), load(tgt_path)
    if len(src) != len(tgt):
        raise InputError(
            f"bitext files differ in length: {len(src)} sentences here, {len(tgt)} in {tgt_path}", src_path
        )
    keep = [k for k in range(len(src)) if src[k] is not None and tgt[k] is not None]
    src, tgt = [src[k] for k in keep], [tgt[k] for k in keep]
    if limit is not None:
        src, tgt = src[:limit], tgt[:limit]
    return src, tgt


class BitextFiles:
    """A source/target file pair, read by :func:`read_bitext` when ``load()`` is called."""

    def __init__(self, src: str | os.PathLike, tgt: str | os.PathLike, *, fmt: str = "auto",
                 limit: int | None = None) -> None:
        self.src, self.tgt, self.fmt, self.limit = os.fspath(src), os.fspath(tgt), fmt, limit

    def load(self) -> tuple[list[Tokens], list[Tokens]]:
        return read_bitext(self.src, self.tgt, fmt=self.fmt, limit=self.limit)

    def __str__(self) -> str:
        return f"{self.src} / {self.tgt}"

    def __repr__(self) -> str:
        return f"BitextFiles({self.src!r}, {self.tgt!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BitextFiles) and (self.src, self.tgt, self.fmt, self.limit) == (
            other.src, other.tgt, other.fmt, other.limit)

    def __hash__(self) -> int:
        return hash((self.src, self.tgt, self.fmt, self.limit))


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def bitext_sources(items: Iterable) -> list:
    """``(src_path, tgt_path)`` pairs become :class:`BitextFiles`; tokenised pairs and
    objects with a ``load()`` pass through."""
    out = []
    for item in items:
        if isinstance(item, (tuple, list)) and len(item) == 2 and all(_is_path(x) for x in item):
            out.append(BitextFiles(*item))
        else:
            out.append(item)
    return out
