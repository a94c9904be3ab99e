"""Bilingual lexicon induction from image-pivoted comparable captions.

Captions of the same image written independently in two languages (Multi30K
task 2) are not translations, but they describe the same scene, so a word and
its translation tend to turn up for the same images. We treat every image as one
"document pair": the set of source words used in any of its source captions and
the set of target words used in any of its target captions, and count, over all
images, in how many images a source word ``e`` and a target word ``f`` occur
together.

Method (choices and why):

1. **Image-level binary co-occurrence.** Counting each word once per image (not
   per caption pair) avoids the 5 × 5 = 25-fold inflation of frequent words and
   does not pretend caption k of one language matches caption k of the other.
2. **Frequency cut-offs.** Words seen in fewer than ``min_count`` images and pairs
   seen together in fewer than ``min_cooc`` images are dropped: association
   scores of rare events are unreliable (and rare pairs are most of the matrix).
   Tokens without a letter (punctuation, numbers) are dropped.
3. **Significance filter: log-likelihood ratio G² (Dunning 1993)** of the 2 × 2
   image contingency table, and positive association (observed > expected).
   G² is the standard association test for sparse counts (Moore 2004 for word
   association in bitext); it removes pairs that co-occur often only because both
   words are frequent ("a" / "und"), which a Dice score alone rewards.
4. **Score: Dice** ``2·c(e,f) / (c(e) + c(f))`` in [0, 1]. Dice rewards pairs of
   similar frequency that nearly always co-occur, which is what a translation
   pair looks like; being bounded it doubles as a weight (eflomal prior, link
   score, candidate score). ``measure="npmi"`` (normalised PMI, clipped to [0, 1])
   is available as an alternative.
5. **Mutual top-k.** Keep ``(e, f)`` only if ``f`` is among ``e``'s ``top_k`` best
   targets and ``e`` among ``f``'s ``top_k`` best sources: a cheap version of
   competitive linking (Melamed 2000) that removes indirect associations (dogs
   co-occur with "Ball", but "Ball"'s best English word is "ball").

Everything is lower-cased (as eflomal does) and vectorised with scipy.sparse.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..errors import InputError
from ..io.common import atomic_write, iter_lines

__all__ = ["LexiconEntry", "Lexicon", "induce_lexicon", "image_bags", "g2", "MEASURES", "write_eflomal_priors"]

MEASURES = ("dice", "npmi")
_HEADER = "# projner caption lexicon: src\ttgt\tscore\tcooc\tsrc_count\ttgt_count\tg2"


@dataclass(frozen=True)
class LexiconEntry:
    src: str
    tgt: str
    score: float
    cooc: int = 0
    src_count: int = 0
    tgt_count: int = 0
    g2: float = 0.0


class Lexicon:
    """A scored bilingual word lexicon (lower-cased entries)."""

    def __init__(self, entries: Iterable[LexiconEntry], meta: dict | None = None) -> None:
        self.entries = sorted(entries, key=lambda e: (-e.score, e.src, e.tgt))
        self.meta = dict(meta or {})
        self._table: dict[str, dict[str, float]] = {}
        for e in self.entries:
            row = self._table.setdefault(e.src, {})
            row[e.tgt] = max(row.get(e.tgt, 0.0), e.score)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[LexiconEntry]:
        return iter(self.entries)

    def __contains__(self, pair) -> bool:
        s, t = pair
        return t.lower() in self._table.get(s.lower(), {})

    def score(self, src: str, tgt: str) -> float:
        """Score of ``(src, tgt)`` (case-insensitive), 0 when absent."""
        return self._table.get(src.lower(), {}).get(tgt.lower(), 0.0)

    def translations(self, src: str, k: int | None = None) -> list[tuple[str, float]]:
        row = sorted(self._table.get(src.lower(), {}).items(), key=lambda x: (-x[1], x[0]))
        return row if k is None else row[:k]

    def top(self, n: int = 20) -> list[LexiconEntry]:
        return self.entries[:n]

    def matrix(self, src_tokens: Sequence[str], tgt_tokens: Sequence[str]) -> np.ndarray:
        """(len(src), len(tgt)) matrix of lexicon scores for a sentence pair."""
        m = np.zeros((len(src_tokens), len(tgt_tokens)), dtype=np.float32)
        if not self._table or not len(src_tokens) or not len(tgt_tokens):
            return m
        tl = [t.lower() for t in tgt_tokens]
        for i, s in enumerate(src_tokens):
            row = self._table.get(s.lower())
            if row:
                for j, t in enumerate(tl):
                    v = row.get(t)
                    if v:
                        m[i, j] = v
        return m

    # files ------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> int:
        """Write a TSV (header line, then one entry per line), atomically."""
        with atomic_write(path) as fh:
            fh.write(_HEADER + "\n")
            meta = {k: v for k, v in self.meta.items() if isinstance(v, (str, int, float, bool, list)) and k != "path"}
            fh.write("# meta: " + json.dumps(meta, ensure_ascii=False, sort_keys=True) + "\n")
            for e in self.entries:
                fh.write(f"{e.src}\t{e.tgt}\t{e.score:.6g}\t{e.cooc}\t{e.src_count}\t{e.tgt_count}\t{e.g2:.6g}\n")
        return len(self.entries)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Lexicon":
        """Read a lexicon TSV: ``src<TAB>tgt<TAB>score`` and optionally the count
        columns written by :meth:`save`; ``#`` lines are comments."""
        entries = []
        meta: dict = {}
        for lineno, line in iter_lines(path):
            if line.startswith("# meta: "):
                try:
                    meta = dict(json.loads(line[len("# meta: "):]))
                except (ValueError, TypeError):
                    raise InputError("invalid '# meta:' line (expected a JSON object)", path, lineno) from None
                continue
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) not in (3, 7):
                raise InputError(
                    f"expected 3 or 7 tab-separated columns (src, tgt, score[, cooc, src_count, tgt_count, g2]), "
                    f"got {len(cols)}", path, lineno)
            src, tgt = cols[0].strip(), cols[1].strip()
            if not src or not tgt or any(c.isspace() for c in src + tgt):
                raise InputError("lexicon words must be non-empty and without spaces", path, lineno)
            try:
                score = float(cols[2])
                extra = [int(cols[3]), int(cols[4]), int(cols[5]), float(cols[6])] if len(cols) == 7 else [0, 0, 0, 0.0]
            except ValueError:
                raise InputError("lexicon score and counts must be numbers", path, lineno) from None
            if not (0.0 <= score <= 1.0) or math.isnan(score):
                raise InputError(f"lexicon score must be in [0, 1], got {cols[2]}", path, lineno)
            entries.append(LexiconEntry(src.lower(), tgt.lower(), score, *extra))
        return cls(entries, {**meta, "path": os.fspath(path)})


def write_eflomal_priors(lexicon: Lexicon, path: str | os.PathLike, *, scale: float = 1.0,
                         min_score: float = 0.0) -> int:
    """Write ``lexicon`` as an eflomal priors file (the format ``eflomal-makepriors``
    writes and ``eflomal.read_priors`` reads): ``LEX<TAB>src<TAB>tgt<TAB>alpha``.

    ``alpha = scale × score`` is a Dirichlet pseudo-count added to the lexical
    translation counts of that word pair (eflomal's own lexical prior is 0.001, and
    ``eflomal-makepriors`` writes link counts), so ``scale`` ≈ how many observed
    links one full-confidence lexicon entry is worth. eflomal lower-cases words when
    it looks priors up. Returns the number of lines written.
    """
    if scale <= 0:
        raise ValueError("prior scale must be positive")
    n = 0
    with atomic_write(path) as fh:
        for e in sorted(lexicon.entries, key=lambda e: (e.src, e.tgt)):
            if e.score < min_score or e.score <= 0:
                continue
            fh.write(f"LEX\t{e.src}\t{e.tgt}\t{scale * e.score:g}\n")
            n += 1
    return n


def _is_word(tok: str) -> bool:
    return any(c.isalpha() for c in tok)


def image_bags(records, src_lang: str, tgt_lang: str, *, tokenize: bool = True
               ) -> Iterator[tuple[set[str], set[str]]]:
    """Per image, the lower-cased word sets of its ``src_lang`` and ``tgt_lang`` captions
    (images lacking either language are skipped). ``records`` are
    :class:`~projner.io.captions.ImageCaptions`."""
    from ..text.tokenize import tokenize as word_tokenize

    split = word_tokenize if tokenize else str.split
    for rec in records:
        a, b = rec.get(src_lang), rec.get(tgt_lang)
        if not a or not b:
            continue
        sa = {t.lower() for c in a for t in split(c) if _is_word(t)}
        sb = {t.lower() for c in b for t in split(c) if _is_word(t)}
        if sa and sb:
            yield sa, sb


def _xlogx(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    pos = x > 0
    out[pos] = x[pos] * np.log(x[pos])
    return out


def g2(c: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Dunning's log-likelihood ratio G² of the 2×2 table with joint count ``c``,
    marginals ``a`` (source) and ``b`` (target), ``n`` documents."""
    c = np.asarray(c, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    k11, k12, k21 = c, a - c, b - c
    k22 = n - a - b + c
    total = (_xlogx(k11) + _xlogx(k12) + _xlogx(k21) + _xlogx(k22)
             - _xlogx(a) - _xlogx(n - a) - _xlogx(b) - _xlogx(n - b) + _xlogx(np.full_like(c, float(n))))
    return np.maximum(2.0 * total, 0.0)


def induce_lexicon(
    bags: Iterable[tuple[Iterable[str], Iterable[str]]],
    *,
    measure: str = "dice",
    min_count: int = 5,
    min_cooc: int = 3,
    min_g2: float = 10.83,
    top_k: int = 3,
    mutual: bool = True,
    min_score: float = 0.0,
    max_doc_freq: float = 1.0,
) -> Lexicon:
    """Induce a lexicon from per-image word bags (see :func:`image_bags`).

    measure: ``dice`` (default) or ``npmi`` (normalised PMI clipped to [0, 1]).
    min_count: a word must occur in at least this many images.
    min_cooc: a pair must co-occur in at least this many images.
    min_g2: G² threshold (10.83 ≈ p < 0.001 with one degree of freedom); pairs must
        also be positively associated.
    top_k, mutual: keep a pair if the target is among the source word's ``top_k``
        (and, with ``mutual``, the source among the target word's ``top_k``).
    max_doc_freq: drop words found in more than this fraction of images.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown association measure {measure!r} (use one of {', '.join(MEASURES)})")
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    X, Y, src_vocab, tgt_vocab, n = _incidence(bags)
    meta = dict(measure=measure, min_count=min_count, min_cooc=min_cooc, min_g2=min_g2, top_k=top_k,
                mutual=mutual, images=n)
    if n == 0:
        return Lexicon((), meta)
    (df_s, keep_s), (df_t, keep_t) = (_frequent(M, n, min_count, max_doc_freq) for M in (X, Y))
    if not len(keep_s) or not len(keep_t):
        return Lexicon((), meta)
    C = (X[:, keep_s].T @ Y[:, keep_t]).tocoo()
    c, i, j = C.data.astype(np.float64), C.row, C.col
    a, b = df_s[keep_s][i], df_t[keep_t][j]
    ok = (c >= min_cooc) & (c * n > a * b)
    i, j, c, a, b = i[ok], j[ok], c[ok], a[ok], b[ok]
    g = g2(c, a, b, n)
    ok = g >= min_g2
    i, j, c, a, b, g = i[ok], j[ok], c[ok], a[ok], b[ok], g[ok]
    score = _association(c, a, b, n, measure)
    ok = score > min_score
    i, j, c, a, b, g, score = i[ok], j[ok], c[ok], a[ok], b[ok], g[ok], score[ok]
    if not len(i):
        return Lexicon((), meta)
    # ranks: ties broken by G² then by the words, so the result is deterministic
    src_words = np.array(sorted(src_vocab, key=src_vocab.get), dtype=object)[keep_s][i]
    tgt_words = np.array(sorted(tgt_vocab, key=tgt_vocab.get), dtype=object)[keep_t][j]
    keep = _ranks(src_words, tgt_words, g, score) < top_k
    if mutual:
        keep &= _ranks(tgt_words, src_words, g, score) < top_k
    entries = [
        LexiconEntry(str(src_words[k]), str(tgt_words[k]), float(round(score[k], 6)), int(c[k]), int(a[k]),
                     int(b[k]), float(round(g[k], 3)))
        for k in np.nonzero(keep)[0]
    ]
    return Lexicon(entries, meta)


def _incidence(bags: Iterable[tuple[Iterable[str], Iterable[str]]]):
    """Image × word incidence matrices of both sides, their vocabularies, the image count."""
    from scipy import sparse

    src_vocab: dict[str, int] = {}
    tgt_vocab: dict[str, int] = {}
    rows_s: list[int] = []
    cols_s: list[int] = []
    rows_t: list[int] = []
    cols_t: list[int] = []
    n = 0
    for sa, sb in bags:
        for w in set(sa):
            rows_s.append(n)
            cols_s.append(src_vocab.setdefault(w, len(src_vocab)))
        for w in set(sb):
            rows_t.append(n)
            cols_t.append(tgt_vocab.setdefault(w, len(tgt_vocab)))
        n += 1
    X = sparse.csr_matrix((np.ones(len(rows_s), np.float32), (rows_s, cols_s)), shape=(n, len(src_vocab)))
    Y = sparse.csr_matrix((np.ones(len(rows_t), np.float32), (rows_t, cols_t)), shape=(n, len(tgt_vocab)))
    return X, Y, src_vocab, tgt_vocab, n


def _frequent(M, n: int, min_count: int, max_doc_freq: float) -> tuple[np.ndarray, np.ndarray]:
    """Images per word, and the words in at least ``min_count`` and at most ``max_doc_freq`` of them."""
    df = np.asarray(M.sum(axis=0)).ravel()
    return df, np.nonzero((df >= min_count) & (df <= max_doc_freq * n))[0]


def _association(c: np.ndarray, a: np.ndarray, b: np.ndarray, n: int, measure: str) -> np.ndarray:
    if measure == "dice":
        return 2.0 * c / (a + b)
    p_ef, p_e, p_f = c / n, a / n, b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_ef / (p_e * p_f))
        npmi = np.where(p_ef < 1.0, pmi / -np.log(p_ef), 1.0)
    return np.clip(npmi, 0.0, 1.0)


def _ranks(group_words: np.ndarray, other_words: np.ndarray, g: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Rank of each pair within its group word (best score first, then G², then the other word)."""
    order = np.lexsort((other_words, -g, -score, group_words))
    r = np.empty(len(order), dtype=np.int64)
    grp = group_words[order]
    start = np.r_[True, grp[1:] != grp[:-1]]
    idx = np.arange(len(order))
    first = np.maximum.accumulate(np.where(start, idx, 0))
    r[order] = idx - first
    return r
