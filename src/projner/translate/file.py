"""Pre-computed translations: translation i translates input i.

    tr = FileTranslator("train.de.txt")
    tr.translate(source_texts)   # InputError when the counts differ

The file is plain text, one translation per line (``format="text"``), or
already tokenised sentences: CoNLL (``conll``; token in the first column, the
label column is ignored, blank lines between sentences) or projner JSONL
(``jsonl``; ``tokens``, spans ignored). ``auto`` (the default) detects the
format with :func:`projner.io.detect_format`. Tokenised translations are
returned as their tokens joined by single spaces, and :attr:`pretokenized` is
true: split them on white space, not with a word tokenizer, to get the file's
tokens back unchanged (tokens never contain white space).

CoNLL ``-DOCSTART-`` blocks are dropped, as projner's CoNLL reader drops them
from the source; :meth:`follow_docstarts` instead drops the blocks at the
``-DOCSTART-`` positions of a block-parallel CoNLL source (machine translation
sometimes mangles the marker, e.g. ``-OCSTART-``).

Repeated calls continue where the previous one stopped, so a pipeline may
translate in several batches; :meth:`check_consumed` verifies that every
translation was used.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from ..errors import InputError
from ..io.common import iter_lines

__all__ = ["FileTranslator", "TRANSLATION_FORMATS"]

TRANSLATION_FORMATS = ("auto", "text", "conll", "jsonl")


class FileTranslator:
    """Parameters: ``path`` (UTF-8, ``.gz`` allowed), ``strict`` (the number of
    translations must equal the number of texts of a single :meth:`translate`
    call), ``format`` (``auto``, ``text``, ``conll`` or ``jsonl``)."""

    def __init__(self, path: str | os.PathLike, strict: bool = True, format: str = "auto") -> None:
        from ..io import detect_format

        self.path = os.fspath(path)
        self.name = f"file:{os.path.basename(self.path)}"
        self.strict = strict
        if format not in TRANSLATION_FORMATS:
            raise InputError(f"unknown translations format {format!r} (use one of {', '.join(TRANSLATION_FORMATS)})")
        self.format = detect_format(self.path) if format == "auto" else format
        self.pretokenized = self.format in ("conll", "jsonl")
        self._blocks: list[tuple[str, ...]] | None = None  # CoNLL blocks, -DOCSTART- included
        self._docstart: list[bool] | None = None
        if self.format == "text":
            self.lines = [line for _, line in iter_lines(self.path)]
        elif self.format == "conll":
            from ..io import read_conll

            sents = list(read_conll(self.path, labels=False, keep_docstart=True))
            self._blocks = [s.tokens for s in sents]
            self._docstart = [bool(s.meta.get("docstart")) for s in sents]
            self.lines = [" ".join(t) for t, d in zip(self._blocks, self._docstart) if not d]
        else:
            from ..io import read_jsonl

            self.lines = [" ".join(s.tokens) for s in read_jsonl(self.path, labels=False)]
        self.offset = 0

    @property
    def unit(self) -> str:
        if self.format == "text":
            return "lines"
        if self.format == "conll":
            return "sentences (CoNLL, -DOCSTART- blocks dropped)"
        return "sentences (JSONL)"

    def follow_docstarts(self, reference: Sequence[bool]) -> bool:
        """Keep CoNLL translations parallel to a CoNLL source read with ``-DOCSTART-``
        dropped: ``reference[i]`` tells whether block i of the source is a
        ``-DOCSTART-``. When the file has as many blocks (``-DOCSTART-`` included) as
        the source and each of its own ``-DOCSTART-`` blocks sits at a source
        ``-DOCSTART-`` position, the blocks at the source's ``-DOCSTART-`` positions are
        dropped (whatever they hold). Otherwise nothing changes (the file's own
        ``-DOCSTART-`` blocks stay dropped). Returns whether the source positions were used."""
        if self._blocks is None or self._docstart is None or self.offset:
            return False
        ref = [bool(x) for x in reference]
        if len(ref) != len(self._blocks) or any(d and not r for d, r in zip(self._docstart, ref)):
            return False
        self.lines = [" ".join(t) for t, r in zip(self._blocks, ref) if not r]
        return True

    def count_error(self, n: int) -> InputError:
        return InputError(
            f"translation file has {len(self.lines)} {self.unit} but there are {n} sentences to translate "
            f"(one translation per {'line' if self.format == 'text' else 'sentence'}, in the same order)",
            self.path,
        )

    def cache_key(self) -> dict[str, Any]:
        st = os.stat(self.path)
        key = {"backend": "file", "path": os.path.abspath(self.path), "size": st.st_size, "mtime": int(st.st_mtime)}
        if self.format != "text":
            key["format"] = self.format
        return key

    def translate(self, texts: Sequence[str]) -> list[str]:
        n = len(texts)
        if self.strict and self.offset == 0 and n != len(self.lines):
            raise self.count_error(n)
        if self.offset + n > len(self.lines):
            raise InputError(
                f"translation file has {len(self.lines)} {self.unit} but at least {self.offset + n} sentences were translated",
                self.path,
            )
        out = self.lines[self.offset : self.offset + n]
        self.offset += n
        return out

    def check_consumed(self) -> None:
        if self.offset != len(self.lines):
            raise InputError(
                f"translation file has {len(self.lines)} {self.unit} but only {self.offset} sentences were translated",
                self.path,
            )
