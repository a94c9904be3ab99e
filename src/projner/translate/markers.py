"""Marker-based translation of labelled sentences (EasyProject-style), with fuzzy
matching of separately translated entity strings.

1. Every source entity is wrapped in markers (``[`` … ``]`` by default) and the
   marked sentence is translated with any :class:`~projner.translate.base.Translator`.
2. The markers are found in the output and removed; each marked stretch is a
   candidate span of the translated sentence.
3. Every entity string is also translated on its own. Each source entity is
   scored against every marked candidate (fuzzy similarity of the candidate to
   the entity's translation and to the source entity itself, plus a small bonus
   when the marker order matches), candidates are assigned one-to-one with the
   best total (Hungarian), and an assignment is accepted above ``threshold``.
4. Entities without an accepted marker span are searched in the translation:
   the n-gram with the best fuzzy similarity to the entity's translation (or its
   source string) wins — the best match, not the first one above the threshold.

The result is a labelled target-language :class:`~projner.types.Sentence` per
input, whose ``meta["source_entity"]`` maps each span to the index of its source
entity (used by :mod:`projner.align.backtranslation`), ``meta["via"]`` says for
each span whether a marker pair (``marker``) or the search of step 4 (``search``)
placed it, and ``meta["marker_pairs"]`` counts the balanced marker pairs read back.
:func:`marker_stats` sums these over a corpus.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..types import Sentence, Span

__all__ = ["MarkerOptions", "mark_sentence", "parse_marked", "fuzzy_similarity", "translate_with_markers",
           "best_ngram", "marker_stats"]


@dataclass(frozen=True)
class MarkerOptions:
    open: str = "["
    close: str = "]"
    threshold: float = 0.5
    order_bonus: float = 0.05
    max_extra_len: int = 2
    translate_entities: bool = True


def _fold(text: str) -> str:
    d = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in d if not unicodedata.combining(c)).replace("ß", "ss")


def fuzzy_similarity(a: str, b: str) -> float:
    """Character-level similarity in [0, 1] of two strings (case/accent folded, spaces ignored)."""
    fa, fb = _fold(a).replace(" ", ""), _fold(b).replace(" ", "")
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    return difflib.SequenceMatcher(None, fa, fb, autojunk=False).ratio()


def mark_sentence(sentence: Sentence, options: MarkerOptions = MarkerOptions(),
                  detokenize: Callable[[list[str]], str] | None = None) -> str:
    """The sentence text with every entity wrapped in markers."""
    toks: list[str] = []
    starts = {s.start for s in sentence.spans}
    ends = {s.end for s in sentence.spans}
    for i, t in enumerate(sentence.tokens):
        if i in starts:
            toks.append(options.open)
        toks.append(t)
        if i + 1 in ends:
            toks.append(options.close)
    if detokenize is None:
        return " ".join(toks)
    text = detokenize(toks)
    # keep markers attached to the entity but separated from neighbours
    o, c = re.escape(options.open), re.escape(options.close)
    text = re.sub(rf"{o}\s*", options.open + " ", text)
    text = re.sub(rf"\s*{c}", " " + options.close, text)
    return text


def parse_marked(text: str, options: MarkerOptions = MarkerOptions(),
                 tokenize: Callable[[str], list[str]] | None = None) -> tuple[list[str], list[tuple[int, int]]]:
    """Tokens of a translated marked text without markers, and the token ranges
    that markers enclosed (unbalanced or empty markers are dropped)."""
    o, c = re.escape(options.open), re.escape(options.close)
    spaced = re.sub(rf"({o}|{c})", r" \1 ", text)
    pieces = spaced.split()
    split = tokenize or (lambda s: s.split())
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    start = None
    buf: list[str] = []

    def flush():
        if buf:
            tokens.extend(split(" ".join(buf)))
            buf.clear()

    for p in pieces:
        if p == options.open:
            flush()
            start = len(tokens)
        elif p == options.close:
            flush()
            if start is not None and len(tokens) > start:
                spans.append((start, len(tokens)))
            start = None
        else:
            buf.append(p)
    flush()
    return tokens, spans


def best_ngram(tokens: Sequence[str], queries: Sequence[str], max_len: int,
               blocked: np.ndarray | None = None) -> tuple[float, tuple[int, int] | None]:
    """The n-gram (up to ``max_len`` tokens, not touching ``blocked`` tokens) most
    similar to any of ``queries``; ties go to the shorter, earlier n-gram."""
    best, where = 0.0, None
    n = len(tokens)
    for i in range(n):
        for j in range(i + 1, min(n, i + max_len) + 1):
            if blocked is not None and blocked[i:j].any():
                break
            if not any(ch.isalnum() for ch in tokens[i]) or not any(ch.isalnum() for ch in tokens[j - 1]):
                continue
            text = " ".join(tokens[i:j])
            s = max(fuzzy_similarity(text, q) for q in queries)
            if s > best + 1e-9:
                best, where = s, (i, j)
    return best, where


def _assign_marked(tokens: Sequence[str], mspans: Sequence[tuple[int, int]], queries: Sequence[Sequence[str]],
                   options: MarkerOptions) -> dict[int, tuple[int, int, float]]:
    """Source entity index → (start, end, score) of the marked span assigned to it
    (Hungarian assignment on fuzzy similarity, step 3 of the module doc)."""
    from scipy.optimize import linear_sum_assignment

    chosen: dict[int, tuple[int, int, float]] = {}
    if not queries or not mspans:
        return chosen
    same = len(queries) == len(mspans)
    sc = np.zeros((len(queries), len(mspans)))
    for a, qs in enumerate(queries):
        for b, (i, j) in enumerate(mspans):
            text = " ".join(tokens[i:j])
            sc[a, b] = max(fuzzy_similarity(text, q) for q in qs)
            if same and a == b:
                sc[a, b] += options.order_bonus
    r, c = linear_sum_assignment(-sc)
    for a, b in zip(r, c):
        # a marked span is trusted when it is the only reading of the order,
        # or when it resembles the entity's translation
        if sc[a, b] >= options.threshold or (same and a == b):
            i, j = mspans[b]
            chosen[int(a)] = (i, j, float(min(sc[a, b], 1.0)))
    return chosen


def translate_with_markers(sentences: Sequence[Sentence], translator, options: MarkerOptions = MarkerOptions(),
                           tokenize: Callable[[str], list[str]] | None = None,
                           detokenize: Callable[[list[str]], str] | None = None,
                           entity_translator=None) -> list[Sentence]:
    """Translate labelled sentences and carry their entities over (see module doc).

    ``entity_translator`` translates the entity strings (default: ``translator``;
    with file translations, a second file of the sorted unique entity strings).
    """
    marked = [mark_sentence(s, options, detokenize) for s in sentences]
    outputs = translator.translate(marked)
    if len(outputs) != len(sentences):
        raise ValueError(f"the translator returned {len(outputs)} translations for {len(sentences)} sentences")
    entity_texts = sorted({s.entity_text(e) for s in sentences for e in s.spans})
    ent_tr: dict[str, str] = {}
    if options.translate_entities and entity_texts:
        tr = (entity_translator or translator).translate(entity_texts)
        if len(tr) != len(entity_texts):
            raise ValueError("the translator returned a wrong number of entity translations")
        ent_tr = dict(zip(entity_texts, tr))
    results = []
    for sent, out in zip(sentences, outputs):
        tokens, mspans = parse_marked(out, options, tokenize)
        ents = list(sent.spans)
        queries = [[q for q in (ent_tr.get(sent.entity_text(e)), sent.entity_text(e)) if q] for e in ents]
        chosen = _assign_marked(tokens, mspans, queries, options)
        by_marker = set(chosen)
        blocked = np.zeros(len(tokens), dtype=bool)
        for i, j, _ in chosen.values():
            blocked[i:j] = True
        for a, e in enumerate(ents):
            if a in chosen or not tokens:
                continue
            max_len = (e.end - e.start) + options.max_extra_len
            s, where = best_ngram(tokens, queries[a], max_len, blocked)
            if where is not None and s >= options.threshold:
                chosen[a] = (where[0], where[1], s)
                blocked[where[0]:where[1]] = True
        spans, mapping = [], []
        for a in sorted(chosen, key=lambda k: chosen[k][0]):
            i, j, s = chosen[a]
            spans.append(Span(i, j, ents[a].label, round(s, 6)))
            mapping.append(a)
        via = ["marker" if a in by_marker else "search" for a in mapping]
        results.append(Sentence(tokens, spans, meta={"source_entity": mapping, "marked_output": out,
                                                     "marker_pairs": len(mspans), "via": via}))
    return results


def marker_stats(sources: Sequence[Sentence], results: Sequence[Sentence]) -> dict[str, int]:
    """Marker survival over a corpus: source entities, balanced marker pairs read
    back, sentences whose pairs all came back (as many as entities), entities placed
    by a marker pair, by the search (markers lost or moved), and lost."""
    out = {"sentences": 0, "entities": 0, "marker_pairs": 0, "sentences_all_markers": 0,
           "sentences_extra_markers": 0, "via_marker": 0, "via_search": 0, "lost": 0}
    for src, res in zip(sources, results):
        n = len(src.spans)
        if not n:
            continue
        pairs = int(res.meta.get("marker_pairs", 0))
        via = list(res.meta.get("via", ()))
        out["sentences"] += 1
        out["entities"] += n
        out["marker_pairs"] += pairs
        out["sentences_all_markers"] += pairs == n
        out["sentences_extra_markers"] += pairs > n
        out["via_marker"] += via.count("marker")
        out["via_search"] += via.count("search")
        out["lost"] += n - len(res.spans)
    return out
