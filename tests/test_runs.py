"""Run directories: manifest, atomic steps, resume, invalidation, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from projner.errors import InputError, UsageError
from projner.runs import MANIFEST, RunDir, sha256_file


@pytest.fixture
def inputs(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("one\ntwo\n", encoding="utf-8")
    b.write_text("eins\nzwei\n", encoding="utf-8")
    return {"source": a, "target": b}


class Calls:
    """Step functions that record how often they ran."""

    def __init__(self):
        self.n: dict[str, int] = {}

    def copy_upper(self, key, src):
        def fn(paths):
            self.n[key] = self.n.get(key, 0) + 1
            paths[key].write_text(Path(src).read_text(encoding="utf-8").upper(), encoding="utf-8")

        return fn

    def concat(self, key, *files):
        def fn(paths):
            self.n[key] = self.n.get(key, 0) + 1
            paths[key].write_text("".join(Path(f).read_text(encoding="utf-8") for f in files), encoding="utf-8")

        return fn


def run_three(root, config, inputs, calls):
    """A three-step run: A(source), B(target), C(A, B, config.join)."""
    run = RunDir(root, config, inputs)
    run.step("A", ["a.out"], calls.copy_upper("a.out", inputs["source"]), depends=["input:source", "config:a"])
    run.step("B", ["b.out"], calls.copy_upper("b.out", inputs["target"]), depends=["input:target"])
    run.step("C", ["c.out"], calls.concat("c.out", run.path("a.out"), run.path("b.out")),
             depends=["step:A", "step:B", "config:join.sep"])
    return run


def test_manifest_records_config_inputs_versions_steps(tmp_path, inputs):
    calls = Calls()
    run = run_three(tmp_path / "run", {"a": {"x": 1}, "join": {"sep": " "}}, inputs, calls)
    m = json.loads((tmp_path / "run" / MANIFEST).read_text(encoding="utf-8"))
    assert m["config"] == {"a": {"x": 1}, "join": {"sep": " "}}
    assert m["inputs"]["source"]["sha256"] == sha256_file(inputs["source"])
    assert m["inputs"]["target"]["path"] == os.fspath(inputs["target"])
    assert set(m["versions"]) == {"projner", "python", "numpy"}
    assert set(m["steps"]) == {"A", "B", "C"}
    assert m["steps"]["C"]["depends"] == ["step:A", "step:B", "config:join.sep"]
    assert m["steps"]["A"]["outputs"]["a.out"]["size"] == len("ONE\nTWO\n")
    assert (tmp_path / "run" / "c.out").read_text(encoding="utf-8") == "ONE\nTWO\nEINS\nZWEI\n"
    assert run.ran == ["A", "B", "C"] and run.skipped == []
    # no temporary files left
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [".lock", "a.out", "b.out", "c.out", MANIFEST]


def test_rerun_skips_finished_steps(tmp_path, inputs):
    calls = Calls()
    cfg = {"a": 1, "join": {"sep": "-"}}
    run_three(tmp_path / "run", cfg, inputs, calls)
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()}
    run = run_three(tmp_path / "run", cfg, inputs, calls)
    assert calls.n == {"a.out": 1, "b.out": 1, "c.out": 1}
    assert run.skipped == ["A", "B", "C"] and run.ran == []
    after = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()}
    assert before == after


def test_step_returns_final_paths(tmp_path, inputs):
    run = RunDir(tmp_path / "r", {}, inputs)
    out = run.step("s", ["x.txt", "sub/y.txt"], lambda p: [p["x.txt"].write_text("x"), p["sub/y.txt"].write_text("y")])
    assert out == {"x.txt": tmp_path / "r" / "x.txt", "sub/y.txt": tmp_path / "r" / "sub" / "y.txt"}
    assert run.path("sub/y.txt").read_text() == "y"


def test_changed_input_invalidates_dependents_only(tmp_path, inputs):
    calls = Calls()
    cfg = {"a": 1, "join": {"sep": "-"}}
    run_three(tmp_path / "run", cfg, inputs, calls)
    inputs["target"].write_text("drei\n", encoding="utf-8")
    run = run_three(tmp_path / "run", cfg, inputs, calls)
    assert run.skipped == ["A"] and run.ran == ["B", "C"]
    assert calls.n == {"a.out": 1, "b.out": 2, "c.out": 2}
    assert (tmp_path / "run" / "c.out").read_text(encoding="utf-8") == "ONE\nTWO\nDREI\n"


def test_changed_config_section_invalidates_transitively(tmp_path, inputs):
    calls = Calls()
    run_three(tmp_path / "run", {"a": 1, "join": {"sep": "-"}, "other": 5}, inputs, calls)
    # a section nobody depends on: nothing reruns
    run = run_three(tmp_path / "run", {"a": 1, "join": {"sep": "-"}, "other": 6}, inputs, calls)
    assert run.ran == []
    # join.sep: only C
    run = run_three(tmp_path / "run", {"a": 1, "join": {"sep": "+"}, "other": 6}, inputs, calls)
    assert run.ran == ["C"]
    # a sibling key of join.sep: nothing
    run = run_three(tmp_path / "run", {"a": 1, "join": {"sep": "+", "z": 0}, "other": 6}, inputs, calls)
    assert run.ran == []
    # a: A and, through step:A, C
    run = run_three(tmp_path / "run", {"a": 2, "join": {"sep": "+", "z": 0}, "other": 6}, inputs, calls)
    assert run.ran == ["A", "C"] and run.skipped == ["B"]
    # the manifest holds the new config
    assert json.loads((tmp_path / "run" / MANIFEST).read_text())["config"]["a"] == 2


def test_missing_or_modified_output_reruns_step(tmp_path, inputs):
    calls = Calls()
    cfg = {"a": 1}
    run_three(tmp_path / "run", cfg, inputs, calls)
    (tmp_path / "run" / "b.out").unlink()
    run = run_three(tmp_path / "run", cfg, inputs, calls)
    # B reran and wrote the same bytes, so C (keyed on B's fingerprint and output checksums) is kept
    assert run.ran == ["B"] and run.skipped == ["A", "C"]
    (tmp_path / "run" / "a.out").write_text("truncated")  # a size that differs from the record
    run = run_three(tmp_path / "run", cfg, inputs, calls)
    assert run.ran == ["A"]
    assert (tmp_path / "run" / "a.out").read_text() == "ONE\nTWO\n"
    (tmp_path / "run" / "a.out").write_text("ONE\nTW0\n")  # same size, other bytes
    run = run_three(tmp_path / "run", cfg, inputs, calls)
    assert run.ran == ["A"]
    assert (tmp_path / "run" / "a.out").read_text() == "ONE\nTWO\n"


def test_atomic_writer_inside_a_step(tmp_path, inputs):
    from projner.io import write_conll
    from projner.types import Sentence, Span

    run = RunDir(tmp_path / "r", {}, inputs)
    sents = [Sentence(["Obama", "spoke"], [Span(0, 1, "PER")])]
    out = run.step("w", ["o.conll.gz"], lambda p: write_conll(p["o.conll.gz"], sents))
    from projner.io import read_conll

    assert out["o.conll.gz"].read_bytes()[:2] == b"\x1f\x8b"  # the temporary name kept the .gz suffix
    assert list(read_conll(out["o.conll.gz"])) == sents
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [".lock", "manifest.json", "o.conll.gz"]


def test_folder_outputs(tmp_path, inputs):
    calls = Calls()

    def train(version):
        def fn(paths):
            calls.n["train"] = calls.n.get("train", 0) + 1
            model = paths["model/"]
            assert model.is_dir() and not list(model.iterdir())  # an empty folder to fill
            (model / "weights.bin").write_bytes(bytes([version]) * 10)
            (model / "sub").mkdir()
            (model / "sub" / "config.json").write_text('{"v": %d}' % version)
            paths["train.json"].write_text("done")
        return fn

    root = tmp_path / "r"
    run = RunDir(root, {"train": 1}, inputs)
    out = run.step("train", ["model/", "train.json"], train(1), depends=["config:train"])
    assert out["model/"] == root / "model" and (root / "model" / "sub" / "config.json").read_text() == '{"v": 1}'
    info = run.manifest()["steps"]["train"]["outputs"]["model/"]
    assert info["size"] == 10 + len('{"v": 1}') and info["sha256"] == sha256_file(root / "model")
    RunDir(root, {"train": 1}, inputs).step("train", ["model/", "train.json"], train(1), depends=["config:train"])
    assert calls.n["train"] == 1
    # a changed config replaces the whole folder
    run = RunDir(root, {"train": 2}, inputs)
    run.step("train", ["model/", "train.json"], train(2), depends=["config:train"])
    assert (root / "model" / "weights.bin").read_bytes() == b"\x02" * 10
    assert sorted(p.name for p in root.iterdir()) == [".lock", MANIFEST, "model", "train.json"]
    # a failing step leaves the old folder alone and no temporary folder
    def broken(paths):
        (paths["model/"] / "weights.bin").write_bytes(b"half")
        raise RuntimeError("out of memory")
    with pytest.raises(RuntimeError):
        RunDir(root, {"train": 3}, inputs).step("train", ["model/", "train.json"], broken, depends=["config:train"])
    assert (root / "model" / "weights.bin").read_bytes() == b"\x02" * 10
    assert sorted(p.name for p in root.iterdir()) == [".lock", MANIFEST, "model", "train.json"]
    # leftovers of a killed process are removed
    (root / ".tmp-dead.model").mkdir()
    (root / ".old-dead.model").mkdir()
    RunDir(root, {"train": 4}, inputs).step("train", ["model/", "train.json"], train(4), depends=["config:train"])
    assert sorted(p.name for p in root.iterdir()) == [".lock", MANIFEST, "model", "train.json"]


def test_exception_in_step_leaves_nothing(tmp_path, inputs):
    run = RunDir(tmp_path / "r", {}, inputs)

    def boom(paths):
        paths["o.txt"].write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run.step("s", ["o.txt"], boom)
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [".lock", MANIFEST]
    assert "s" not in run.manifest()["steps"]
    assert not run.is_finished("s")


def test_keyboard_interrupt_in_step_leaves_nothing(tmp_path, inputs):
    run = RunDir(tmp_path / "r", {}, inputs)

    def interrupted(paths):
        paths["o.txt"].write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.step("s", ["o.txt"], interrupted)
    assert not (tmp_path / "r" / "o.txt").exists()
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [".lock", MANIFEST]


def test_step_that_forgets_an_output_fails(tmp_path, inputs):
    run = RunDir(tmp_path / "r", {}, inputs)
    with pytest.raises(RuntimeError, match="did not write its output"):
        run.step("s", ["a", "b"], lambda p: p["a"].write_text("a"))
    assert not (tmp_path / "r" / "a").exists()
    assert "s" not in run.manifest()["steps"]


def test_stale_temporary_files_are_removed(tmp_path, inputs):
    root = tmp_path / "r"
    root.mkdir()
    stale = root / ".tmp-deadbeef.o.txt"
    stale.write_text("left by a killed process")
    nested = root / "..tmp-deadbeef.o.txt.x1y2z3.tmp"  # from io.atomic_write on the step's temp path
    nested.write_text("left by a killed atomic writer")
    other = root / ".other.txt"
    other.write_text("not ours")
    run = RunDir(root, {}, inputs)
    run.step("s", ["o.txt"], lambda p: p["o.txt"].write_text("ok"))
    assert not stale.exists() and not nested.exists() and other.exists()
    assert (root / "o.txt").read_text() == "ok"


def test_bad_dependencies_and_names(tmp_path, inputs):
    run = RunDir(tmp_path / "r", {}, inputs)
    w = lambda p: None  # noqa: E731
    with pytest.raises(UsageError, match="unknown input 'nope'"):
        run.step("s", ["o"], w, depends=["input:nope"])
    with pytest.raises(UsageError, match="has not run"):
        run.step("s", ["o"], w, depends=["step:earlier"])
    with pytest.raises(UsageError, match="unknown dependency"):
        run.step("s", ["o"], w, depends=["env:HOME"])
    for bad in ["../o", "/abs", MANIFEST, ".hidden", ""]:
        with pytest.raises(UsageError, match="invalid step output name"):
            run.step("s", [bad], w)


def test_bad_run_folder_and_inputs(tmp_path, inputs):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError) as e:
        RunDir(f, {}, inputs)
    assert e.value.path == os.fspath(f)
    with pytest.raises(InputError, match="cannot create run folder") as e:
        RunDir(f / "sub", {}, inputs)
    with pytest.raises(InputError, match="file not found") as e:
        RunDir(tmp_path / "r", {}, {"source": tmp_path / "missing.txt"})
    assert e.value.located() == f"{tmp_path / 'missing.txt'}: file not found"
    root = tmp_path / "r2"
    root.mkdir()
    (root / MANIFEST).write_text("{not json")
    with pytest.raises(InputError, match="not a valid run manifest"):
        RunDir(root, {}, inputs)


def test_folder_inputs_and_pydantic_like_config(tmp_path, inputs):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "sub" / "w.bin").write_bytes(b"\x00\x01")

    class Cfg:
        def model_dump(self):
            return {"k": Path("/x"), "s": {"b", "a"}}

    calls = Calls()
    run = RunDir(tmp_path / "r", Cfg(), {"model": model, **inputs})
    assert run.config == {"k": "/x", "s": ["a", "b"]}
    run.step("m", ["o"], calls.copy_upper("o", inputs["source"]), depends=["input:model"])
    (model / "sub" / "w.bin").write_bytes(b"\x00\x02")
    run = RunDir(tmp_path / "r", Cfg(), {"model": model, **inputs})
    run.step("m", ["o"], calls.copy_upper("o", inputs["source"]), depends=["input:model"])
    assert calls.n["o"] == 2


# kill -9 ------------------------------------------------------------------

SCRIPT = textwrap.dedent(
    r"""
    import os, sys, time
    from pathlib import Path
    from projner.runs import RunDir

    root, src, signal_file, slow = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "slow"
    run = RunDir(root, {"n": 400}, {"source": src})

    def first(paths):
        lines = Path(src).read_text(encoding="utf-8").splitlines()
        paths["first.txt"].write_text("".join(l[::-1] + "\n" for l in lines), encoding="utf-8")

    def second(paths):
        lines = run.path("first.txt").read_text(encoding="utf-8").splitlines()
        with open(paths["second.txt"], "w", encoding="utf-8") as fh, open(paths["count.txt"], "w") as fc:
            for i in range(400):
                fh.write(f"{i}\t{lines[i % len(lines)]}\n")
                if slow and i == 200:
                    fh.flush()
                    Path(signal_file).write_text("mid-step")
                    time.sleep(60)
            fc.write("400\n")

    def third(paths):
        data = run.path("second.txt").read_bytes()
        paths["final.txt"].write_bytes(data.upper())

    run.step("first", ["first.txt"], first, depends=["input:source"])
    run.step("second", ["second.txt", "count.txt"], second, depends=["step:first", "config:n"])
    run.step("third", ["final.txt"], third, depends=["step:second"])
    print(" ".join(run.ran))
    """
)


def _run_script(root, src, signal_file, mode, **kw):
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(root), str(src), str(signal_file), mode],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw,
    )


def test_kill_9_mid_step_then_resume_is_byte_identical(tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("".join(f"sentence {i} ünïcödé\n" for i in range(50)), encoding="utf-8")
    ref = _run_script(tmp_path / "ref", src, tmp_path / "unused", "fast")
    out, err = ref.communicate(timeout=60)
    assert ref.returncode == 0, err
    assert out.split() == ["first", "second", "third"]

    sig = tmp_path / "signal"
    proc = _run_script(tmp_path / "run", src, sig, "slow")
    deadline = time.time() + 60
    while not sig.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.time() < deadline, "the step never reached its middle"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    root = tmp_path / "run"
    # killed mid-step: the first step is final, the second left only temporary files
    assert (root / "first.txt").exists()
    assert not (root / "second.txt").exists() and not (root / "count.txt").exists()
    assert any(p.name.startswith(".tmp-") and p.name.endswith(".second.txt") for p in root.iterdir())
    assert set(json.loads((root / MANIFEST).read_text())["steps"]) == {"first"}

    again = _run_script(root, src, sig, "fast")
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert out.split() == ["second", "third"]  # resumed: the first step was not redone
    for name in ["first.txt", "second.txt", "count.txt", "final.txt"]:
        assert (root / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    assert sorted(p.name for p in root.iterdir()) == sorted(p.name for p in (tmp_path / "ref").iterdir())
    m_run = json.loads((root / MANIFEST).read_text())
    m_ref = json.loads((tmp_path / "ref" / MANIFEST).read_text())
    assert m_run["steps"] == m_ref["steps"]


# atomic outputs of the writers -----------------------------------------------

WRITER = textwrap.dedent(
    r"""
    import sys, time
    from pathlib import Path
    from projner.io import write_conll
    from projner.types import Sentence, Span

    out, signal_file = sys.argv[1], sys.argv[2]

    def sentences():
        for i in range(100000):
            if i == 500:
                Path(signal_file).write_text("half way")
                time.sleep(60)
            yield Sentence(["Obama", "visited", "Paris", str(i)], [Span(0, 1, "PER"), Span(2, 3, "LOC")])

    write_conll(out, sentences())
    """
)


@pytest.mark.parametrize("name", ["out.conll", "out.conll.gz"])
def test_writer_killed_mid_write_leaves_old_file_or_nothing(tmp_path, name):
    out = tmp_path / name
    for existing in (False, True):
        if existing:
            out.write_bytes(b"previous complete output\n")
        sig = tmp_path / "signal"
        sig.unlink(missing_ok=True)
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(out), str(sig)], stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while not sig.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.time() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        if existing:
            assert out.read_bytes() == b"previous complete output\n"
        else:
            assert not out.exists()
        temps = [p for p in tmp_path.iterdir() if p.name.startswith(f".{name}.") and p.name.endswith(".tmp")]
        assert len(temps) == 1  # the half-written data never had the final name
        if not name.endswith(".gz"):  # (gzip may still hold it in its buffer)
            assert temps[0].stat().st_size > 0
        temps[0].unlink()


def test_writer_interrupted_leaves_nothing(tmp_path):
    from projner.io import write_jsonl
    from projner.types import Sentence

    def sentences():
        yield Sentence(["a"])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_jsonl(tmp_path / "o.jsonl", sentences())
    assert list(tmp_path.iterdir()) == []
