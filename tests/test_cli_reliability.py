"""Issue 11 through the CLI: no command overwrites an input, no output overwrites
another, run folders of the user's are refused before anything is written, every
input pair keeps its record, FIFOs are read once, disk full is one clear line.

Each refusal: exit 2, exactly one stderr line ``projner: error: …``, no traceback,
the inputs untouched, nothing written (checked like tests/test_bad_inputs.py)."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from pathlib import Path

import pytest

from projner.cli import main

D = Path(__file__).parent / "bad_inputs"
LEX = ["-a", "lexical", "-m", "heuristic"]


@pytest.fixture()
def work(tmp_path):
    for name in ("good.en.conll", "good.de.txt", "good.de.conll", "good.talp", "pred_good.talp", "gold.wpt"):
        shutil.copy(D / name, tmp_path / name)
    return tmp_path


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _refused(capsys, argv: list[str], folder: Path, message: str) -> None:
    before = _snapshot(folder)
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.splitlines() == [f"projner: error: {message}"]
    assert _snapshot(folder) == before  # inputs intact, nothing written


def _same(out: str, name: str, role: str) -> str:
    return (f"{out}: output {name} is the same file as the input {role}; "
            "writing it would destroy the input: choose another output")


# outputs vs inputs -----------------------------------------------------------------

def test_project_output_is_the_source(work, capsys):
    s = str(work / "good.en.conll")
    _refused(capsys, ["project", s, str(work / "good.de.txt"), "-o", s, *LEX], work, _same(s, "-o", "SOURCE"))


def test_project_output_is_the_target(work, capsys):
    t = str(work / "good.de.txt")
    _refused(capsys, ["project", str(work / "good.en.conll"), t, "-o", t, *LEX], work, _same(t, "-o", "TARGET"))


def test_project_output_is_the_alignment_file(work, capsys):
    a = str(work / "good.talp")
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "--alignment", a, "-o", a],
             work, _same(a, "-o", "--alignment"))


def test_project_output_is_a_hard_link_of_the_source(work, capsys):
    link = work / "hard.conll"
    os.link(work / "good.en.conll", link)
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", str(link), *LEX], work,
             f"{link}: output -o is the same file as the input SOURCE ({work / 'good.en.conll'}); "
             "writing it would destroy the input: choose another output")


def test_project_output_and_save_alignment_on_one_file(work, capsys):
    o = str(work / "x.conll")
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", o,
                      "--save-alignment", o, *LEX], work,
             f"{o}: output --save-alignment is the same file as output -o; each output needs its own file")


def test_project_output_is_the_config(work, capsys):
    cfg = work / "c.yaml"
    cfg.write_text("method: heuristic\naligner: lexical\n")
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-c", str(cfg),
                      "-o", str(cfg)], work, _same(str(cfg), "-o", "--config"))


def test_align_output_is_the_source(work, capsys):
    s = str(work / "good.en.conll")
    _refused(capsys, ["align", s, str(work / "good.de.txt"), "-o", s, "-a", "lexical"], work, _same(s, "-o", "SOURCE"))


def test_evaluate_json_is_the_gold(work, capsys):
    g = str(work / "good.de.conll")
    _refused(capsys, ["evaluate", g, g, "--json", g], work, _same(g, "--json", "GOLD"))


def test_evaluate_alignment_json_is_the_prediction(work, capsys):
    p = str(work / "pred_good.talp")
    _refused(capsys, ["evaluate-alignment", str(work / "gold.wpt"), p, "--json", p], work, _same(p, "--json", "PRED"))


def test_benchmark_output_is_the_target_gold(work, capsys):
    g = str(work / "good.de.conll")
    _refused(capsys, ["benchmark-projection", str(work / "good.en.conll"), g, "-o", g, *LEX], work,
             _same(g, "-o", "TARGET_GOLD"))


def test_translate_train_json_is_the_source(work, capsys):
    s = str(work / "good.en.conll")
    _refused(capsys, ["translate-train", s, "-o", str(work / "run"), "--translations", str(work / "good.de.txt"),
                      "-a", "lexical", "--json", s], work, _same(s, "--json", "SOURCE"))
    assert not (work / "run").exists()


def test_translate_train_source_is_a_file_the_run_writes(work, capsys):
    run = work / "run"
    assert main(["translate-train", str(work / "good.en.conll"), "-o", str(run), "--translations",
                 str(work / "good.de.txt"), "-a", "lexical"]) == 0
    capsys.readouterr()
    src = run / "projected.conll"
    before = src.read_bytes()
    rc = main(["translate-train", str(src), "-o", str(run), "--translations", str(work / "good.de.txt"),
               "-a", "lexical"])
    assert rc == 2
    assert capsys.readouterr().err.splitlines() == [
        f"projner: error: {src}: output run folder file projected.conll is the same file as the input SOURCE; "
        "writing it would destroy the input: choose another output"]
    assert src.read_bytes() == before


def test_train_input_inside_the_model_folder(work, capsys):
    model = work / "model"
    model.mkdir()
    shutil.copy(work / "good.de.conll", model / "train.conll")
    (model / "projner.json").write_text("{}")
    rc = main(["train", str(model / "train.conll"), "-o", str(model)])
    assert rc == 2
    assert capsys.readouterr().err.splitlines() == [
        f"projner: error: {model}: output -o is a folder that is replaced as a whole, and the input TRAIN "
        f"({model / 'train.conll'}) is inside it: choose another output"]
    assert (model / "train.conll").read_bytes() == (work / "good.de.conll").read_bytes()


def test_devices_may_be_given_twice(work, capsys):
    assert main(["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", "/dev/null",
                 "--save-alignment", "/dev/null", "--output-format", "conll", *LEX]) == 0
    capsys.readouterr()


# run folders -------------------------------------------------------------------------

def test_translate_train_into_a_users_folder(work, capsys):
    mine = work / "mine"
    mine.mkdir()
    (mine / "projected.conll").write_text("my own work\n")
    rc = main(["translate-train", str(work / "good.en.conll"), "-o", str(mine), "--translations",
               str(work / "good.de.txt"), "-a", "lexical"])
    assert rc == 2
    assert capsys.readouterr().err.splitlines() == [
        f"projner: error: {mine}: folder exists and is not a projner run folder (no manifest.json); "
        "refusing to write into it: give a new or empty folder"]
    assert [p.name for p in mine.iterdir()] == ["projected.conll"]
    assert (mine / "projected.conll").read_text() == "my own work\n"


def _train_run(work, run, capsys):
    rc = main(["translate-train", str(work / "good.en.conll"), "-o", str(run), "--translations",
               str(work / "good.de.txt"), "-a", "lexical", "--train", "crf", "--max-iterations", "5"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return out.err


def test_model_is_a_recorded_output_and_train_files_are_byte_identical(work, capsys):
    run = work / "run"
    _train_run(work, run, capsys)
    model_files = {p.name: p.read_bytes() for p in (run / "model").iterdir()}
    train_json = (run / "train.json").read_bytes()
    assert b"seconds" not in train_json and b"seconds" not in (run / "model" / "projner.json").read_bytes()
    assert "reused finished steps: translate, project, train" in _train_run(work, run, capsys)
    (run / "model" / "model.crfsuite").write_bytes(b"")  # truncated model: the step reruns
    err = _train_run(work, run, capsys)
    assert "reused finished steps: translate, project\n" in err
    assert {p.name: p.read_bytes() for p in (run / "model").iterdir()} == model_files
    shutil.rmtree(run / "model")  # deleted model: the step reruns
    assert "reused finished steps: translate, project\n" in _train_run(work, run, capsys)
    assert (run / "train.json").read_bytes() == train_json
    other = work / "run2"  # a fresh run elsewhere: the same bytes
    _train_run(work, other, capsys)
    assert (other / "train.json").read_bytes() == train_json
    assert {p.name: p.read_bytes() for p in (other / "model").iterdir()} == model_files


# one record per input pair -----------------------------------------------------------

def test_empty_target_line_keeps_its_record(work, capsys):
    (work / "t.txt").write_text("Obama besuchte Paris .\n\nMerkel sprach\n")
    out = work / "o.conll"
    assert main(["project", str(work / "good.en.conll"), str(work / "t.txt"), "-o", str(out), *LEX]) == 0
    capsys.readouterr()
    blocks = out.read_text().split("\n\n")
    assert blocks[1] == "-EMPTY-\tO" and len([b for b in blocks if b.strip()]) == 3
    jl = work / "o.jsonl"
    assert main(["project", str(work / "good.en.conll"), str(work / "t.txt"), "-o", str(jl), *LEX]) == 0
    capsys.readouterr()
    assert jl.read_text().splitlines()[1] == '{"tokens": [], "spans": []}'


def test_translate_train_keeps_every_sentence(work, capsys):
    (work / "t.txt").write_text("Obama besuchte Paris .\n\nMerkel sprach\n")
    run = work / "run"
    assert main(["translate-train", str(work / "good.en.conll"), "-o", str(run), "--translations",
                 str(work / "t.txt"), "-a", "lexical", "--train", "crf", "--max-iterations", "5"]) == 0
    capsys.readouterr()
    from projner.io import read_sentences

    assert [len(s) for s in read_sentences(run / "projected.conll")] == [4, 0, 2]


# FIFOs, disk full, long names ---------------------------------------------------------

def test_fifo_inputs_are_read_once(work, capsys):
    src, tgt = work / "src.fifo", work / "tgt.fifo"
    os.mkfifo(src)
    os.mkfifo(tgt)
    feeders = [threading.Thread(target=lambda p=p, d=d: p.write_bytes(d.read_bytes()), daemon=True)
               for p, d in ((src, D / "good.en.conll"), (tgt, D / "good.de.txt"))]
    for f in feeders:
        f.start()
    out = work / "o.conll"
    rc = main(["project", str(src), str(tgt), "-o", str(out), "-a", "lexical"])  # ILP: the refinement reads twice
    for f in feeders:
        f.join(10)
    assert rc == 0, capsys.readouterr().err
    capsys.readouterr()
    assert out.read_text().count("\n\n") == 3


def test_disk_full_is_one_line_and_leaves_nothing(work, capsys, monkeypatch):
    from projner.io import atomic

    def full(self, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic._TextWriter, "write", full)
    out = work / "o.conll"
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", str(out), *LEX], work,
             f"{out}: cannot write: No space left on device (nothing was written)")


def test_250_character_output_name(work, capsys):
    out = work / ("p" * 244 + ".conll")
    assert main(["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", str(out), *LEX]) == 0
    capsys.readouterr()
    assert out.read_text().count("\n\n") == 3
    assert not [p for p in work.iterdir() if p.name.endswith(".tmp")]


def test_symlink_output_and_mode(work, capsys):
    real = work / "real.conll"
    real.write_text("old\n")
    real.chmod(0o600)
    link = work / "link.conll"
    link.symlink_to(real)
    assert main(["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", str(link), *LEX]) == 0
    capsys.readouterr()
    assert link.is_symlink() and real.read_text().count("\n\n") == 3
    assert (real.stat().st_mode & 0o777) == 0o600


def test_output_name_longer_than_the_limit(work, capsys):
    out = work / ("q" * 260 + ".conll")
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", str(out), *LEX], work,
             f"{out}: File name too long")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_device_that_is_full(work, capsys):
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", "/dev/full",
                      "--output-format", "conll", *LEX], work,
             "/dev/full: cannot write: No space left on device (the output may be incomplete)")


def test_json_config_duplicate_key(work, capsys):
    cfg = work / "c.json"
    cfg.write_text('{"aligner": "lexical",\n "method": "ilp",\n "method": "greedy"}\n')
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", str(work / "o.conll"),
                      "-c", str(cfg)], work, f"{cfg}:3: duplicate key 'method'")


def test_yaml_config_through_process_substitution_is_read_once(work, capsys):
    cfg = work / "c.fifo"
    os.mkfifo(cfg)
    feeder = threading.Thread(target=lambda: cfg.write_text("method: heuristic\nmethod: ilp\n"), daemon=True)
    feeder.start()
    _refused(capsys, ["project", str(work / "good.en.conll"), str(work / "good.de.txt"), "-o", str(work / "o.conll"),
                      "-c", str(cfg), "-a", "lexical"], work, f"{cfg}:2: duplicate key 'method' (first given on line 1)")
    feeder.join(10)


def test_show_output_is_the_target(work, capsys):
    t = work / "t.html"
    shutil.copy(work / "good.de.conll", t)
    _refused(capsys, ["show", str(work / "good.en.conll"), str(t), "-o", str(t)], work,
             _same(str(t), "-o", "TARGET"))


def test_report_output_is_an_input(work, capsys):
    md = work / "report.md"
    md.write_text("{}\n")
    _refused(capsys, ["report", str(md), "-o", str(work)], work, _same(str(md), "-o (report.md)", "RUNS"))


def test_translation_cache_is_not_an_input(work, capsys, marian):
    s = str(work / "good.en.conll")
    _refused(capsys, ["translate-train", s, "-o", str(work / "run"), "--translator", "hf", "--model", str(marian),
                      "-a", "lexical", "--cache", s], work, _same(s, "--cache", "SOURCE"))


def test_tag_output_inside_the_model_folder(work, capsys):
    model = work / "crf"
    assert main(["train", str(work / "good.de.conll"), "-o", str(model), "--max-iterations", "3"]) == 0
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in model.iterdir()}
    out = model / "projner.json"
    rc = main(["tag", str(model), str(work / "good.de.txt"), "-o", str(out), "--output-format", "jsonl"])
    assert rc == 2
    assert capsys.readouterr().err.splitlines() == [
        f"projner: error: {out}: output -o is inside the input MODEL ({model}): writing it would change the input: "
        "choose another output"]
    assert {p.name: p.read_bytes() for p in model.iterdir()} == before
