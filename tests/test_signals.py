"""SIGINT -> exit 130, SIGTERM -> exit 143, one stderr line each; no temporary file
left beside the output nor in the temporary folder (eflomal's included), and no
eflomal process left running."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from projner.cli import main


def _corpus(folder: Path, n: int = 4000) -> tuple[Path, Path]:
    rnd = random.Random(5)
    vocab = [f"w{i}" for i in range(2000)]
    src, tgt = folder / "src.conll", folder / "tgt.txt"
    with open(src, "w") as s, open(tgt, "w") as t:
        for _ in range(n):
            words = [rnd.choice(vocab) for _ in range(25)]
            s.write("Anna\tB-PER\n" + "".join(f"{w}\tO\n" for w in words) + "\n")
            t.write("ANNA " + " ".join(w.upper() for w in words) + "\n")
    return src, tgt


def _eflomal_children(tmpdir: Path) -> list[str]:
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if str(tmpdir).encode() in cmd and b"eflomal" in cmd:
                out.append(pid)
    return out


@pytest.mark.parametrize("sig, code, name", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "SIGINT")])
def test_signal_during_eflomal(tmp_path, sig, code, name):
    data = tmp_path / "data"
    data.mkdir()
    src, tgt = _corpus(data)
    out_dir, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "projner.cli", "project", str(src), str(tgt),
                             "-o", str(out_dir / "out.conll"), "-a", "eflomal", "-m", "heuristic"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not any(p.name.startswith("projner-eflomal-p") for p in tmpdir.iterdir()):
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run ended before eflomal started")
    time.sleep(0.5)  # inside eflomal
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.splitlines() == [f"projner: error: interrupted ({name}); no partial output left, "
                                "finished run-folder steps kept (rerun to resume)"]
    assert os.listdir(out_dir) == []
    assert os.listdir(tmpdir) == []
    assert _eflomal_children(tmpdir) == []


def test_signal_while_writing_removes_the_temporary_file(tmp_path, capsys, monkeypatch):
    """In-process: SIGTERM arrives while the output is being written."""
    data = tmp_path / "data"
    data.mkdir()
    src, tgt = _corpus(data, 50)
    out = tmp_path / "out.conll"
    out.write_text("previous\n")
    from projner.io import atomic

    real = atomic._TextWriter.write
    calls = {"n": 0}

    def write(self, text):
        calls["n"] += 1
        if calls["n"] == 20:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)
        return real(self, text)

    monkeypatch.setattr(atomic._TextWriter, "write", write)
    rc = main(["project", str(src), str(tgt), "-o", str(out), "-a", "lexical", "-m", "heuristic"])
    assert rc == 143
    assert capsys.readouterr().err.splitlines() == [
        "projner: error: interrupted (SIGTERM); no partial output left, finished run-folder steps kept (rerun to resume)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.conll"]
    assert out.read_text() == "previous\n"
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers restored


def test_closed_output_pipe_exits_141_with_one_line(tmp_path):
    """``projner project … -o /dev/stdout | head -1``: the reader leaves early."""
    src, tgt = _corpus(tmp_path, 3000)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "projner.cli", "project", str(src), str(tgt), "-o", "/dev/stdout",
                             "--output-format", "conll", "-a", "lexical", "-m", "heuristic"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(10) == b"ANNA\tB-PER"
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert err.splitlines() == ["projner: error: output pipe closed by its reader (SIGPIPE): the output is incomplete"]
