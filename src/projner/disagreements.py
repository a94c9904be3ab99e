"""Every disagreement between predicted and gold entities, by kind.

Within a sentence, exact matches (same start, end and type) agree. Of the rest, a
prediction and a gold entity over the same words with another type is a ``type``
error; a prediction that overlaps a gold entity with other boundaries is a
``boundary`` error (its type may differ too); a gold entity no prediction touches
is ``missed``; a prediction that touches no (unpaired) gold entity is ``spurious``.
Each gold entity and each prediction is in at most one disagreement, so the counts
add up: missed + type + boundary = gold - correct, spurious + type + boundary =
predicted - correct.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from .evaluate import normalise_spans
from .types import Sentence, Span

KINDS = ("missed", "spurious", "type", "boundary")


@dataclass(frozen=True)
class Disagreement:
    kind: str
    sentence: int  # 0-based index in the corpus
    gold: Span | None
    pred: Span | None


def compare_spans(gold: Sequence[Span], pred: Sequence[Span]) -> list[tuple[str, Span | None, Span | None]]:
    """``(kind, gold span, predicted span)`` for the disagreements of one sentence, in text order."""
    exact = {(s.start, s.end, s.label) for s in gold} & {(s.start, s.end, s.label) for s in pred}
    g_left = [s for s in gold if (s.start, s.end, s.label) not in exact]
    p_left = [s for s in pred if (s.start, s.end, s.label) not in exact]
    out: list[tuple[str, Span | None, Span | None]] = []
    used: set[int] = set()
    for g in g_left:
        same = [k for k, p in enumerate(p_left) if k not in used and (p.start, p.end) == (g.start, g.end)]
        over = [k for k, p in enumerate(p_left) if k not in used and p.overlaps(g)]
        if same:
            used.add(same[0])
            out.append(("type", g, p_left[same[0]]))
        elif over:
            # the prediction sharing most words (then the same type, then the first) pairs with it
            best = max(over, key=lambda k: (min(g.end, p_left[k].end) - max(g.start, p_left[k].start),
                                            p_left[k].label == g.label, -k))
            used.add(best)
            out.append(("boundary", g, p_left[best]))
        else:
            out.append(("missed", g, None))
    out += [("spurious", None, p) for k, p in enumerate(p_left) if k not in used]
    out.sort(key=lambda d: ((d[1] or d[2]).start, (d[1] or d[2]).end, KINDS.index(d[0])))
    return out


def disagreements(gold: Sequence[Sentence], pred: Sequence[Sentence], *, label_map: Mapping[str, str] | None = None,
                  ignore: Iterable[str] = ()) -> Iterator[Disagreement]:
    """Disagreements over a corpus, after the evaluation's label map and ignored labels."""
    ignore = tuple(ignore)
    for i, (g, p) in enumerate(zip(gold, pred)):
        for kind, gs, ps in compare_spans(normalise_spans(g.spans, label_map, ignore),
                                          normalise_spans(p.spans, label_map, ignore)):
            yield Disagreement(kind, i, gs, ps)


def mark(tokens: Sequence[str], span: Span | None) -> str:
    """The sentence with ``span`` in brackets and its type: ``the [New York]LOC mayor``."""
    if span is None:
        return " ".join(tokens)
    return " ".join([*tokens[:span.start], "[" + " ".join(tokens[span.start:span.end]) + "]" + span.label,
                     *tokens[span.end:]])


def _text_lines(items: list[Disagreement], gold: Sequence[Sentence], pred: Sequence[Sentence], pred_path) -> list[str]:
    counts = Counter(d.kind for d in items)
    lines = [f"# {len(items)} disagreements with gold: " + ", ".join(f"{counts[k]} {k}" for k in KINDS)]
    for kind in KINDS:
        group = [d for d in items if d.kind == kind]
        lines += ["", f"## {kind} ({len(group)})"]
        for d in group:
            toks = gold[d.sentence].tokens
            line = pred[d.sentence].meta.get("line")
            where = f"{pred_path}:{line}" if pred_path and line else f"sentence {d.sentence + 1}"
            lines += ["", f"{where}  sentence {d.sentence + 1}"]
            if d.gold is not None:
                lines.append(f"  gold: {mark(toks, d.gold)}")
            if d.pred is not None:
                lines.append(f"  pred: {mark(toks, d.pred)}")
    return lines


def write_disagreements(path: str | os.PathLike, gold: Sequence[Sentence], pred: Sequence[Sentence], *,
                        label_map: Mapping[str, str] | None = None, ignore: Iterable[str] = (),
                        pred_path=None) -> Counter:
    """Write every disagreement, grouped by kind: text, or JSON lines for a ``.jsonl`` name. Returns the counts."""
    from .io.common import atomic_write

    items = list(disagreements(gold, pred, label_map=label_map, ignore=ignore))
    with atomic_write(path) as fh:
        if str(path).lower().removesuffix(".gz").endswith(".jsonl"):
            for d in sorted(items, key=lambda d: KINDS.index(d.kind)):
                obj = {"kind": d.kind, "sentence": d.sentence + 1, "line": pred[d.sentence].meta.get("line"),
                       "tokens": list(gold[d.sentence].tokens)}
                for side, sp in (("gold", d.gold), ("pred", d.pred)):
                    obj[side] = None if sp is None else {"start": sp.start, "end": sp.end, "label": sp.label}
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        else:
            fh.write("\n".join(_text_lines(items, gold, pred, pred_path)) + "\n")
    return Counter(d.kind for d in items)
