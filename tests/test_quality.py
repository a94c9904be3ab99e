"""Projection-quality filtering: SentenceFilter and the project / translate-train options."""

import json

import pytest

from projner.cli import main
from projner.config import load_config
from projner.errors import ConfigError
from projner.pipelines import filter_projected
from projner.project.quality import SentenceFilter
from projner.types import Sentence, Span


def run(capsys, *args):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


SRC = Sentence("Angela Merkel visited Paris".split(), [Span(0, 2, "PER"), Span(3, 4, "LOC")])


def test_filter_keeps_complete_confident_projections():
    full = Sentence("Angela Merkel besuchte Paris".split(), [Span(0, 2, "PER", 0.9), Span(3, 4, "LOC", 0.4)])
    part = full.with_spans([Span(0, 2, "PER", 0.9)])
    assert SentenceFilter(drop_incomplete=True).keep(SRC, full)
    assert not SentenceFilter(drop_incomplete=True).keep(SRC, part)
    assert not SentenceFilter(min_span_score=0.5).keep(SRC, full)
    assert SentenceFilter(min_span_score=0.5).keep(SRC, part)
    assert SentenceFilter(drop_incomplete=True).keep(Sentence(["x"]), Sentence(["y"]))  # no entities: kept
    assert not SentenceFilter().active
    with pytest.raises(ValueError, match="min_span_score"):
        SentenceFilter(min_span_score=2)


def test_filter_config_applies_label_map_and_ignore():
    cfg = load_config(None, {"ignore_labels": ["LOC"], "filter": {"drop_incomplete": True}})
    part = Sentence("Angela Merkel besuchte Paris".split(), [Span(0, 2, "PER", 0.9)])
    assert filter_projected([SRC], [part], cfg) == ([part], 0)  # the ignored LOC is not missing
    cfg = load_config(None, {"filter": {"drop_incomplete": True}})
    assert filter_projected([SRC], [part], cfg) == ([], 1)
    with pytest.raises(ConfigError, match="min_span_score"):
        load_config(None, {"filter": {"min_span_score": 1.5}})
    with pytest.raises(ConfigError, match="unknown_key|extra"):
        load_config(None, {"filter": {"unknown_key": 1}})


def test_project_drop_incomplete_leaves_out_sentences(tmp_path, capsys):
    src = tmp_path / "s.conll"
    src.write_text("Angela\tB-PER\nMerkel\tI-PER\nvisited\tO\nParis\tB-LOC\n\nBonn\tB-LOC\nwon\tO\n\n")
    tgt = tmp_path / "t.txt"
    tgt.write_text("Angela Merkel besuchte Paris\nHamburg gewann\n")
    al = tmp_path / "a.talp"
    al.write_text("0-0 1-1 2-2 3-3\n1-1\n")
    out = tmp_path / "o.jsonl"
    code, _, err = run(capsys, "project", src, tgt, "-o", out, "--alignment", al, "--method", "heuristic",
                       "--drop-incomplete")
    assert code == 0, err
    assert [json.loads(x)["tokens"][0] for x in out.read_text().splitlines()] == ["Angela"]
    assert "(1 sentences left out by the filter)" in err
    code, _, err = run(capsys, "project", src, tgt, "-o", out, "--alignment", al, "--method", "heuristic",
                       "--min-span-score", "1.5")
    assert code == 2 and "--min-span-score" in err and "less than or equal to 1" in err


def test_project_without_alignment_filters_too(tmp_path, capsys):
    src = tmp_path / "s.conll"
    src.write_text("Angela\tB-PER\nMerkel\tI-PER\nvisited\tO\nParis\tB-LOC\n\nBonn\tB-LOC\nwon\tO\n\n")
    tgt = tmp_path / "t.txt"
    tgt.write_text("Angela Merkel besuchte Paris\nHamburg gewann\n")
    out = tmp_path / "o.conll"
    code, _, err = run(capsys, "project", src, tgt, "-o", out, "-a", "lexical", "--drop-incomplete")
    assert code == 0, err
    assert out.read_text() == "Angela\tB-PER\nMerkel\tI-PER\nbesuchte\tO\nParis\tB-LOC\n\n"
    assert "(1 sentences left out by the filter)" in err


def test_translate_train_filter_flags(tmp_path, capsys):
    pytest.importorskip("sklearn_crfsuite")
    src = tmp_path / "s.conll"
    src.write_text("Angela\tB-PER\nMerkel\tI-PER\nvisited\tO\nParis\tB-LOC\n\nBonn\tB-LOC\nwon\tO\n\n")
    tgt = tmp_path / "t.txt"
    tgt.write_text("Angela Merkel besuchte Paris\nHamburg gewann\n")
    run_dir = tmp_path / "run"
    code, _, err = run(capsys, "translate-train", src, "-o", run_dir, "--translations", tgt, "--tokenize",
                       "whitespace", "-a", "lexical", "--train", "crf", "--max-iterations", "2", "--drop-incomplete")
    assert code == 0, err
    assert (run_dir / "train.conll").read_text() == "Angela\tB-PER\nMerkel\tI-PER\nbesuchte\tO\nParis\tB-LOC\n\n"
    assert len((run_dir / "projected.conll").read_text().split("\n\n")) == 3  # all sentences, line-parallel
    assert "1 left out by the filter" in err
    code, _, err = run(capsys, "translate-train", src, "-o", tmp_path / "run2", "--translations", tgt,
                       "--min-span-score", "2")
    assert code == 2 and "--min-span-score" in err and not (tmp_path / "run2").exists()
