"""Every example in README.md runs as written.

The ```bash blocks are split into commands (continuation lines joined, comments
dropped) and run in a scratch folder that holds small stand-ins for the files
they name: the packaged English/German example as en.conll, de.txt, de.gold.conll,
bitext files, a tiny random Marian translation model (and its CTranslate2
conversion), a tiny encoder under models/e5-small, CRF taggers, configs/. Each
command runs in-process on fresh copies, so they are independent and fast. Install
lines (`pip install`) run only the command after `&&`; the test suite itself and the
benchmark scripts (which read ../shared/data for minutes) are checked with --help.
The ```python block runs twice and must print the same, and what its comments say.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from projner.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DATA = files("projner") / "data"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def commands() -> list[str]:
    out = []
    for body in blocks("bash"):
        for line in body.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


def _conll_to_text(src, dst) -> None:
    from projner.io import read_conll

    Path(dst).write_text("\n".join(" ".join(s.tokens) for s in read_conll(src)) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, marian):
    """The files the README's commands name, built once; each test copies it."""
    pytest.importorskip("ctranslate2")
    from _tiny_encoder import build_tiny_bert

    from projner.translate.ct2 import convert_model

    ws = tmp_path_factory.mktemp("readme")
    en, de = Path(DATA / "example.en.conll"), Path(DATA / "example.de.conll")
    for name in ("en.conll", "en.gold.conll", "en.train.conll"):
        shutil.copy(en, ws / name)
    for name in ("de.conll", "de.gold.conll", "de.test.conll", "de.dev.conll", "it.train.conll", "it.test.conll"):
        shutil.copy(de, ws / name)
    for name in ("de.txt", "de.train.txt", "fr.txt"):
        _conll_to_text(de, ws / name)
    _conll_to_text(en, ws / "en.txt")
    bi_en, bi_de = Path(DATA / "example.bitext.en.txt"), Path(DATA / "example.bitext.de.txt")
    for a, b in (("europarl.en.gz", "europarl.de.gz"), ("more.en", "more.de"), ("extra.en", "extra.de")):
        for src, name in ((bi_en, a), (bi_de, b)):
            data = src.read_bytes()
            if name.endswith(".gz"):
                import gzip

                data = gzip.compress(data, mtime=0)
            (ws / name).write_bytes(data)
    shutil.copytree(ROOT / "configs", ws / "configs")
    models = ws / "models"
    models.mkdir()
    shutil.copytree(marian, models / "opus-mt-de-en")
    convert_model(marian, models / "opus-mt-en-de-ct2")
    build_tiny_bert(models / "e5-small", layers=12)  # the configs pick layer 7 (of e5-small's 12)
    cwd = os.getcwd()
    os.chdir(ws)
    try:
        for argv in (["train", "en.conll", "-o", "models/en-crf", "--max-iterations", "5"],
                     ["train", "de.conll", "-o", "models/de-tagger", "--max-iterations", "5"],
                     ["train", "de.conll", "-o", "models/de-crf", "--max-iterations", "5"],
                     ["align", "en.conll", "de.txt", "-o", "links.talp", "-a", "lexical"],
                     ["align", "en.conll", "de.txt", "-o", "gold.talp", "-a", "lexical"],
                     ["project", "en.conll", "de.txt", "-o", "de.projected.conll", "-a", "lexical"],
                     ["project", "en.conll", "de.txt", "-o", "de.jsonl", "-a", "lexical"],
                     ["evaluate", "de.gold.conll", "de.projected.conll", "--json", "scores.json"],
                     ["benchmark-projection", "en.conll", "de.gold.conll", "-a", "lexical", "--json", "result.json"]):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                assert main(argv) == 0, argv
    finally:
        os.chdir(cwd)
    return ws


SKIPPED = ("python -m pytest",)


@pytest.mark.parametrize("command", commands())
def test_readme_command(command, workspace, tmp_path, monkeypatch, capsys):
    if command.startswith("pip install"):
        if "&&" not in command:
            return  # an install instruction
        command = command.split("&&", 1)[1].strip()
    if command in SKIPPED:
        return
    ws = tmp_path / "ws"
    shutil.copytree(workspace, ws, symlinks=True)
    monkeypatch.chdir(ws)
    argv = shlex.split(command)
    if argv[0] == "python":  # the benchmark scripts: they exist and parse their options
        proc = subprocess.run([sys.executable, argv[1], "--help"], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        return
    assert argv[0] == "projner", command
    code = main(argv[1:])
    out, err = capsys.readouterr()
    assert code == 0, f"{command}\n{err}"


def test_readme_python_example_is_deterministic_and_prints_what_it_says(capsys):
    [code] = blocks("python")
    expected = [m.group(1) for m in re.finditer(r"^print\(.*?\)\s+# (.*)$", code, re.M)]
    outputs = []
    for _ in range(2):
        runpy.run_path(str(_write(code)), run_name="__main__")
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert outputs[0].splitlines() == expected


def _write(code: str) -> Path:
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".py")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(code)
    return Path(path)
