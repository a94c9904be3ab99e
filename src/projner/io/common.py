"""File plumbing shared by the readers and writers: UTF-8, transparent gzip,
errors that name file and line, and atomic writes (:mod:`projner.io.atomic`)."""

from __future__ import annotations

import contextlib
import gzip
import os
import tempfile
import zlib
from pathlib import Path
from typing import IO, Iterator

from ..errors import InputError
from .atomic import atomic_write, check_writable  # noqa: F401  (atomic_write: re-exported)

GZIP_MAGIC = b"\x1f\x8b"


def _open_binary(path: str | os.PathLike) -> IO[bytes]:
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", p)
    if p.is_dir():
        raise InputError("is a directory, expected a file", p)
    try:
        fh = open(p, "rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", p) from None
    head = fh.peek(2)[:2] if hasattr(fh, "peek") else b""
    if head == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=fh, mode="rb")  # type: ignore[return-value]
    return fh


def _cr_lines(fh: IO[bytes]) -> Iterator[bytes]:
    """The file's lines; a file whose first line break is a lone CR (classic Mac
    line ends) is split at CRs instead of LFs."""
    first = True
    for raw in fh:
        if first:
            first = False
            cr = raw.find(b"\r")
            if cr != -1 and cr < len(raw.rstrip(b"\r\n")) and raw[cr + 1: cr + 2] != b"\n":
                yield from _split_cr(raw, fh)
                return
        yield raw


def _split_cr(first: bytes, fh: IO[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in (first, *fh):
        parts = (pending + chunk).replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        pending = parts.pop()
        for part in parts:
            yield part + b"\n"
    if pending:
        yield pending


Span = tuple  # (first byte, end byte, number of the first line): a part of a plain file


def iter_lines(path: str | os.PathLike, span: Span | None = None) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for every line, newline stripped, 1-based.

    Reads UTF-8 (a BOM is dropped), gzip by content. Decoding problems raise
    :class:`InputError` naming the file and line. ``span`` = ``(start, end,
    first_line)`` reads only bytes ``[start, end)`` of a plain (not gzip, LF or CRLF)
    file, whose first line is line ``first_line`` of the file (see
    :func:`projner.io.ranges.index_records`): a shard of a large file, read where it lies.
    """
    fh = _open_binary(path)
    with fh:
        lineno = 0 if span is None else span[2] - 1
        try:
            for raw in (_cr_lines(fh) if span is None else _span_lines(fh, span)):
                lineno += 1
                if b"\x00" in raw:
                    raise InputError("binary data (NUL byte); expected UTF-8 text", path, lineno)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"not valid UTF-8 (byte {exc.start + 1} of the line)", path, lineno
                    ) from None
                if lineno == 1 and text.startswith("\ufeff"):
                    text = text[1:]
                yield lineno, text.rstrip("\r\n")
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise InputError(f"cannot read file: {exc}", path, lineno + 1) from None


def _span_lines(fh: IO[bytes], span: Span) -> Iterator[bytes]:
    start, end = int(span[0]), int(span[1])
    fh.seek(start)
    data = fh.read(end - start)
    if len(data) != end - start:
        raise InputError(f"file changed while it was read: bytes {start}-{end} are not all there", fh.name)
    parts = data.split(b"\n")
    last = parts.pop()
    for part in parts:
        yield part + b"\n"
    if last:
        yield last


def load_json_line(line: str, path=None, lineno: int | None = None):
    """``json.loads`` whose every failure is an :class:`InputError` at file and line."""
    import json

    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", path, lineno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", path, lineno) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise InputError(f"invalid JSON: {str(exc)[:120]}", path, lineno) from None


def count_lines(path: str | os.PathLike) -> int:
    n = 0
    for n, _ in iter_lines(path):
        pass
    return n


def _check_writable_dir(path: Path) -> Path:
    """Fail before any work when ``path`` cannot be written (kept for older callers)."""
    return check_writable(path)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """Build a folder completely or not at all: the block fills a temporary sibling,
    which replaces ``path`` (an existing folder there is removed) only when the block
    finishes without an exception."""
    import shutil

    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        yield tmp
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_lines(path: str | os.PathLike, lines) -> int:
    """Atomically write an iterable of lines (without newlines); returns the count."""
    n = 0
    with atomic_write(path) as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")
            n += 1
    return n
