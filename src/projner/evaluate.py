"""Entity-level evaluation with seqeval semantics, and the projection ratio.

An entity counts as correct when its type, start and end all match a gold entity
(exact match). Per-type, micro-averaged and macro-averaged (mean over types)
precision, recall and F1; the
projection ratio is projected / source entities. Label maps (``GPE→LOC``) and
ignored labels (``MISC``, ``DATE``) apply to both sides before scoring.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .errors import InputError
from .types import Sentence, Span


@dataclass
class TypeScore:
    precision: float
    recall: float
    f1: float
    support: int  # gold entities
    predicted: int
    correct: int

    def as_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "support": self.support, "predicted": self.predicted, "correct": self.correct}


@dataclass
class Report:
    overall: TypeScore
    per_type: dict[str, TypeScore]
    sentences: int
    macro_f1: float
    projection_ratio: float | None = None
    extra: dict = field(default_factory=dict)
    macro_precision: float = 0.0
    macro_recall: float = 0.0

    def as_dict(self) -> dict:
        d = {
            "overall": self.overall.as_dict(),
            "per_type": {k: v.as_dict() for k, v in sorted(self.per_type.items())},
            "macro_f1": self.macro_f1,
            "macro": {"precision": self.macro_precision, "recall": self.macro_recall, "f1": self.macro_f1},
            "sentences": self.sentences,
        }
        if self.projection_ratio is not None:
            d["projection_ratio"] = self.projection_ratio
        d.update(self.extra)
        return d


def _prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def normalise_spans(spans: Iterable[Span], label_map: Mapping[str, str] | None = None,
                    ignore: Iterable[str] = ()) -> list[Span]:
    label_map = label_map or {}
    ignore = set(ignore)
    out = []
    for s in spans:
        lab = label_map.get(s.label, s.label)
        if lab in ignore or not lab or lab == "O":
            continue
        out.append(Span(s.start, s.end, lab))
    return out


def evaluate_spans(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    *,
    label_map: Mapping[str, str] | None = None,
    ignore: Iterable[str] = (),
    source: Sequence[Sequence[Span]] | None = None,
) -> Report:
    """Score predicted spans against gold spans, sentence by sentence."""
    if len(gold) != len(pred):
        raise InputError(f"{len(gold)} gold sentences but {len(pred)} predicted sentences")
    ignore = tuple(ignore)
    g_count, p_count, c_count = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        gs = {(s.start, s.end, s.label) for s in normalise_spans(g, label_map, ignore)}
        ps = {(s.start, s.end, s.label) for s in normalise_spans(p, label_map, ignore)}
        for _, _, lab in gs:
            g_count[lab] += 1
        for _, _, lab in ps:
            p_count[lab] += 1
        for _, _, lab in gs & ps:
            c_count[lab] += 1
    per_type = {}
    for lab in sorted(set(g_count) | set(p_count)):
        pr, rc, f = _prf(c_count[lab], p_count[lab], g_count[lab])
        per_type[lab] = TypeScore(pr, rc, f, g_count[lab], p_count[lab], c_count[lab])
    tc, tp, tg = sum(c_count.values()), sum(p_count.values()), sum(g_count.values())
    pr, rc, f = _prf(tc, tp, tg)
    n_types = len(per_type) or 1
    macro = sum(t.f1 for t in per_type.values()) / n_types
    macro_p = sum(t.precision for t in per_type.values()) / n_types
    macro_r = sum(t.recall for t in per_type.values()) / n_types
    ratio = None
    if source is not None:
        n_src = sum(len(normalise_spans(s, label_map, ignore)) for s in source)
        ratio = tp / n_src if n_src else 0.0
    return Report(TypeScore(pr, rc, f, tg, tp, tc), per_type, len(gold), macro, ratio,
                  macro_precision=macro_p, macro_recall=macro_r)


def evaluate(gold: Sequence[Sentence], pred: Sequence[Sentence], **kwargs) -> Report:
    """Score predicted sentences against gold sentences (tokens must agree in length)."""
    if len(gold) != len(pred):
        raise InputError(f"{len(gold)} gold sentences but {len(pred)} predicted sentences")
    for i, (g, p) in enumerate(zip(gold, pred)):
        if len(g) != len(p):
            line = p.meta.get("line")
            raise InputError(
                f"sentence {i + 1} has {len(p)} tokens here but {len(g)} in the gold file",
                p.meta.get("path"), line,
            )
    return evaluate_spans([g.spans for g in gold], [p.spans for p in pred], **kwargs)


def parse_label_map(items: Iterable[str]) -> dict[str, str]:
    """``["GPE=LOC", "FAC=LOC"]`` → ``{"GPE": "LOC", "FAC": "LOC"}``."""
    out = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise InputError(f"label map entry {part!r} must look like FROM=TO")
            a, b = part.split("=", 1)
            out[a.strip()] = b.strip()
    return out
