"""Plain text: one sentence per line, whitespace-tokenised or raw."""

from __future__ import annotations

import os
from typing import Iterable, Iterator

from ..types import Sentence
from ..text.tokenize import tokenize, whitespace_tokenize
from .common import atomic_write, iter_lines


def read_text(path: str | os.PathLike, *, tokenizer: str = "whitespace", lowercase: bool = False,
              span: tuple | None = None) -> Iterator[Sentence]:
    """One sentence per line; ``tokenizer`` is ``whitespace`` or ``word``.

    Empty lines are kept as empty sentences so that line i stays sentence i.
    """
    split = whitespace_tokenize if tokenizer == "whitespace" else tokenize
    for lineno, line in iter_lines(path, span):
        if lowercase:
            line = line.lower()
        yield Sentence(split(line), meta={"line": lineno})


def read_text_lines(path: str | os.PathLike) -> Iterator[str]:
    for _, line in iter_lines(path):
        yield line


def write_text(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    n = 0
    with atomic_write(path) as fh:
        for s in sentences:
            fh.write(" ".join(s.tokens))
            fh.write("\n")
            n += 1
    return n
