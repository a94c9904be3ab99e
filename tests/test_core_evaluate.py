import random

import pytest

from projner.evaluate import evaluate, evaluate_spans, parse_label_map
from projner.types import Sentence, Span, iob_to_spans

seqeval = pytest.importorskip("seqeval.metrics")


def random_tags(rng, n):
    tags, prev = [], "O"
    for _ in range(n):
        r = rng.random()
        lab = rng.choice(["PER", "LOC", "ORG"])
        if r < 0.5:
            t = "O"
        elif r < 0.75 or prev == "O":
            t = "B-" + lab
        else:
            t = "I-" + (prev[2:] if rng.random() < 0.8 else lab)
        tags.append(t)
        prev = t
    return tags


def test_agrees_with_seqeval():
    rng = random.Random(7)
    gold = [random_tags(rng, rng.randint(1, 15)) for _ in range(300)]
    pred = [random_tags(rng, len(g)) for g in gold]
    rep = evaluate_spans([iob_to_spans(g) for g in gold], [iob_to_spans(p) for p in pred])
    assert rep.overall.f1 == pytest.approx(seqeval.f1_score(gold, pred))
    assert rep.overall.precision == pytest.approx(seqeval.precision_score(gold, pred))
    assert rep.overall.recall == pytest.approx(seqeval.recall_score(gold, pred))
    cls = seqeval.classification_report(gold, pred, output_dict=True)
    for lab, t in rep.per_type.items():
        assert t.f1 == pytest.approx(cls[lab]["f1-score"])
        assert t.support == cls[lab]["support"]


def test_label_map_ignore_and_ratio():
    gold = [Sentence(["a", "b", "c"], [Span(0, 1, "GPE"), Span(2, 3, "MISC")])]
    pred = [Sentence(["a", "b", "c"], [Span(0, 1, "LOC"), Span(1, 2, "MISC")])]
    rep = evaluate(gold, pred, label_map=parse_label_map(["GPE=LOC"]), ignore=["MISC"],
                   source=[[Span(0, 1, "LOC"), Span(2, 3, "PER")]])
    assert rep.overall.f1 == 1.0 and list(rep.per_type) == ["LOC"]
    assert rep.projection_ratio == 0.5
    with pytest.raises(Exception, match="must look like FROM=TO"):
        parse_label_map(["GPE"])
