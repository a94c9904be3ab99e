"""The tag-scheme policy: strict schemes list every violation at once, repair reads them
as seqeval does and reports the count."""

import logging

import pytest

from projner.errors import InputError
from projner.io import read_conll, read_sentences
from projner.io.tags import TagChecker, check_tags
from projner.types import Span


def conll(tmp_path, name, rows):
    """rows: sentences as lists of 'token tag'."""
    p = tmp_path / name
    p.write_text("\n\n".join("\n".join(r.replace(" ", "\t") for r in s) for s in rows) + "\n", encoding="utf-8")
    return p


STRAY = [["Israel B-LOC", "sandte O", "Syrien I-LOC"], ["Peter B-PER", "Smith I-PER"],
         ["in O", "Paris I-LOC", "EU I-ORG"]]


def test_strict_iob2_lists_every_violation_and_yields_nothing_after_the_first(tmp_path):
    p = conll(tmp_path, "d.conll", STRAY)
    seen = []
    with pytest.raises(InputError) as err:
        for s in read_conll(p):
            seen.append(s)
    assert seen == []  # the first sentence already breaks IOB2
    assert str(err.value) == (
        f"{p}:3: 3 tags break IOB2 (line 3: I-LOC after O; line 9: I-LOC after O; line 10: I-ORG after I-LOC): "
        "in IOB2 an I-X continues an X entity; --repair-tags reads a stray I-X as B-X (as seqeval does); "
        "--scheme iob1 reads IOB1 files")


def test_strict_error_names_the_first_five_and_the_count(tmp_path):
    p = conll(tmp_path, "many.conll", [["a O", "b I-PER"]] * 12)
    with pytest.raises(InputError) as err:
        list(read_conll(p))
    msg = str(err.value)
    assert msg.startswith(f"{p}:2: 12 tags break IOB2 (line 2: I-PER after O; line 5: I-PER after O;")
    assert "line 14: I-PER" in msg and "line 17:" not in msg and ", the first 5): " in msg


def test_repair_reads_stray_tags_as_beginnings_and_reports_the_count(tmp_path, caplog):
    p = conll(tmp_path, "d.conll", STRAY)
    with caplog.at_level(logging.WARNING, logger="projner"):
        sents = list(read_conll(p, repair=True))
    assert [s.spans for s in sents] == [
        (Span(0, 1, "LOC"), Span(2, 3, "LOC")), (Span(0, 2, "PER"),), (Span(1, 2, "LOC"), Span(2, 3, "ORG"))]
    assert [r.getMessage() for r in caplog.records] == [
        f"{p}: repaired 3 tags that break IOB2 (read as seqeval does: a stray I-X as B-X; first at line 3)"]


def test_schemes_io_iob1_bioes_auto():
    assert check_tags(["I-PER", "I-PER", "O", "I-LOC"], "io") == [Span(0, 2, "PER"), Span(3, 4, "LOC")]
    with pytest.raises(InputError, match=r"^1 tag breaks IO \(sequence 1: B-PER \(IO has no B- tags\)\): --scheme iob2 reads IOB2 files$"):
        check_tags(["B-PER", "I-PER"], "io")
    assert check_tags(["I-PER", "B-PER", "O"], "iob1") == [Span(0, 1, "PER"), Span(1, 2, "PER")]
    with pytest.raises(InputError, match=r"^1 tag breaks BIOES \(sequence 1: B-LOC is not closed by E-LOC before O\): in BIOES"):
        check_tags(["B-LOC", "O"], "bioes")
    assert check_tags(["B-LOC", "O", "S-PER"], "bioes", repair=True) == [Span(0, 1, "LOC"), Span(2, 3, "PER")]
    mixed = ["I-ORG", "O", "B-LOC", "E-LOC", "S-PER", "I-MISC"]
    assert check_tags(mixed, "auto") == [Span(0, 1, "ORG"), Span(2, 4, "LOC"), Span(4, 5, "PER"), Span(5, 6, "MISC")]
    with pytest.raises(InputError, match="unknown tag scheme 'iob3'"):
        TagChecker("iob3")


def test_read_sentences_checks_the_scheme_before_reading(tmp_path):
    with pytest.raises(InputError, match="unknown tag scheme"):
        read_sentences(tmp_path / "missing.conll", "conll", scheme="bio")


# -- the policy on the command line --------------------------------------------------------------
from projner.cli import main  # noqa: E402

EN = [["Merkel B-PER", "visited O", "Paris B-LOC"], ["The O", "EU B-ORG", "met O", "in O", "Rome I-LOC"]]
DE = ["Merkel besuchte Paris", "Die EU traf sich in Rom"]


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_strict_then_repair(tmp_path, capsys):
    en = conll(tmp_path, "en.conll", EN)
    code, _, err = run(["evaluate", en, en], capsys)
    assert code == 2 and err == (
        f"projner: error: {en}:9: 1 tag breaks IOB2 (line 9: I-LOC after O): in IOB2 an I-X continues an X entity; "
        "--repair-tags reads a stray I-X as B-X (as seqeval does); --scheme iob1 reads IOB1 files\n")
    code, out, err = run(["evaluate", en, en, "--repair-tags"], capsys)
    assert code == 0 and err == (f"projner: warning: {en}: repaired 1 tag that breaks IOB2 (read as seqeval does: "
                                 "a stray I-X as B-X; first at line 9)\n" * 2)
    assert "macro avg" in out
    code, _, err = run(["evaluate", en, en, "--scheme", "iob1"], capsys)
    assert code == 0 and err == ""


@pytest.mark.parametrize("cmd", [
    lambda en, de, o: ["train", en, "-o", o / "m", "--max-iterations", "2"],
    lambda en, de, o: ["benchmark-projection", en, en, "-a", "lexical"],
    lambda en, de, o: ["project", en, de, "-o", o / "p.conll", "-a", "lexical"],
    lambda en, de, o: ["tag", o / "missing-model", en, "-o", o / "t.conll", "--score"],
    lambda en, de, o: ["translate-train", en, "-o", o / "runs" / "de", "--translations", de, "-a", "lexical"],
    lambda en, de, o: ["translate-test", en, "-o", o / "tt", "--translations", de, "--tagger", o / "missing-model"],
])
def test_every_labelled_input_follows_the_policy(tmp_path, capsys, cmd):
    en = conll(tmp_path, "en.conll", EN)
    de = tmp_path / "de.txt"
    de.write_text("\n".join(DE) + "\n", encoding="utf-8")
    code, _, err = run(cmd(en, de, tmp_path), capsys)
    assert code == 2 and f"{en}:9: 1 tag breaks IOB2 (line 9: I-LOC after O)" in err
    assert not (tmp_path / "runs").exists() and not (tmp_path / "m").exists()
    if cmd(en, de, tmp_path)[0] in ("tag", "translate-test"):
        return  # past the policy these need a model
    code, _, err = run(cmd(en, de, tmp_path) + ["--repair-tags"], capsys)
    assert code == 0, err
    assert f"projner: warning: {en}: repaired 1 tag that breaks IOB2" in err
