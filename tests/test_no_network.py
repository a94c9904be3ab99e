"""No network at run time: the default path works with sockets blocked.

In-process, every way to open a network connection raises; in the subprocess
tests a ``sitecustomize`` does the same before projner is imported, so child
processes (the console script, eflomal's driver) are covered too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from projner.cli import main

D = Path(__file__).parent / "bad_inputs"


class NetworkBlocked(RuntimeError):
    pass


BLOCKER = textwrap.dedent(
    """
    import socket

    class NetworkBlocked(RuntimeError):
        pass

    def _refuse(*args, **kwargs):
        raise NetworkBlocked("network access attempted: %r" % (args[1:] or args,))

    for _name in ("connect", "connect_ex", "sendto", "bind"):
        setattr(socket.socket, _name, _refuse)
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse
    socket.gethostbyname = _refuse
    """
)


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkBlocked(f"network access attempted: {args!r}")

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)
    yield attempts


def test_the_block_works(no_network):
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.com", 80), timeout=1)
    s = socket.socket()
    try:
        with pytest.raises(NetworkBlocked):
            s.connect(("127.0.0.1", 9))
    finally:
        s.close()
    assert len(no_network) == 2


def test_example_offline_in_process(no_network, capsys):
    assert main(["example"]) == 0
    out = capsys.readouterr().out
    assert "overall" in out and "projection ratio" in out
    assert no_network == []


def test_project_default_aligner_offline_in_process(no_network, tmp_path, capsys):
    """The default aligner (eflomal+lexical) and method (ilp) on the small fixtures."""
    from importlib.resources import files

    data = files("projner") / "data"
    out = tmp_path / "out.conll"
    rc = main(["project", str(D / "good.en.conll"), str(D / "good.de.txt"), "-o", str(out),
               "--bitext", str(data / "example.bitext.en.txt"), str(data / "example.bitext.de.txt")])
    assert rc == 0, capsys.readouterr().err
    assert out.read_text(encoding="utf-8").count("\n\n") == 3
    assert no_network == []


@pytest.fixture
def blocked_env(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(var, None)
    env["HF_HUB_OFFLINE"] = "1"
    return env


def test_blocker_is_active_in_subprocesses(blocked_env):
    proc = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('example.com', 80))"],
                          capture_output=True, text=True, env=blocked_env, timeout=60)
    assert proc.returncode != 0 and "NetworkBlocked" in proc.stderr


def test_cli_offline_in_subprocesses(blocked_env, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "projner.cli", "example"], capture_output=True, text=True,
                          env=blocked_env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "overall" in proc.stdout
    out = tmp_path / "o.jsonl"
    proc = subprocess.run([sys.executable, "-m", "projner.cli", "project", str(D / "good.en.conll"),
                           str(D / "good.de.txt"), "-o", str(out), "-m", "heuristic"],
                          capture_output=True, text=True, env=blocked_env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
