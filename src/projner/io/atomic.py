"""Writing outputs without ever destroying a user's file.

:func:`atomic_write` writes to a hidden temporary file beside the output and
renames it over the output only when complete. What ``-o PATH`` means:

- a regular file or a new name: replaced atomically; an existing file keeps its
  permission bits (and, when projner may, its owner); a new file gets
  ``0666 & ~umask``;
- a symbolic link: the file it points to is replaced (the link stays a link); a
  dangling link creates its target;
- a device, FIFO or socket (``/dev/null``, ``/dev/stdout``, a pipe), or any path
  under ``/dev/`` or ``/proc/``: written in place (appending, never truncating),
  without a temporary file, so not atomically;
- a folder: refused.

Temporary names are ``.NAME.pPID-RANDOM.tmp`` (NAME shortened so that the whole
stays within the file-name limit). A process killed with ``kill -9`` cannot
remove its temporary file; the next write to the same output removes those whose
process is gone. A full disk (or quota, or a read-only file system) is an
:class:`~projner.errors.InputError` naming the output, and nothing is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterator

from ..errors import InputError
from ..procs import pid_alive as _pid_alive

__all__ = ["atomic_write", "check_writable", "temp_prefix", "sweep_stale_temps", "write_failure", "umask"]

# keep ".NAME.pPID-RANDOM.tmp" within NAME_MAX (255 bytes): NAME at most this many bytes
_NAME_BYTES = 200
_STALE_RE = re.compile(r"\.p(\d+)-[A-Za-z0-9_]+\.tmp$")
# write errors that are the machine's, not projner's: a clear message, exit 2
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.ENAMETOOLONG, errno.EIO}


def _short_name(name: str) -> str:
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) <= _NAME_BYTES:
        return name
    return raw[:_NAME_BYTES].decode("utf-8", "ignore")


def temp_prefix(name: str, pid: int | None = None) -> str:
    """The hidden temporary-name prefix for an output called ``name``."""
    return f".{_short_name(name)}.p{os.getpid() if pid is None else pid}-"


def sweep_stale_temps(folder: Path, name: str) -> int:
    """Remove temporary files a killed projner left for output ``name`` in ``folder``:
    only ``.NAME.pPID-RANDOM.tmp`` files of this user whose process is gone."""
    removed = 0
    short = _short_name(name)
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(f".{short}.p"):
                continue
            m = _STALE_RE.search(entry.name)
            if not m or entry.name[: m.start()] != f".{short}":
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid == os.getuid() and not _pid_alive(int(m.group(1))):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def umask() -> int:
    """The process umask (from /proc without changing it when possible)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    old = os.umask(0o022)
    os.umask(old)
    return old


def _is_direct(p: Path, st: os.stat_result | None) -> bool:
    """Outputs written in place: devices, FIFOs, sockets, /dev and /proc paths."""
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        return True
    s = os.path.abspath(p)
    return s.startswith(("/dev/", "/proc/"))


def _stat(p: Path) -> os.stat_result | None:
    try:
        return os.stat(p)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", p) from None


def check_writable(path: str | os.PathLike) -> Path:
    """Fail before any work when ``path`` cannot be written; returns the path that
    will really be written (a symbolic link's target)."""
    p = Path(path)
    st = _stat(p)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError("output path is a directory", p)
    if _is_direct(p, st):
        if st is None:
            raise InputError("cannot write: no such device or file", p)
        return p
    if p.is_symlink():
        p = Path(os.path.realpath(p))
    if len(p.name.encode("utf-8", "surrogateescape")) > 255:
        raise InputError("cannot write: file name too long", path)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.exists():
        raise InputError("output folder does not exist", folder)
    if not folder.is_dir():
        raise InputError("output folder is not a folder", folder)
    if not os.access(folder, os.W_OK):
        raise InputError("output folder is not writable", folder)
    if st is not None and not os.access(p, os.W_OK) and os.getuid() != 0:
        raise InputError("output file is not writable", path)
    return p


def write_failure(exc: BaseException, path: str | os.PathLike, written: str = "nothing was written") -> InputError | None:
    """An :class:`InputError` for a write that failed for the machine's reasons
    (disk full, quota, read-only, name too long), else None."""
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        return InputError(f"cannot write: {os.strerror(exc.errno)} ({written})", path)
    return None


class _TextWriter:
    """UTF-8 text onto a binary file, no buffering of its own (so nothing is left
    to flush, or to fail, after the binary file is closed)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def write(self, text: str) -> int:
        self._raw.write(text.encode("utf-8"))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._raw.flush()


@contextlib.contextmanager
def _wrap(raw: IO[bytes], gz: bool, mode: str) -> Iterator[IO]:
    if gz:
        with gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as z:
            yield z if "b" in mode else _TextWriter(z)  # type: ignore[misc]
    else:
        yield raw if "b" in mode else _TextWriter(raw)  # type: ignore[misc]


@contextlib.contextmanager
def _direct_write(p: Path, mode: str) -> Iterator[IO]:
    try:
        raw = open(p, "ab")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", p) from None
    try:
        with raw, _wrap(raw, p.suffix == ".gz", mode) as fh:
            yield fh
    except BrokenPipeError:  # the reader of a pipe went away (`projner … -o /dev/stdout | head`)
        import signal

        from ..signals import Interrupted

        _silence_stdout()
        raise Interrupted(signal.SIGPIPE) from None
    except OSError as exc:
        err = write_failure(exc, p, "the output may be incomplete")
        if err is None:
            raise
        raise err from None


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    import sys

    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Write a file completely or not at all (see the module docs).

    Paths ending in ``.gz`` are gzip-compressed (deterministically: no name, mtime 0).
    """
    given = Path(path)
    p = check_writable(given)
    st = _stat(p)
    if _is_direct(p, st):
        with _direct_write(p, mode) as fh:
            yield fh
        return
    folder = p.parent if str(p.parent) else Path(".")
    sweep_stale_temps(folder, p.name)
    perms = (st.st_mode & 0o7777) if st is not None else (0o666 & ~umask())
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(p.name), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise write_failure(exc, given) or InputError(f"cannot write: {exc.strerror}", given) from None
    try:
        with os.fdopen(fd, "wb") as raw:
            with _wrap(raw, given.suffix == ".gz", mode) as fh:
                yield fh
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, perms)
        if st is not None and os.getuid() == 0:
            with contextlib.suppress(OSError):
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, p)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        err = write_failure(exc, given)
        if err is not None:
            raise err from None
        raise
