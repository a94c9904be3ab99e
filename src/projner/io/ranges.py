"""Where the records of a large file lie: byte ranges for reading it in parts.

A cluster reads a corpus fastest when every worker reads its own part of the files
(``--engine ray``): one quick pass finds, for every ``shard_size``-th record, the
byte where it starts and its line number, and each worker then reads just its bytes
with the ordinary readers (``read_sentences(..., span=...)``, ``read_talp(..., span=...)``),
so every check and every error message (file and line) is the same as in one pass.

Records are what the readers yield: a line (``text``, ``raw``, talp links), a
non-blank line (``jsonl``), a block of non-blank lines between blank lines or
``-DOCSTART-`` lines (``conll``). A file that cannot be cut by bytes (gzip, classic
Mac line ends, another format) gets ``None`` and is read in one pass as before.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from ..errors import InputError
from .common import GZIP_MAGIC, _open_binary
from .conll import columns

SPLITTABLE = ("conll", "jsonl", "text", "raw", "talp")
BOM = b"\xef\xbb\xbf"
_ASCII_SPACE = b" \t\n\r\x0b\x0c"


class Index(NamedTuple):
    """``records`` in the file; ``spans[k]`` = ``(start byte, end byte, first line)`` of part k."""

    records: int
    spans: list


def index_records(path: str | os.PathLike, fmt: str, shard_size: int) -> Index | None:
    """Cut ``path`` (format ``fmt``) into parts of ``shard_size`` records; None when it
    cannot be cut by bytes (see the module text)."""
    if fmt not in SPLITTABLE or shard_size < 1:
        return None
    with open(path, "rb") as probe:
        head = probe.read(2)
        first = probe.readline() if head != GZIP_MAGIC else b""
    if head == GZIP_MAGIC or _lone_cr(head + first):
        return None
    record = _conll_starts if fmt == "conll" else _nonblank_starts if fmt == "jsonl" else _line_starts
    starts: list[tuple[int, int]] = []  # (byte, line) of every shard_size-th record
    n = 0
    fh = _open_binary(path)
    with fh:
        for byte, line in record(fh, path):
            if n % shard_size == 0:
                starts.append((byte, line))
            n += 1
        size = fh.tell()
    spans = []
    for k, (byte, line) in enumerate(starts):
        start = 0 if k == 0 else byte
        end = starts[k + 1][0] if k + 1 < len(starts) else size
        spans.append((start, end, 1 if k == 0 else line))
    return Index(n, spans)


def _lone_cr(first_line: bytes) -> bool:
    """The file's first line break is a lone CR (see ``io.common._cr_lines``)."""
    body = first_line.rstrip(b"\r\n")
    cr = body.find(b"\r")
    return cr != -1 and first_line[cr + 1: cr + 2] != b"\n"


def _line_starts(fh, path):
    byte = 0
    for lineno, raw in enumerate(fh, 1):
        yield byte, lineno
        byte += len(raw)


def _blank(raw: bytes, lineno: int) -> bool:
    """The line is white space only, as ``str.strip`` sees it after decoding."""
    if lineno == 1 and raw.startswith(BOM):
        raw = raw[3:]
    rest = raw.lstrip(_ASCII_SPACE)
    if not rest:
        return True
    if rest[0] < 0x80 and not 0x1c <= rest[0] <= 0x1f:
        return False
    return not raw.decode("utf-8", "replace").strip()


def _nonblank_starts(fh, path):
    byte = 0
    for lineno, raw in enumerate(fh, 1):
        if not _blank(raw, lineno):
            yield byte, lineno
        byte += len(raw)


def _conll_starts(fh, path):
    byte = 0
    inside = False
    for lineno, raw in enumerate(fh, 1):
        if _blank(raw, lineno):
            inside = False
        elif b"-DOCSTART-" in raw and _docstart(raw, lineno):
            if inside:
                raise InputError("-DOCSTART- inside a sentence (a blank line must come before it)", path, lineno)
        else:
            if not inside:
                yield byte, lineno
            inside = True
        byte += len(raw)


def _docstart(raw: bytes, lineno: int) -> bool:
    text = raw.decode("utf-8", "replace").rstrip("\r\n")
    if lineno == 1 and text.startswith("\ufeff"):
        text = text[1:]
    return columns(text)[0] == "-DOCSTART-"
