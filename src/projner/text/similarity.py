"""String similarity of words: case and accent folding, edit and prefix similarity.

Pure functions shared by lexical alignment, same-language alignment and
candidate scoring (they live here so that ``align`` and ``project`` need not
import each other)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=200_000)
def fold(token: str) -> str:
    """Case-fold and strip accents: ``Müller`` → ``muller``."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def edit_similarity(a: str, b: str) -> float:
    """1 − Levenshtein distance / length of the longer string."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    if la < lb:
        a, b, la, lb = b, a, lb, la
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != b[j - 1]))
        prev = cur
    return 1.0 - prev[lb] / la


def prefix_similarity(a: str, b: str) -> float:
    """Length of the common prefix over the longer length (cheap, for inflected names)."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n / max(len(a), len(b), 1)


def is_number(tok: str) -> bool:
    return any(c.isdigit() for c in tok) and all(c.isdigit() or c in ".,:/-" for c in tok)


def is_word(tok: str) -> bool:
    return any(c.isalnum() for c in tok)


def token_similarity(s: str, t: str, min_length: int = 4) -> float:
    """Similarity in [0, 1] of two tokens for lexical linking (0 when not comparable)."""
    fs, ft = fold(s), fold(t)
    if fs == ft:
        return 1.0 if is_word(s) else 0.0
    if min(len(fs), len(ft)) < min_length:
        return 0.0
    if fs[0] != ft[0]:
        return 0.0
    return max(edit_similarity(fs, ft), prefix_similarity(fs, ft))
