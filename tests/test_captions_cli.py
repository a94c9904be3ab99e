"""CLI: projner induce-lexicon and caption-bitext."""

from __future__ import annotations

from pathlib import Path

from projner.captions import Lexicon
from projner.cli import main

M30 = Path(__file__).parent / "fixtures" / "captions" / "multi30k"


def test_induce_lexicon_command(tmp_path, capsys):
    out, pri = tmp_path / "lex.tsv", tmp_path / "priors.txt"
    rc = main(["induce-lexicon", str(M30), "--split", "test_2016", "--min-count", "1", "--min-cooc", "1",
               "--min-g2", "0", "--top-k", "5", "-o", str(out), "--priors", str(pri), "--show", "0"])
    assert rc == 0
    lex = Lexicon.load(out)
    assert lex.score("dog", "hund") == 1.0
    lines = pri.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(lex) and all(line.startswith("LEX\t") for line in lines)
    assert "entries from 2 images" in capsys.readouterr().out


def test_caption_bitext_command(tmp_path):
    rc = main(["caption-bitext", str(M30), "-o", str(tmp_path / "cap")])
    assert rc == 0
    assert (tmp_path / "cap.de").read_text(encoding="utf-8").splitlines()[0] == "Ein Hund rennt im Park ."
    assert len((tmp_path / "cap.en").read_text(encoding="utf-8").splitlines()) == 3


def test_bad_input_is_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"image": "a.jpg", "lang": "en"}\n', encoding="utf-8")
    rc = main(["induce-lexicon", str(bad), "-o", str(tmp_path / "lex.tsv")])
    err = capsys.readouterr().err
    assert rc == 2 and f"{bad}:1: missing key 'caption'" in err
    assert not (tmp_path / "lex.tsv").exists()
    rc = main(["induce-lexicon", str(M30), "--measure", "chi2", "-o", str(tmp_path / "lex.tsv")])
    assert rc == 2 and "--measure" in capsys.readouterr().err
