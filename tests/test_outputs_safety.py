"""Outputs never destroy a user's file: atomic replace, symlinks, devices, modes,
umask, long names, disk full, stale temporary files, output-vs-input refusal."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from projner.errors import InputError, UsageError
from projner.io import atomic_write
from projner.io.atomic import sweep_stale_temps, temp_prefix
from projner.io.outputs import check_outputs, same_file


def _write(path, text="new\n"):
    with atomic_write(path) as fh:
        fh.write(text)


def test_symlink_output_writes_through_to_its_target(tmp_path):
    real = tmp_path / "real.conll"
    real.write_text("old\n")
    link = tmp_path / "link.conll"
    link.symlink_to(real)
    _write(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.conll", "real.conll"]


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.conll"
    link.symlink_to(tmp_path / "made.conll")
    _write(link)
    assert link.is_symlink() and (tmp_path / "made.conll").read_text() == "new\n"


def test_device_output_is_written_in_place():
    _write("/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_output_is_written_in_place(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()), daemon=True)
    reader.start()
    _write(fifo, "through the pipe\n")
    reader.join(10)
    assert got == ["through the pipe\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_replaced_file_keeps_its_mode(tmp_path):
    out = tmp_path / "secret.conll"
    out.write_text("old\n")
    out.chmod(0o600)
    _write(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text() == "new\n"


def test_new_file_honours_umask(tmp_path):
    old = os.umask(0o077)
    try:
        _write(tmp_path / "new.conll")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.conll").stat().st_mode) == 0o600


def test_250_character_name(tmp_path):
    out = tmp_path / ("x" * 244 + ".conll")
    _write(out)
    assert out.read_text() == "new\n" and os.listdir(tmp_path) == [out.name]
    assert len(temp_prefix("é" * 250).encode()) <= 255 - 20


def test_disk_full_leaves_old_file_and_no_temp(tmp_path):
    out = tmp_path / "out.conll"
    out.write_text("old\n")
    with pytest.raises(InputError) as info:
        with atomic_write(out) as fh:
            fh.write("partial")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(info.value) == f"{out}: cannot write: No space left on device (nothing was written)"
    assert out.read_text() == "old\n" and os.listdir(tmp_path) == ["out.conll"]


def test_stale_temps_of_dead_processes_are_swept(tmp_path):
    dead = 4_000_000
    while True:
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
    stale = tmp_path / f"{temp_prefix('out.conll', dead)}abcd1234.tmp"
    alive = tmp_path / f"{temp_prefix('out.conll', os.getpid())}abcd1234.tmp"
    other = tmp_path / f"{temp_prefix('other.conll', dead)}abcd1234.tmp"
    for p in (stale, alive, other):
        p.write_text("half")
    _write(tmp_path / "out.conll")
    assert not stale.exists() and alive.exists() and other.exists()
    assert sweep_stale_temps(tmp_path, "other.conll") == 1


def test_output_equal_to_input_is_refused(tmp_path):
    src = tmp_path / "s.conll"
    src.write_text("x O\n")
    hard = tmp_path / "hard.conll"
    os.link(src, hard)
    soft = tmp_path / "soft.conll"
    soft.symlink_to(src)
    for out in (src, hard, soft, tmp_path / "sub" / ".." / "s.conll"):
        with pytest.raises(UsageError) as info:
            check_outputs({"SOURCE": src}, {"-o": out})
        assert "output -o is the same file as the input SOURCE" in str(info.value)
    assert same_file(hard, soft)


def test_two_outputs_on_one_file_are_refused(tmp_path):
    out = tmp_path / "x.conll"
    with pytest.raises(UsageError) as info:
        check_outputs({}, {"-o": out, "--save-alignment": str(out)})
    assert str(info.value) == (f"{out}: output --save-alignment is the same file as output -o; "
                               "each output needs its own file")
    check_outputs({"SOURCE": "/dev/null"}, {"-o": "/dev/null", "--json": "/dev/null"})  # devices: fine
    check_outputs({"SOURCE": tmp_path / "a"}, {"-o": tmp_path / "b", "--json": None})


def test_a_users_folder_is_not_a_run_folder(tmp_path):
    from projner.runs import RunDir

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "projected.conll").write_text("my own work\n")
    with pytest.raises(InputError) as info:
        RunDir(mine, {}, {})
    assert str(info.value) == (f"{mine}: folder exists and is not a projner run folder (no manifest.json); "
                               "refusing to write into it: give a new or empty folder")
    assert sorted(p.name for p in mine.iterdir()) == ["projected.conll"]
    assert (mine / "projected.conll").read_text() == "my own work\n"


def test_disk_full_in_a_step_records_nothing(tmp_path):
    from projner.runs import RunDir

    run = RunDir(tmp_path / "run", {}, {})

    def full(paths):
        paths["o.txt"].write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(InputError) as info:
        run.step("s", ["o.txt"], full)
    assert str(info.value) == f"{tmp_path / 'run'}: cannot write: No space left on device (step 's' not recorded)"
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [".lock", "manifest.json"]
    assert not run.is_finished("s")
