"""Gold and predicted word alignments in the WPT and JSONL layouts.

- WPT shared-task layout (Mihalcea & Pedersen 2003): one link per line,
  ``SNUM SRC_POS TGT_POS [S|P] [confidence]``, 1-indexed positions; position 0 is
  the NULL word (such links are dropped); sentences are numbered from 1 (or from
  the first number seen when ``first_snum`` says so). A missing S/P is read as S.
- JSONL: one object per sentence. Links under ``alignment`` (or ``links`` /
  ``sure``) and optional ``possible``, each a list of ``[i, j]`` pairs or a talp
  string ``"0-0 1p2"``; 0-indexed unless ``one_indexed``. The multi-binaryalign
  layout (``src_words``, ``tgt_words``, ``alignment``) is read as it is.
- :func:`read_alignments` picks the reader by option or by looking at the file.
"""

from __future__ import annotations

import json
import os
import re
from typing import Iterable, Iterator

from ..errors import InputError
from ..types import Alignment
from .common import load_json_line, atomic_write, iter_lines
from .talp import MAX_INDEX, parse_talp_line, read_talp

__all__ = ["read_wpt", "read_alignment_jsonl", "write_alignment_jsonl", "read_alignments", "detect_alignment_format",
           "ALIGNMENT_FORMATS"]

ALIGNMENT_FORMATS = ("auto", "talp", "wpt", "jsonl")
_WPT_RE = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)(?:\s+([SPsp]))?(?:\s+[-+0-9.eE]+)?\s*$")


def read_wpt(path: str | os.PathLike, n_sentences: int | None = None, *, first_snum: int = 1) -> list[Alignment]:
    """Read a WPT file into one :class:`Alignment` per sentence (0-indexed links).

    Sentences with no links get an empty alignment; ``n_sentences`` pads the end
    (default: up to the highest sentence number).
    """
    by_sent: dict[int, tuple[list, list]] = {}
    last = first_snum - 1
    for lineno, line in iter_lines(path):
        if not line.strip():
            continue
        m = _WPT_RE.match(line)
        if not m:
            raise InputError(f"malformed WPT line {line.strip()[:60]!r}: expected 'SNUM SRC TGT [S|P]'", path, lineno)
        if any(len(g) > 10 for g in m.group(1, 2, 3)):
            raise InputError(f"number too large in WPT line {line.strip()[:60]!r}", path, lineno)
        snum, i, j = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if max(snum, i, j) > MAX_INDEX:
            raise InputError(f"number too large in WPT line {line.strip()[:60]!r} (limit {MAX_INDEX})", path, lineno)
        if snum < first_snum:
            raise InputError(f"sentence number {snum} is below {first_snum}", path, lineno)
        last = max(last, snum)
        if i == 0 or j == 0:  # NULL links
            continue
        links, poss = by_sent.setdefault(snum, ([], []))
        links.append((i - 1, j - 1))
        poss.append((m.group(4) or "S").upper() == "P")
    n = (last - first_snum + 1) if n_sentences is None else n_sentences
    if n_sentences is not None and last - first_snum + 1 > n_sentences:
        raise InputError(f"sentence number {last} but only {n_sentences} sentences expected", path)
    out = []
    for k in range(n):
        links, poss = by_sent.get(first_snum + k, ([], []))
        out.append(Alignment(links, possible=poss if any(poss) else None) if links else Alignment())
    return out


def _links(value, path, lineno, one_indexed: bool) -> tuple[list[tuple[int, int]], list[bool]]:
    if isinstance(value, str):
        a = parse_talp_line(value, path, lineno, one_indexed=one_indexed)
        poss = a.possible.tolist() if a.possible is not None else [False] * len(a)
        return [tuple(x) for x in a.links.tolist()], poss
    if not isinstance(value, list):
        raise InputError("alignment links must be a list of [i, j] pairs or an 'i-j ...' string", path, lineno)
    out = []
    for item in value:
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in item)):
            raise InputError(f"bad link {item!r}: expected [i, j] with integer indices", path, lineno)
        i, j = item
        if one_indexed:
            if i < 1 or j < 1:
                raise InputError(f"link {item!r} has an index below 1 in a 1-indexed file", path, lineno)
            i, j = i - 1, j - 1
        if i < 0 or j < 0:
            raise InputError(f"link {item!r} has a negative index", path, lineno)
        if i > MAX_INDEX or j > MAX_INDEX:
            raise InputError(f"link {str(item)[:60]} has an index larger than {MAX_INDEX}", path, lineno)
        out.append((i, j))
    return out, [False] * len(out)


def parse_alignment_json(line: str, path=None, lineno=None, *, one_indexed: bool = False) -> Alignment:
    obj = load_json_line(line, path, lineno)
    if isinstance(obj, (list, str)):
        obj = {"alignment": obj}
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object per line", path, lineno)
    key = next((k for k in ("alignment", "links", "sure") if k in obj), None)
    if key is None and "possible" not in obj:
        raise InputError("no 'alignment' (or 'links' / 'sure') key", path, lineno)
    links, poss = _links(obj[key], path, lineno, one_indexed) if key else ([], [])
    if "possible" in obj:
        p_links, _ = _links(obj["possible"], path, lineno, one_indexed)
        links += p_links
        poss += [True] * len(p_links)
    for name, side in (("src_words", 0), ("tgt_words", 1)):
        words = obj.get(name)
        if isinstance(words, list) and links and max(x[side] for x in links) >= len(words):
            raise InputError(f"link index out of range for {len(words)} {name}", path, lineno)
    return Alignment(links, possible=poss if any(poss) else None) if links else Alignment()


def read_alignment_jsonl(path: str | os.PathLike, *, one_indexed: bool = False) -> Iterator[Alignment]:
    for lineno, line in iter_lines(path):
        if not line.strip():
            raise InputError("empty line; expected one JSON object per sentence", path, lineno)
        yield parse_alignment_json(line, path, lineno, one_indexed=one_indexed)


def write_alignment_jsonl(path: str | os.PathLike, alignments: Iterable[Alignment]) -> int:
    """Write ``{"alignment": [[i, j], ...], "scores": [...]}`` per sentence (0-indexed)."""
    n = 0
    with atomic_write(path) as fh:
        for a in alignments:
            obj: dict = {"alignment": a.sure().links.tolist()}
            if a.possible is not None and a.possible.any():
                obj["possible"] = a.links[a.possible].tolist()
            if a.scores is not None and a.possible is None:
                obj["scores"] = [round(float(x), 4) for x in a.scores.tolist()]
            fh.write(json.dumps(obj))
            fh.write("\n")
            n += 1
    return n


def detect_alignment_format(path: str | os.PathLike) -> str:
    """``jsonl`` (first line is JSON), ``wpt`` (``SNUM I J [S|P]``) or ``talp``."""
    for _lineno, line in iter_lines(path):
        text = line.strip()
        if not text:
            continue
        if text[0] in "{[":
            return "jsonl"
        if _WPT_RE.match(text) and "-" not in text:
            return "wpt"
        return "talp"
    return "talp"


def read_alignments(path: str | os.PathLike, fmt: str = "auto", *, one_indexed: bool = False,
                    n_sentences: int | None = None) -> list[Alignment]:
    """All alignments of a file in ``talp``, ``wpt`` or ``jsonl`` (``auto`` detects)."""
    if fmt not in ALIGNMENT_FORMATS:
        raise InputError(f"unknown alignment format {fmt!r} (use one of {', '.join(ALIGNMENT_FORMATS)})", path)
    if fmt == "auto":
        fmt = detect_alignment_format(path)
    if fmt == "wpt":
        return read_wpt(path, n_sentences)
    if fmt == "jsonl":
        return list(read_alignment_jsonl(path, one_indexed=one_indexed))
    return list(read_talp(path, one_indexed=one_indexed))
