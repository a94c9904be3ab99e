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
from .bitext import BitextFiles, bitext_sources, read_bitext
from .common import atomic_write, check_writable, count_lines, iter_lines, write_lines
from .conll import TAG_RE, format_conll, label_column, read_conll, write_conll
from .jsonl import read_jsonl, sentence_to_json, write_jsonl
from .tags import SCHEMES, check_scheme
from .talp import format_talp, parse_talp_line, read_talp, write_talp
from .text import read_text, write_text

__all__ = [
    "BitextFiles",
    "bitext_sources",
    "read_bitext",
    "atomic_write",
    "check_writable",
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
    "output_format",
    "FORMATS",
    "OUTPUT_FORMATS",
    "SCHEMES",
]

FORMATS = ("auto", "conll", "jsonl", "text", "raw", "hf", "parquet", "spacy")
OUTPUT_FORMATS = ("auto", "conll", "jsonl", "hf-jsonl", "text", "hf", "parquet", "spacy")
CONLL_SUFFIXES = (".conll", ".conll02", ".conll03", ".conllu", ".bio", ".iob", ".iob2", ".bioes")
_OUTPUT_SUFFIXES = {**{ext: "conll" for ext in CONLL_SUFFIXES + (".txt", ".tsv", ".tab")},
                    ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".spacy": "spacy"}
_TAG_RE = TAG_RE


def detect_format(path: str | os.PathLike) -> str:
    """Guess ``conll``, ``jsonl`` or ``text`` from the name, then the first lines."""
    if Path(path).is_dir() and any((Path(path) / f).is_file() for f in ("state.json", "dataset_dict.json")):
        return "hf"  # a datasets save_to_disk folder
    name = Path(path).name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".json")):
        return "jsonl"
    if name.endswith(CONLL_SUFFIXES):
        return "conll"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".spacy"):
        return "spacy"
    seen = 0
    tagged = 0
    for _, line in iter_lines(path):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            return "jsonl"
        cols = line.split("\t") if "\t" in line else line.split()
        seen += 1
        if 2 <= len(cols) <= 12 and (_TAG_RE.match(cols[label_column(cols)]) or cols[0] == "-DOCSTART-"):
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
    span: tuple | None = None,
) -> Iterator[Sentence]:
    """Read sentences in ``fmt`` (``auto``, ``conll``, ``jsonl``, ``text`` = whitespace
    tokens, ``raw`` = raw text split by the word tokenizer, ``hf`` = a datasets
    ``save_to_disk`` folder, ``parquet``, ``spacy`` = a DocBin). Tags are read under
    the tag ``scheme``, strictly or with ``repair`` (see :mod:`projner.io.tags`).
    ``span`` reads a part of a ``conll``, ``jsonl``, ``text`` or ``raw`` file
    (:func:`projner.io.ranges.index_records`)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    check_scheme(scheme)
    if fmt == "auto":
        fmt = detect_format(path)
    if span is not None and fmt not in ("conll", "jsonl", "text", "raw"):
        raise ValueError(f"a part of a {fmt} input cannot be read by bytes")
    if fmt == "conll":
        it: Iterable[Sentence] = read_conll(path, scheme=scheme, labels=labels, repair=repair, span=span)
    elif fmt == "jsonl":
        it = read_jsonl(path, labels=labels, scheme=scheme, repair=repair, span=span)
    elif fmt in ("hf", "parquet"):
        from .hf import read_hf_disk, read_parquet

        it = (read_hf_disk if fmt == "hf" else read_parquet)(path, labels=labels, scheme=scheme, repair=repair)
    elif fmt == "spacy":
        from .docbin import read_docbin

        it = read_docbin(path, labels=labels)
    else:
        it = read_text(path, tokenizer="whitespace" if fmt == "text" else "word", span=span)
    if lowercase:
        return (Sentence([t.lower() for t in s.tokens], s.spans, meta=s.meta) for s in it)
    return iter(it)


def output_format(path: str | os.PathLike, fmt: str = "auto") -> str:
    """The format ``write_sentences`` will write to ``path``; refuses (before any work)
    a name whose format projner cannot tell or write, rather than writing CoNLL under it."""
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown output format {fmt!r} (use one of {', '.join(OUTPUT_FORMATS)})")
    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    suffix = Path(name.removesuffix(".gz")).suffix
    if fmt == "auto":
        fmt = _OUTPUT_SUFFIXES.get(suffix, "")
        if not fmt:
            raise InputError(
                f"cannot tell the output format from the name (use .conll, .jsonl, .parquet or .spacy, .gz for "
                f"compressed CoNLL/JSONL, or --output-format {'|'.join(OUTPUT_FORMATS[1:])}; hf writes a "
                "datasets save_to_disk folder)", path)
    if gz and fmt in ("hf", "parquet", "spacy"):
        raise InputError(f"{fmt} output cannot be gzip-compressed: drop the .gz", path)
    if fmt == "hf" and Path(path).is_file():
        raise InputError("--output-format hf writes a folder, but this is a file", path)
    if fmt != "hf" and Path(path).is_dir():
        raise InputError("output path is a directory (--output-format hf writes a datasets folder)", path)
    return fmt


def write_sentences(path: str | os.PathLike, sentences: Iterable[Sentence], fmt: str = "auto") -> int:
    """Write labelled sentences in ``fmt`` (see :func:`output_format`); returns the count."""
    fmt = output_format(path, fmt)
    if fmt == "jsonl":
        return write_jsonl(path, sentences)
    if fmt == "conll":
        return write_conll(path, sentences)
    if fmt in ("text", "raw"):
        return write_text(path, sentences)
    if fmt == "spacy":
        from .docbin import write_docbin

        return write_docbin(path, sentences)
    from .hf import write_hf_disk, write_hf_jsonl, write_parquet

    return {"hf": write_hf_disk, "parquet": write_parquet, "hf-jsonl": write_hf_jsonl}[fmt](path, sentences)
