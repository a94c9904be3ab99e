"""The core CLI commands, in-process through projner.cli.main."""

import json
from importlib.resources import files

import pytest

from projner.cli import main

DATA = files("projner") / "data"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_example_runs_offline(capsys):
    code, out, err = run(capsys, "example")
    assert code == 0, err
    assert "[Angela Merkel]PER" in out and "overall" in out
    assert "projection ratio" in out


def test_project_with_precomputed_alignment_and_jsonl_output(tmp_path, capsys):
    src = tmp_path / "s.conll"
    src.write_text("Angela\tB-PER\nMerkel\tI-PER\nvisited\tO\nParis\tB-LOC\n\n")
    tgt = tmp_path / "t.txt"
    tgt.write_text("Angela Merkel besuchte Paris\n")
    al = tmp_path / "a.talp"
    al.write_text("0-0 1-1 2-2 3-3\n")
    out = tmp_path / "o.jsonl"
    code, _, err = run(capsys, "project", src, tgt, "-o", out, "--alignment", al, "--method", "heuristic")
    assert code == 0, err
    assert json.loads(out.read_text()) == {"tokens": ["Angela", "Merkel", "besuchte", "Paris"], "spans": [
        {"start": 0, "end": 2, "label": "PER", "score": 1.0}, {"start": 3, "end": 4, "label": "LOC", "score": 1.0}]}
    assert "projected 2 of 2 entities" in err


def test_project_aligns_with_lexical_and_bitext(tmp_path, capsys):
    out = tmp_path / "o.conll"
    code, _, err = run(capsys, "project", DATA / "example.en.conll", DATA / "example.de.conll", "-o", out,
                       "--aligner", "lexical", "--method", "ilp", "--target-format", "conll")
    assert code == 0, err
    first = out.read_text().split("\n\n")[0]
    assert first == "Angela\tB-PER\nMerkel\tI-PER\nbesuchte\tO\nam\tO\nMontag\tO\nParis\tB-LOC\n.\tO"


def test_mismatched_counts_is_one_line_exit_2_and_no_output(tmp_path, capsys):
    src = tmp_path / "s.conll"
    src.write_text("A\tB-PER\n\nB\tO\n\n")
    tgt = tmp_path / "t.txt"
    tgt.write_text("A\n")
    out = tmp_path / "o.conll"
    code, outp, err = run(capsys, "project", src, tgt, "-o", out, "--aligner", "lexical")
    assert code == 2
    assert err == (f"projner: error: {tgt}: 1 target sentences but 2 source sentences in {src}; "
                   "source and target must be line-parallel\n")
    assert sorted(tmp_path.iterdir()) == sorted([src, tgt])


def test_out_of_range_alignment_names_file_and_line(tmp_path, capsys):
    src = tmp_path / "s.conll"
    src.write_text("A\tB-PER\n\nB\tO\n\n")
    tgt = tmp_path / "t.txt"
    tgt.write_text("a\nb\n")
    al = tmp_path / "a.talp"
    al.write_text("0-0\n0-3\n")
    code, _, err = run(capsys, "project", src, tgt, "-o", tmp_path / "o.conll", "--alignment", al)
    assert code == 2
    assert err == f"projner: error: {al}:2: link 0-3 is out of range for 1 source and 1 target tokens\n"
    assert not (tmp_path / "o.conll").exists()


def test_evaluate_and_benchmark_json(tmp_path, capsys):
    gold = tmp_path / "g.conll"
    gold.write_text("Paris\tB-LOC\nand\tO\nRome\tB-LOC\n\n")
    pred = tmp_path / "p.conll"
    pred.write_text("Paris\tB-LOC\nand\tO\nRome\tB-PER\n\n")
    js = tmp_path / "e.json"
    code, out, err = run(capsys, "evaluate", gold, pred, "--json", js)
    assert code == 0, err
    data = json.loads(js.read_text())
    assert data["overall"]["precision"] == 0.5 and data["overall"]["recall"] == 0.5
    assert data["per_type"]["LOC"]["f1"] == pytest.approx(2 / 3)
    bj = tmp_path / "b.json"
    code, out, err = run(capsys, "benchmark-projection", DATA / "example.en.conll", DATA / "example.de.conll",
                         "--aligner", "lexical", "--json", bj)
    assert code == 0, err
    b = json.loads(bj.read_text())
    assert set(b) >= {"overall", "per_type", "sentences", "seconds"}
    assert set(b["overall"]) >= {"precision", "recall", "f1"}
    assert b["sentences"] == 10
    assert "time:" in out


def test_config_file_and_misspelt_key(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("aligner: lexical\nmethd: ilp\n")
    code, _, err = run(capsys, "benchmark-projection", DATA / "example.en.conll", DATA / "example.de.conll", "--config", cfg)
    assert code == 2
    assert err.startswith(f"projner: error: {cfg}:2: unknown key 'methd' (known keys: aligner, ")
    cfg.write_text("aligner: lexical\nmethod: greedy\nprojection:\n  min_score: 0.5\n")
    code, out, err = run(capsys, "benchmark-projection", DATA / "example.en.conll", DATA / "example.de.conll", "--config", cfg)
    assert code == 0, err
    assert "lexical · greedy" in out


def test_bitext_needs_two_files(tmp_path, capsys):
    code, _, err = run(capsys, "align", DATA / "example.en.conll", DATA / "example.de.conll", "-o", tmp_path / "a.talp",
                       "--bitext", DATA / "example.bitext.en.txt")
    assert code == 2
    assert err == "projner: error: --bitext needs two files: --bitext SRC TGT\n"


def test_align_writes_talp(tmp_path, capsys):
    out = tmp_path / "a.talp"
    code, _, err = run(capsys, "align", DATA / "example.en.conll", DATA / "example.de.conll", "-o", out, "--aligner", "lexical")
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert len(lines) == 10 and lines[0] == "0-0 1-1 3-5"


def test_shared_settings_reach_every_member_through_resolve():
    from projner.config import ProjectionConfig
    from projner.io import BitextFiles
    from projner.resolve import resolve

    cfg = ProjectionConfig(aligner="eflomal+lexical", bitext=[("a.en", "a.de")], lowercase=False, seed=3)
    ef = resolve(cfg).aligner.members[0]
    assert (ef.lowercase, ef.bitext, ef.seed) == (False, [BitextFiles("a.en", "a.de")], 3)
    # members of ensembles get them too (the seed used not to reach eflomal inside embedding-vote)
    cfg = ProjectionConfig(aligner="embedding-vote", bitext=[("a.en", "a.de")], seed=5, aligner_options={
        "embedding-vote": {"members": ["eflomal", "lexical"], "options": {"eflomal": {"bitext": [["b.en", "b.de"]]}}}})
    ef = resolve(cfg).aligner.members[0]
    assert (ef.lowercase, ef.bitext, ef.seed) == (True, [BitextFiles("b.en", "b.de"), BitextFiles("a.en", "a.de")], 5)
    # an aligner's own setting wins over the run's
    cfg = ProjectionConfig(aligner="eflomal", seed=5, lowercase=True, aligner_options={"eflomal": {"seed": 1,
                                                                                                   "lowercase": False}})
    ef = resolve(cfg).aligner
    assert (ef.seed, ef.lowercase) == (1, False)


def test_embedding_aligner_needs_a_named_existing_encoder(tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    out = tmp_path / "a.talp"
    code, _, err = run(capsys, "align", DATA / "example.en.conll", DATA / "example.de.conll", "-o", out,
                       "--aligner", "embedding")
    assert code == 2
    assert err == ("projner: error: the embedding aligner needs an encoder: --encoder PATH_OR_NAME "
                   "(config: encoder: …), e.g. a local e5-small or mBERT folder\n")
    missing = tmp_path / "no-such-encoder"
    code, _, err = run(capsys, "align", DATA / "example.en.conll", DATA / "example.de.conll", "-o", out,
                       "--aligner", "embedding", "--encoder", missing)
    assert code == 2
    assert err == (f"projner: error: encoder folder not found: {missing} (give a local model folder, "
                   "or a hub name on a machine that can download it)\n")
    assert not out.exists()


def test_python_dash_m_runs_the_cli(tmp_path):
    """``python -m projner`` is the console script: same output, same exit codes."""
    import os
    import subprocess
    import sys

    from pathlib import Path

    import projner

    src = str(Path(projner.__file__).resolve().parent.parent)  # this checkout's code, not another install
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    ok = subprocess.run([sys.executable, "-m", "projner", "--version"], capture_output=True, text=True, env=env)
    assert (ok.returncode, ok.stdout.split()[0]) == (0, "projner")
    bad = subprocess.run([sys.executable, "-m", "projner", "evaluate", str(tmp_path / "missing.conll"),
                          str(tmp_path / "missing.conll")], capture_output=True, text=True, env=env)
    assert bad.returncode == 2
    assert "missing.conll" in bad.stderr and "Traceback" not in bad.stderr
