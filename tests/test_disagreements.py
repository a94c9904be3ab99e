from projner.disagreements import compare_spans, write_disagreements
from projner.evaluate import evaluate
from projner.types import Sentence, Span


def test_compare_spans_kinds():
    gold = [Span(0, 2, "PER"), Span(3, 4, "LOC"), Span(5, 8, "ORG"), Span(9, 10, "MISC"), Span(11, 12, "LOC")]
    pred = [Span(0, 2, "PER"), Span(3, 4, "ORG"), Span(5, 7, "ORG"), Span(10, 11, "PER"), Span(11, 13, "ORG")]
    assert compare_spans(gold, pred) == [
        ("type", Span(3, 4, "LOC"), Span(3, 4, "ORG")),
        ("boundary", Span(5, 8, "ORG"), Span(5, 7, "ORG")),
        ("missed", Span(9, 10, "MISC"), None),
        ("spurious", None, Span(10, 11, "PER")),
        ("boundary", Span(11, 12, "LOC"), Span(11, 13, "ORG")),
    ]


def test_write_disagreements_text_and_jsonl(tmp_path):
    toks = "The mayor of New York City met Merkel in Berlin".split()
    gold = [Sentence(toks, [Span(3, 6, "LOC"), Span(7, 8, "PER"), Span(9, 10, "LOC")])]
    pred = [Sentence(toks, [Span(3, 5, "LOC"), Span(7, 8, "ORG"), Span(0, 1, "MISC")], meta={"line": 4})]
    counts = write_disagreements(tmp_path / "e.txt", gold, pred, pred_path="p.conll")
    assert dict(counts) == {"boundary": 1, "type": 1, "missed": 1, "spurious": 1}
    assert (tmp_path / "e.txt").read_text().splitlines() == [
        "# 4 disagreements with gold: 1 missed, 1 spurious, 1 type, 1 boundary",
        "", "## missed (1)",
        "", "p.conll:4  sentence 1", "  gold: The mayor of New York City met Merkel in [Berlin]LOC",
        "", "## spurious (1)",
        "", "p.conll:4  sentence 1", "  pred: [The]MISC mayor of New York City met Merkel in Berlin",
        "", "## type (1)",
        "", "p.conll:4  sentence 1", "  gold: The mayor of New York City met [Merkel]PER in Berlin",
        "  pred: The mayor of New York City met [Merkel]ORG in Berlin",
        "", "## boundary (1)",
        "", "p.conll:4  sentence 1", "  gold: The mayor of [New York City]LOC met Merkel in Berlin",
        "  pred: The mayor of [New York]LOC City met Merkel in Berlin",
    ]
    write_disagreements(tmp_path / "e.jsonl", gold, pred)
    first = (tmp_path / "e.jsonl").read_text().splitlines()[0]
    assert first.startswith('{"kind": "missed", "sentence": 1, "line": 4, "tokens": ["The", "mayor"')
    assert first.endswith('"gold": {"start": 9, "end": 10, "label": "LOC"}, "pred": null}')


def test_macro_next_to_micro():
    gold = [Sentence("a b c".split(), [Span(0, 1, "PER"), Span(1, 2, "PER"), Span(2, 3, "LOC")])]
    pred = [Sentence("a b c".split(), [Span(0, 1, "PER"), Span(1, 2, "PER")])]
    rep = evaluate(gold, pred)
    assert rep.as_dict()["macro"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert round(rep.overall.f1, 4) == 0.8
