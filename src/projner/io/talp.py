"""Pharaoh / talp alignments: ``i-j`` per link (0-indexed), one sentence per line.

``ipj`` and ``i?j`` are read as possible links. ``write_talp`` writes sure links.
"""

from __future__ import annotations

import os
import re
from typing import Iterable, Iterator

from ..errors import InputError
from ..types import Alignment
from .common import atomic_write, iter_lines

LINK_RE = re.compile(r"^(\d+)([-p?])(\d+)$")
MAX_INDEX = 2**31 - 1  # links are stored as int32


def parse_talp_line(line: str, path=None, lineno=None, *, one_indexed: bool = False) -> Alignment:
    links, possible = [], []
    for tok in line.split():
        m = LINK_RE.match(tok)
        if not m:
            raise InputError(f"malformed link {tok[:40]!r}: expected i-j, ipj or i?j", path, lineno)
        i, j = int(m.group(1)), int(m.group(3))
        if i > MAX_INDEX or j > MAX_INDEX:
            raise InputError(f"link {tok[:40]!r} has an index larger than {MAX_INDEX}", path, lineno)
        if one_indexed:
            if i == 0 or j == 0:
                raise InputError(f"link {tok!r} has index 0 in a 1-indexed file", path, lineno)
            i, j = i - 1, j - 1
        links.append((i, j))
        possible.append(m.group(2) != "-")
    return Alignment(links, possible=possible if any(possible) else None)


def read_talp(path: str | os.PathLike, *, one_indexed: bool = False, span: tuple | None = None) -> Iterator[Alignment]:
    for lineno, line in iter_lines(path, span):
        yield parse_talp_line(line, path, lineno, one_indexed=one_indexed)


def format_talp(alignment: Alignment) -> str:
    if alignment.possible is None:
        return " ".join(f"{i}-{j}" for i, j in alignment.links.tolist())
    return " ".join(
        f"{i}{'p' if p else '-'}{j}" for (i, j), p in zip(alignment.links.tolist(), alignment.possible.tolist())
    )


def write_talp(path: str | os.PathLike, alignments: Iterable[Alignment]) -> int:
    n = 0
    with atomic_write(path) as fh:
        for a in alignments:
            fh.write(format_talp(a))
            fh.write("\n")
            n += 1
    return n
