"""Alignment evaluation: AER / P / R / F1, WPT / talp / JSONL readers, evaluate-alignment CLI."""

import json

import pytest

from projner.align.evaluation import score_alignments
from projner.cli import main
from projner.errors import InputError
from projner.io.wpt import detect_alignment_format, read_alignment_jsonl, read_alignments, read_wpt, write_alignment_jsonl
from projner.types import Alignment


def test_scores_with_sure_and_possible():
    gold = [Alignment([(0, 0), (1, 1), (1, 2)], possible=[False, False, True])]
    pred = [Alignment([(0, 0), (1, 2), (2, 2)])]
    s = score_alignments(gold, pred)
    # A=3, S=2, A∩S=1, A∩P=2
    assert (s.predicted, s.sure, s.possible, s.hit_sure, s.hit_possible) == (3, 2, 3, 1, 2)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.aer == pytest.approx(1 - 3 / 5)
    assert s.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_scores_are_micro_averaged_and_perfect_is_zero_aer():
    gold = [Alignment([(0, 0)]), Alignment([(0, 1), (1, 0)])]
    assert score_alignments(gold, gold).aer == 0.0
    s = score_alignments(gold, [Alignment(), Alignment([(0, 1)])])
    assert (s.precision, s.recall) == (1.0, pytest.approx(1 / 3))
    with pytest.raises(ValueError):
        score_alignments(gold, gold[:1])


def test_read_wpt_drops_null_links_and_pads(tmp_path):
    p = tmp_path / "g.wa"
    p.write_text("1 1 1 S\n1 2 3 P\n1 0 2 S\n3 2 1\n")
    al = read_wpt(p)
    assert len(al) == 3
    assert al[0].pairs() == [(0, 0), (1, 2)] and al[0].possible.tolist() == [False, True]
    assert len(al[1]) == 0
    assert al[2].pairs() == [(1, 0)] and al[2].possible is None
    assert len(read_wpt(p, 5)) == 5
    p.write_text("1 1 x S\n")
    with pytest.raises(InputError) as e:
        read_wpt(p)
    assert e.value.line == 1


def test_read_alignment_jsonl_layouts(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(
        '{"alignment": [[0, 0], [1, 2]], "possible": [[2, 2]]}\n'
        '{"src_words": ["a", "b"], "tgt_words": ["x"], "alignment": [[1, 0]]}\n'
        '{"alignment": "0-0 1p1"}\n'
    )
    al = list(read_alignment_jsonl(p))
    assert al[0].pairs() == [(0, 0), (1, 2), (2, 2)] and al[0].possible.tolist() == [False, False, True]
    assert al[1].pairs() == [(1, 0)]
    assert al[2].pairs() == [(0, 0), (1, 1)] and al[2].possible.tolist() == [False, True]
    assert detect_alignment_format(p) == "jsonl"
    p.write_text('{"src_words": ["a"], "tgt_words": ["x"], "alignment": [[1, 0]]}\n')
    with pytest.raises(InputError):
        list(read_alignment_jsonl(p))
    out = tmp_path / "o.jsonl"
    write_alignment_jsonl(out, [Alignment([(0, 1)], [0.5])])
    assert json.loads(out.read_text()) == {"alignment": [[0, 1]], "scores": [0.5]}


def test_formats_are_detected(tmp_path):
    (tmp_path / "a.talp").write_text("0-0 1-1\n\n")
    (tmp_path / "a.wa").write_text("1 1 1 S\n")
    assert detect_alignment_format(tmp_path / "a.talp") == "talp"
    assert detect_alignment_format(tmp_path / "a.wa") == "wpt"
    assert [a.pairs() for a in read_alignments(tmp_path / "a.talp")] == [[(0, 0), (1, 1)], []]


def test_cli_evaluate_alignment(tmp_path, capsys):
    gold = tmp_path / "gold.wa"
    gold.write_text("1 1 1 S\n1 2 2 S\n1 2 3 P\n2 1 2 S\n")
    pred = tmp_path / "pred.talp"
    pred.write_text("0-0 1-2\n0-0\n")
    out = tmp_path / "scores.json"
    assert main(["evaluate-alignment", str(gold), str(pred), "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    # A=3, S=3, P=4, A∩S=1, A∩P=2
    assert (res["predicted"], res["sure"], res["hit_sure"], res["hit_possible"]) == (3, 3, 1, 2)
    assert res["aer"] == pytest.approx(1 - 3 / 6)
    assert res["gold_format"] == "wpt" and res["prediction_format"] == "talp"
    assert "AER" in capsys.readouterr().out
    # 1-indexed talp gold with possible links, same scores
    g2 = tmp_path / "gold.talp"
    g2.write_text("1-1 2-2 2p3\n2-1\n")
    assert main(["evaluate-alignment", str(g2), str(pred), "--gold-one-indexed", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["aer"] == pytest.approx(0.5)
    # transposed prediction
    p2 = tmp_path / "rev.talp"
    p2.write_text("0-0 2-1\n0-0\n")
    assert main(["evaluate-alignment", str(gold), str(p2), "--transpose-pred", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["aer"] == pytest.approx(0.5)


def test_cli_bad_input_exits_2(tmp_path, capsys):
    gold = tmp_path / "gold.talp"
    gold.write_text("0-0\n0-0\n")
    pred = tmp_path / "pred.talp"
    pred.write_text("0-0\n")
    assert main(["evaluate-alignment", str(gold), str(pred)]) == 2
    assert "1 predicted sentences but 2 gold sentences" in capsys.readouterr().err
    pred.write_text("0-0\nzz\n")
    assert main(["evaluate-alignment", str(gold), str(pred)]) == 2
    assert f"{pred}:2:" in capsys.readouterr().err
    assert main(["evaluate-alignment", str(gold), str(tmp_path / "none.talp")]) == 2
