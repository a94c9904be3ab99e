"""Pre-computed translations: one translation per line, line i translating input i.

    tr = FileTranslator("train.de.txt")
    tr.translate(source_texts)   # InputError when the counts differ

Repeated calls continue where the previous one stopped, so a pipeline may
translate in several batches; :meth:`check_consumed` verifies that every line
was used.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from ..errors import InputError
from ..io.common import iter_lines

__all__ = ["FileTranslator"]


class FileTranslator:
    """Parameters: ``path`` (UTF-8 text, ``.gz`` allowed), ``strict`` (the number of
    lines must equal the number of texts of a single :meth:`translate` call)."""

    def __init__(self, path: str | os.PathLike, strict: bool = True) -> None:
        self.path = os.fspath(path)
        self.name = f"file:{os.path.basename(self.path)}"
        self.strict = strict
        self.lines = [line for _, line in iter_lines(self.path)]
        self.offset = 0

    def cache_key(self) -> dict[str, Any]:
        st = os.stat(self.path)
        return {"backend": "file", "path": os.path.abspath(self.path), "size": st.st_size, "mtime": int(st.st_mtime)}

    def translate(self, texts: Sequence[str]) -> list[str]:
        n = len(texts)
        if self.strict and self.offset == 0 and n != len(self.lines):
            raise InputError(
                f"translation file has {len(self.lines)} lines but there are {n} sentences to translate "
                "(one translation per line, in the same order)",
                self.path,
            )
        if self.offset + n > len(self.lines):
            raise InputError(
                f"translation file has {len(self.lines)} lines but at least {self.offset + n} sentences were translated",
                self.path,
            )
        out = self.lines[self.offset : self.offset + n]
        self.offset += n
        return out

    def check_consumed(self) -> None:
        if self.offset != len(self.lines):
            raise InputError(
                f"translation file has {len(self.lines)} lines but only {self.offset} sentences were translated",
                self.path,
            )
