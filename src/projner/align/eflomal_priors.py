"""Spelling priors for eflomal: what a few hundred pairs cannot teach it.

With few pairs most words are seen once or twice, and eflomal's sampler has nothing
to go on for them: a rare source word is linked to whatever target word is left over
(often an adjective, or the sentence's other rare word: the "garbage collector" of
IBM-style models). Words spelt alike in the two languages (names, numbers and
cognates such as ``restaurant``/``restaurante``, ``service``/``servicio``,
``ambience``/``ambiance``) are the one clue that needs no statistics.

:func:`spelling_pairs` finds, within each sentence pair, the source and target words
whose folded spellings are the same (numbers, or words of at least ``min_length``
characters) or similar (:func:`~projner.text.similarity.token_similarity` at least
``threshold``: the same first letter, then edit or prefix similarity), in the first
:data:`SPELLING_PAIRS_LIMIT` pairs (enough for the few-pairs case the priors are for;
a large corpus has the statistics). :func:`write_spelling_priors` gives each such
word pair ``alpha`` Dirichlet pseudo-counts in eflomal's lexical prior (as if it had
been seen linked ``alpha`` times): once per word pair, not per occurrence, so the
prior decides for rare words and is drowned by the evidence for frequent ones.
eflomal maps the prior's words through its own stemming (``prefix_len``).
"""

from __future__ import annotations

import os
from typing import Sequence

from ..text.similarity import fold, is_number, token_similarity

SPELLING_PAIRS_LIMIT = 10_000


def spelling_pairs(src_lines: Sequence[str], tgt_lines: Sequence[str], *, min_length: int = 4,
                   threshold: float = 0.75) -> set[tuple[str, str]]:
    """``(source word, target word)`` pairs spelt alike that occur in the same line pair
    (lines as eflomal reads them: space-separated words; the first
    :data:`SPELLING_PAIRS_LIMIT` pairs)."""
    out: set[tuple[str, str]] = set()
    seen: dict[tuple[str, str], bool] = {}
    for s_line, t_line in zip(src_lines[:SPELLING_PAIRS_LIMIT], tgt_lines[:SPELLING_PAIRS_LIMIT]):
        by_first: dict[str, set[str]] = {}
        for t in set(t_line.split()):
            if _usable(t, min_length):
                by_first.setdefault(fold(t)[:1], set()).add(t)
        if not by_first:
            continue
        for s in set(s_line.split()):
            if not _usable(s, min_length):
                continue
            for t in by_first.get(fold(s)[:1], ()):
                key = (s, t)
                ok = seen.get(key)
                if ok is None:
                    ok = seen[key] = _alike(s, t, min_length, threshold)
                if ok:
                    out.add(key)
    return out


def _usable(word: str, min_length: int) -> bool:
    return "\t" not in word and (is_number(word) or len(word) >= min_length and any(c.isalpha() for c in word))


def _alike(s: str, t: str, min_length: int, threshold: float) -> bool:
    if is_number(s) or is_number(t):
        return s == t
    if abs(len(s) - len(t)) > (1 - threshold) * max(len(s), len(t)):
        return False  # neither edit nor prefix similarity can reach the threshold
    return token_similarity(s, t, min_length) >= threshold


def write_spelling_priors(path: str | os.PathLike, pairs: set[tuple[str, str]], alpha: float,
                          base: str | os.PathLike | None = None) -> int:
    """Write an eflomal priors file: the lines of ``base`` (a user's priors file), if
    any, then one ``LEX`` line per pair. Returns the number of ``LEX`` lines added."""
    with open(path, "w", encoding="utf-8") as out:
        if base is not None:
            with open(base, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        out.write(line if line.endswith("\n") else line + "\n")
        for s, t in sorted(pairs):
            out.write(f"LEX\t{s}\t{t}\t{alpha:g}\n")
    return len(pairs)

