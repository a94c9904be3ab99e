"""``projner train`` / ``tag`` on text whose tokeniser split the combining marks off
(``Ọ ̀ yọ ́``), tagging words that carry them (decomposed, as MasakhaNER writes them)."""

import json
import random
import unicodedata

import pytest

from projner.cli import main

pytest.importorskip("sklearn_crfsuite")


def test_train_on_split_marks_tag_whole_words(tmp_path, capsys):
    rng = random.Random(5)
    towns = [["Ọ", "\u0300", "yọ", "\u0301"], ["Ẹ", "\u0300", "kọ", "\u0301"], ["Ìbàdàn"]]
    lines = []
    for _ in range(40):
        town = rng.choice(towns)
        toks = ["wọ", "\u0301", "n", "lọ", "sí"] + town + ["."]
        tags = ["O"] * 5 + ["B-LOC"] + ["I-LOC"] * (len(town) - 1) + ["O"]
        lines += [f"{t}\t{g}" for t, g in zip(toks, tags)] + [""]
    (tmp_path / "train.conll").write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = [unicodedata.normalize("NFD", w) for w in ["wọ́n", "lọ", "sí", "Ẹ̀kọ́", "."]]
    (tmp_path / "test.conll").write_text("".join(f"{w}\tO\n" for w in words) + "\n", encoding="utf-8")
    assert main(["train", str(tmp_path / "train.conll"), "-o", str(tmp_path / "m"), "--max-iterations", "30",
                 "--marks", "auto"]) == 0
    assert json.loads((tmp_path / "m" / "projner.json").read_text())["params"]["marks"] == "split"
    assert main(["tag", str(tmp_path / "m"), str(tmp_path / "test.conll"), "-o", str(tmp_path / "p.conll")]) == 0
    out = (tmp_path / "p.conll").read_text(encoding="utf-8").split("\n")
    assert [x.split("\t")[0] for x in out if x] == words  # the caller's words, untouched
    assert [x.split("\t")[1] for x in out if x] == ["O", "O", "O", "B-LOC", "O"]
    # the default, keep: trained on the pieces as they are
    assert main(["train", str(tmp_path / "train.conll"), "-o", str(tmp_path / "k"), "--max-iterations", "5"]) == 0
    assert json.loads((tmp_path / "k" / "projner.json").read_text())["params"]["marks"] == "keep"
    capsys.readouterr()
    assert main(["train", str(tmp_path / "train.conll"), "-o", str(tmp_path / "x"), "--marks", "glue"]) == 2
    assert "marks" in capsys.readouterr().err and not (tmp_path / "x").exists()
