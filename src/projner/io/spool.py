"""Inputs that can be read only once: FIFOs, ``<(…)`` process substitution, ``/dev/stdin``.

projner reads some inputs more than once (format sniffing, the refinement's first
pass, a configuration read for its data and its line numbers). The commands pass
every input through :func:`regular_input`: a path that is not a regular file (nor
a folder) is copied once into a private temporary folder (``projner-spool-pPID-…``,
removed when the command ends, swept by a later run after ``kill -9``), and the
copy is read instead. Messages name what the user gave, not the copy
(:func:`user_text`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..procs import pid_alive as _pid_alive

__all__ = ["regular_input", "spooling", "user_text"]

_SPOOLED: dict[str, str] = {}  # copy -> the path the user gave
_DIRS: list[str] = []
_DIR_RE = re.compile(r"^projner-spool-p(\d+)-")


def _sweep() -> None:
    with contextlib.suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            m = _DIR_RE.match(entry.name)
            with contextlib.suppress(OSError):
                if m and entry.is_dir(follow_symlinks=False) and entry.stat().st_uid == os.getuid() \
                        and not _pid_alive(int(m.group(1))):
                    shutil.rmtree(entry.path, ignore_errors=True)


def _spool_dir() -> str:
    if not _DIRS:
        _sweep()
        _DIRS.append(tempfile.mkdtemp(prefix=f"projner-spool-p{os.getpid()}-"))
    return _DIRS[0]


def regular_input(path: str | os.PathLike | None):
    """``path`` itself when it is a regular file, a folder or missing (the readers
    report that); otherwise a regular-file copy of what it delivers, made once."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return path
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return path
    for copy, given in _SPOOLED.items():
        if given == os.fspath(path):
            return type(path)(copy) if isinstance(path, Path) else copy
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(path).name) or "input"
    dest = os.path.join(_spool_dir(), f"{len(_SPOOLED)}-{name}")
    try:
        with open(path, "rb") as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None
    _SPOOLED[dest] = os.fspath(path)
    return Path(dest) if isinstance(path, Path) else dest


def user_text(text: str) -> str:
    """``text`` with the copies' paths replaced by the paths the user gave."""
    for copy, given in _SPOOLED.items():
        text = text.replace(copy, given)
    return text


@contextlib.contextmanager
def spooling() -> Iterator[None]:
    """Remove the copies when the block (a command) ends, however it ends."""
    _SPOOLED.clear()
    try:
        yield
    finally:  # the names stay known (for messages printed after the block) until the next block
        for d in _DIRS:
            shutil.rmtree(d, ignore_errors=True)
        _DIRS.clear()
