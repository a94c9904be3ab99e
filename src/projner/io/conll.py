"""CoNLL reader and writer: token in the first column, label in the last.

Two or more columns separated by tabs or spaces; ``-DOCSTART-`` lines skipped;
a blank line between sentences; IOB1, IOB2 and BIOES input; IOB2 output.

An empty sentence (an empty target line) cannot be a block of zero lines, so it is
written as a one-line block ``-EMPTY-<TAB>O`` and read back as an empty sentence:
every record survives the round trip, and tools that do not know the marker see a
one-token sentence, so sentence counts stay parallel. A ``-DOCSTART-`` line inside
a sentence (no blank line before it) is an error, not a silent split.
The label is the last column, or, when the last column is not a tag (a trailing
quality or comment column: ``sushi.<TAB>B-TARGET<TAB>HighQuality``), the rightmost
column that is.
"""

from __future__ import annotations

import os
import re
from typing import Iterable, Iterator

from ..errors import InputError
from ..types import Sentence
from .common import atomic_write, iter_lines
from .tags import TagChecker

EMPTY = "-EMPTY-"  # the one-token block that stands for an empty sentence
_UNWRITABLE = re.compile(r"[\s\x00]")  # what the reader refuses in a token

TAG_RE = re.compile(r"^(?:O|[BIESLU]-\S+)$")


def label_column(cols: list[str]) -> int:
    """Index of the label among ``cols``: the last column, unless it is not a tag and
    an earlier column (after the token) is."""
    if len(cols) <= 2 or TAG_RE.match(cols[-1]):
        return len(cols) - 1
    for k in range(len(cols) - 2, 0, -1):
        if TAG_RE.match(cols[k]):
            return k
    return len(cols) - 1


def columns(line: str) -> list[str]:
    """The columns of a non-blank CoNLL line: tab-separated if it has a tab, else white-space-separated."""
    cols = line.split("\t") if "\t" in line else line.split()
    return [c.strip() for c in cols]


def _token_and_label(cols: list[str], line: str, labels: bool, path, lineno: int) -> tuple[str, str]:
    """The token and label of one CoNLL line (label ``O`` when ``labels`` is off), checked."""
    if labels and len(cols) < 2 and line[:1].isspace():
        raise InputError(f"empty token: the line starts with white space before {cols[0][:60]!r}", path, lineno)
    if labels and len(cols) < 2:
        raise InputError(
            f"expected at least 2 columns (token and label), found {len(cols)}: {line[:60]!r}", path, lineno
        )
    label = cols[label_column(cols)] if labels else "O"
    if not cols[0] or (labels and not label):
        raise InputError(f"empty token or label column: {line[:60]!r}", path, lineno)
    if any(ch.isspace() for ch in cols[0]):
        raise InputError(f"token contains white space: {cols[0][:60]!r}", path, lineno)
    return cols[0], label


def read_conll(
    path: str | os.PathLike,
    *,
    scheme: str = "iob2",
    labels: bool = True,
    keep_docstart: bool = False,
    repair: bool = False,
    span: tuple | None = None,
) -> Iterator[Sentence]:
    """Stream sentences from a CoNLL file.

    With ``labels=False`` the last column is ignored (a CoNLL file used as
    unlabelled target tokens); a single-column file is then accepted too.
    Each sentence carries ``meta["line"]``, the file line of its first token.
    Tags are read under ``scheme`` (:mod:`projner.io.tags`): after a tag that breaks
    it, nothing more is yielded, the rest of the file is checked, and one error
    lists every violation; ``repair=True`` reads them leniently and reports the count.
    ``span``: only a part of the file (:func:`~projner.io.common.iter_lines`).
    """
    tokens: list[str] = []
    tags: list[str] = []
    lines: list[int] = []
    checker = TagChecker(scheme, repair, path)

    def flush() -> Sentence | None:
        if not tokens:
            return None
        if tokens == [EMPTY] and tags[0] == "O":
            sent = None if checker.failed else Sentence([], meta={"line": lines[0]})
            tokens.clear(), tags.clear(), lines.clear()
            return sent
        spans = checker.spans(tags, lines) if labels else ()
        sent = None if checker.failed else Sentence(tokens, spans, meta={"line": lines[0]})
        tokens.clear(), tags.clear(), lines.clear()
        return sent

    for lineno, line in iter_lines(path, span):
        if not line.strip():
            sent = flush()
            if sent is not None:
                yield sent
            continue
        cols = columns(line)
        if cols[0] == "-DOCSTART-":
            if tokens:
                raise InputError("-DOCSTART- inside a sentence (a blank line must come before it)", path, lineno)
            sent = flush()
            if sent is not None:
                yield sent
            if keep_docstart and not checker.failed:
                yield Sentence(["-DOCSTART-"], meta={"line": lineno, "docstart": True})
            continue
        token, label = _token_and_label(cols, line, labels, path, lineno)
        tokens.append(token)
        tags.append(label)
        lines.append(lineno)
    sent = flush()
    if sent is not None:
        yield sent
    checker.finish()


def format_conll(sentence: Sentence, sep: str = "\t") -> str:
    """A sentence's CoNLL lines; an empty sentence is the line ``-EMPTY-<sep>O``.

    A token the reader would refuse (empty, white space, NUL) raises ``ValueError``."""
    if not sentence.tokens:
        return f"{EMPTY}{sep}O\n"
    bad = _UNWRITABLE.search("\x01".join(sentence.tokens))
    if bad or "" in sentence.tokens:
        tok = next(t for t in sentence.tokens if not t or _UNWRITABLE.search(t))
        raise ValueError(f"token {tok[:60]!r} cannot be written to CoNLL (empty, white space or NUL)")
    return "".join(f"{tok}{sep}{tag}\n" for tok, tag in zip(sentence.tokens, sentence.tags()))


def write_conll(path: str | os.PathLike, sentences: Iterable[Sentence], sep: str = "\t") -> int:
    """Write sentences as IOB2 CoNLL (token, tag), atomically. Returns the count."""
    n = 0
    with atomic_write(path) as fh:
        for sent in sentences:
            try:
                block = format_conll(sent, sep)
            except ValueError as exc:
                raise InputError(f"sentence {n + 1}: {exc}", path) from None
            fh.write(block)
            fh.write("\n")
            n += 1
    return n
