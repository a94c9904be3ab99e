"""Readers and writers: CoNLL, JSONL, plain text, Pharaoh/talp alignments.

All readers stream, read UTF-8 and gzip transparently, and raise
:class:`projner.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import InputError
from ..types import Sentence
from .bitext import BitextFiles, bitext_sources, read_bitext, resolve_bitext_options
from .common import atomic_write, count_lines, iter_lines, write_lines
from .conll import format_conll, read_conll, write_conll
from .jsonl import read_jsonl, sentence_to_json, write_jsonl
from .tags import SCHEMES, check_scheme
from .talp import format_talp, parse_talp_line, read_talp, write_talp
from .text import read_text, write_text

__all__ = [
    "BitextFiles",
    "bitext_sources",
    "read_bitext",
    "resolve_bitext_options",
    "atomic_write",
    "count_lines",
    "iter_lines",
    "write_lines",
    "read_conll",
    "write_conll",
    "format_conll",
    "read_jsonl",
    "write_jsonl",
    "sentence_to_json",
    "read_text",
    "write_text",
    "read_talp",
    "write_talp",
    "format_talp",
    "parse_talp_line",
    "read_sentences",
    "write_sentences",
    "detect_format",
    "FORMATS",
]

FORMATS = ("auto", "conll", "jsonl", "text", "raw")
_TAG_RE = re.compile(r"^(?:O|[BIESLU]-\S+)$")


def detect_format(path: str | os.PathLike) -> str:
    """Guess ``conll``, ``jsonl`` or ``text`` from the name, then the first lines."""
    name = Path(path).name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".json")):
        return "jsonl"
    if any(name.endswith(ext) for ext in (".conll", ".conll02", ".conll03", ".conllu", ".bio", ".iob", ".iob2", ".bioes")):
        return "conll"
    seen = 0
    tagged = 0
    for _, line in iter_lines(path):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            return "jsonl"
        cols = line.split("\t") if "\t" in line else line.split()
        seen += 1
        if 2 <= len(cols) <= 12 and (_TAG_RE.match(cols[-1]) or cols[0] == "-DOCSTART-"):
            tagged += 1
        if seen >= 20:
            break
    return "conll" if seen and tagged == seen else "text"


def read_sentences(
    path: str | os.PathLike,
    fmt: str = "auto",
    *,
    labels: bool = True,
    scheme: str = "iob2",
    lowercase: bool = False,
    repair: bool = False,
) -> Iterator[Sentence]:
    """Read sentences in ``fmt`` (``auto``, ``conll``, ``jsonl``, ``text`` = whitespace
    tokens, ``raw`` = raw text split by the word tokenizer). Labelled CoNLL is read
    under the tag ``scheme``, strictly or with ``repair`` (see :mod:`projner.io.tags`)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    check_scheme(scheme)
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "conll":
        it: Iterable[Sentence] = read_conll(path, scheme=scheme, labels=labels, repair=repair)
    elif fmt == "jsonl":
        it = read_jsonl(path, labels=labels)
    else:
        it = read_text(path, tokenizer="whitespace" if fmt == "text" else "word")
    if lowercase:
        return (Sentence([t.lower() for t in s.tokens], s.spans, meta=s.meta) for s in it)
    return iter(it)


def write_sentences(path: str | os.PathLike, sentences: Iterable[Sentence], fmt: str = "auto") -> int:
    """Write labelled sentences; ``auto`` picks JSONL for ``.jsonl`` names, else CoNLL."""
    if fmt == "auto":
        name = Path(path).name.lower().removesuffix(".gz")
        fmt = "jsonl" if name.endswith((".jsonl", ".json")) else "conll"
    if fmt == "jsonl":
        return write_jsonl(path, sentences)
    if fmt == "conll":
        return write_conll(path, sentences)
    if fmt in ("text", "raw"):
        return write_text(path, sentences)
    raise InputError(f"unknown output format {fmt!r} (use conll, jsonl or text)")
