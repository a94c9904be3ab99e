"""``projner show``: one self-contained HTML file to look at a projected corpus.

Source and target sentences with their entities coloured by type, the alignment
links drawn between the words, each projected entity's score, and, with target
gold, every projected and gold entity marked as agreeing or as a disagreement
(missed, spurious, wrong type, wrong boundary; see :mod:`projner.disagreements`).
Filters (only disagreements, a kind, low scores, a label), search, lazy rendering
a page at a time, keyboard navigation. CSS, JavaScript and data are inline: no
network, works from ``file://``.
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter
from importlib.resources import files
from typing import Sequence

from ..disagreements import KINDS, compare_spans
from ..errors import InputError
from ..types import Alignment, Sentence


def _statuses(gold: Sentence, pred: Sentence) -> tuple[dict, dict]:
    """Status of each predicted and each gold span: ok or the kind of disagreement."""
    key = lambda s: (s.start, s.end, s.label)  # noqa: E731
    p_status = {key(s): "ok" for s in pred.spans}
    g_status = {key(s): "ok" for s in gold.spans}
    for kind, g, p in compare_spans(gold.spans, pred.spans):
        if g is not None:
            g_status[key(g)] = kind
        if p is not None:
            p_status[key(p)] = kind
    return p_status, g_status


def view_data(sources: Sequence[Sentence], targets: Sequence[Sentence],
              alignments: Sequence[Alignment] | None = None, golds: Sequence[Sentence] | None = None) -> dict:
    """The JSON the viewer reads: label names, and one compact record per pair."""
    labels = sorted({s.label for group in (sources, targets, golds or ()) for sent in group for s in sent.spans})
    index = {lab: k for k, lab in enumerate(labels)}
    pairs = []
    counts: Counter = Counter()
    for k, (src, tgt) in enumerate(zip(sources, targets)):
        rec = {"s": list(src.tokens), "t": list(tgt.tokens), "ln": tgt.meta.get("line"),
               "se": [[s.start, s.end, index[s.label]] for s in src.spans], "a": []}
        if alignments is not None:
            rec["a"] = [int(x) for pair in alignments[k].pairs() for x in pair]
        p_status = g_status = {}
        if golds is not None:
            p_status, g_status = _statuses(golds[k], tgt)
            rec["ge"] = [[s.start, s.end, index[s.label], g_status[(s.start, s.end, s.label)]] for s in golds[k].spans]
            counts.update(v for v in p_status.values() if v != "ok")
            counts.update(v for v in g_status.values() if v == "missed")
            counts["correct"] += sum(v == "ok" for v in p_status.values())
        rec["te"] = [[s.start, s.end, index[s.label], None if s.score is None else round(float(s.score), 3),
                      p_status.get((s.start, s.end, s.label), "")] for s in tgt.spans]
        pairs.append(rec)
    return {"labels": labels, "pairs": pairs, "gold": golds is not None, "counts": dict(counts)}


def _summary(data: dict) -> str:
    pairs = data["pairs"]
    n_src = sum(len(p["se"]) for p in pairs)
    n_tgt = sum(len(p["te"]) for p in pairs)
    scores = [e[3] for p in pairs for e in p["te"] if e[3] is not None]
    parts = [f"<b>{len(pairs):,}</b> pairs", f"<b>{n_src:,}</b> source entities",
             f"<b>{n_tgt:,}</b> projected ({n_tgt / n_src:.1%})" if n_src else f"<b>{n_tgt:,}</b> projected"]
    if scores:
        parts.append(f"mean score <b>{sum(scores) / len(scores):.3f}</b>")
    if data["gold"]:
        c = data["counts"]
        n_gold = sum(len(p["ge"]) for p in pairs)
        prec = c.get("correct", 0) / n_tgt if n_tgt else 0.0
        rec = c.get("correct", 0) / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        parts.append(f"vs gold: P <b>{prec:.3f}</b> R <b>{rec:.3f}</b> F1 <b>{f1:.3f}</b>")
        parts.append(", ".join(f"{c.get(k, 0):,} {k}" for k in KINDS))
    return " · ".join(parts)


def render(data: dict, title: str = "projner show") -> str:
    """The HTML page: template, CSS, JavaScript and data, all inline."""
    here = files("projner.show")
    page = (here / "template.html").read_text(encoding="utf-8")
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # inside <script>, "</" could close the element and "<!--" open a comment: escape both
    blob = blob.replace("</", "<\\/").replace("<!--", "<\\!--")
    parts = {"$TITLE": html.escape(title), "$SUMMARY": _summary(data),
             "$CSS": (here / "view.css").read_text(encoding="utf-8"),
             "$JS": (here / "view.js").read_text(encoding="utf-8"), "$DATA": blob}
    for key in ("$TITLE", "$SUMMARY", "$CSS", "$JS"):  # data last: it may contain anything
        page = page.replace(key, parts[key])
    head, _, tail = page.partition("$DATA")
    return head + blob + tail


def write_view(path: str | os.PathLike, sources: Sequence[Sentence], targets: Sequence[Sentence],
               alignments: Sequence[Alignment] | None = None, golds: Sequence[Sentence] | None = None,
               title: str = "projner show") -> dict:
    """Check the inputs agree, write the page atomically, and return the view data."""
    from ..io.common import atomic_write

    _check(sources, targets, alignments, golds)
    data = view_data(sources, targets, alignments, golds)
    with atomic_write(path) as fh:
        fh.write(render(data, title))
    return data


def _check(sources, targets, alignments, golds) -> None:
    n = len(sources)
    for name, group in (("target", targets), ("alignment", alignments), ("gold", golds)):
        if group is not None and len(group) != n:
            raise InputError(f"{len(group)} {name} sentences but {n} source sentences; the files must be line-parallel")
    for k, (s, t) in enumerate(zip(sources, targets)):
        where = t.meta.get("path"), t.meta.get("line")
        if golds is not None and golds[k].tokens != t.tokens:
            raise InputError(f"sentence {k + 1}: the gold tokens differ from the projected target's", *where)
        if alignments is not None:
            try:
                alignments[k].check_bounds(len(s), len(t))
            except ValueError as exc:
                raise InputError(f"alignment of pair {k + 1}: {exc}", *where) from None
