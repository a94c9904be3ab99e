"""A word tokenizer that keeps punctuation as tokens.

Rules (Unicode aware, no model): words are runs of letters, marks and digits,
with inner apostrophes, hyphens and periods kept when letters or digits follow
(``don't``, ``Jean-Luc``, ``U.S.``, ``3.5``, ``1,000``); every other non-space
character is its own token. Scripts written without spaces (CJK, Thai) are
split per character for Han/Kana and kept as runs otherwise.
"""

from __future__ import annotations

import re

_WORD = r"[^\W_]"  # letter, digit (Unicode)
_TOKEN_RE = re.compile(
    rf"""
    (?:[\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\uf900-\ufaff])   # one Han/Kana character
  | (?:{_WORD}[\w\u0300-\u036f\u0900-\u0dff]*(?:[\'’\-\.,]{_WORD}[\w\u0300-\u036f\u0900-\u0dff]*)*\.?(?<=\.)(?=\s|$)) # abbreviation ending in '.' like U.S.
  | (?:{_WORD}[\w\u0300-\u036f\u0900-\u0dff]*(?:[\'’\-\.,]{_WORD}[\w\u0300-\u036f\u0900-\u0dff]*)*)
  | \S
    """,
    re.VERBOSE,
)
_ABBREV_RE = re.compile(r"^(?:[^\W\d_]\.){2,}$")


def tokenize(text: str) -> list[str]:
    """Split raw text into word and punctuation tokens."""
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0)
        if tok.endswith(".") and len(tok) > 1 and not _ABBREV_RE.match(tok):
            # a sentence-final period is its own token unless the word is an abbreviation like U.S.
            out.append(tok[:-1])
            out.append(".")
        else:
            out.append(tok)
    return out


def whitespace_tokenize(text: str) -> list[str]:
    return text.split()


_NO_SPACE_BEFORE = set(".,;:!?)]}%»”’")
_NO_SPACE_AFTER = set("([{«“¿¡$")


def detokenize(tokens: list[str]) -> str:
    """Join tokens into text, without spaces before closing punctuation."""
    out = ""
    for i, tok in enumerate(tokens):
        if i and tok not in _NO_SPACE_BEFORE and tokens[i - 1] not in _NO_SPACE_AFTER:
            out += " "
        out += tok
    return out
