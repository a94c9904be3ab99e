"""Refuse outputs that would overwrite an input or another output.

Every command calls :func:`check_outputs` with its inputs and outputs before any
work. Two paths are *the same file* when their resolved paths are equal (symbolic
links and ``..`` followed) or, for files that exist, when they have the same
device and inode (hard links, bind mounts). Character devices (``/dev/null``,
a terminal) may appear more than once among the outputs: writing to them twice
loses nothing.
"""

from __future__ import annotations

import os
import stat
from typing import Iterable, Mapping, Optional, Union

from ..errors import UsageError

__all__ = ["check_outputs", "check_outside", "check_not_into", "same_file"]

PathLike = Union[str, os.PathLike]


def _identity(path: PathLike) -> tuple[str, Optional[tuple[int, int]], bool]:
    """(resolved path, (st_dev, st_ino) or None, is a character device)."""
    resolved = os.path.realpath(os.fspath(path))
    try:
        st = os.stat(path)
    except OSError:
        return resolved, None, False
    return resolved, (st.st_dev, st.st_ino), stat.S_ISCHR(st.st_mode)


def same_file(a: PathLike, b: PathLike) -> bool:
    """Whether ``a`` and ``b`` name the same file (resolved path or device and inode)."""
    ra, ia, _ = _identity(a)
    rb, ib, _ = _identity(b)
    return ra == rb or (ia is not None and ia == ib)


def _items(named: Mapping[str, Union[PathLike, Iterable[PathLike], None]]) -> list[tuple[str, PathLike]]:
    out = []
    for name, value in named.items():
        if value is None or value == "":
            continue
        if isinstance(value, (str, os.PathLike)):
            out.append((name, value))
        else:
            out.extend((name, v) for v in value if v is not None and v != "")
    return out


def _other(a: PathLike, b: PathLike) -> str:
    return "" if os.fspath(a) == os.fspath(b) else f" ({os.fspath(b)})"


def check_outputs(inputs: Mapping[str, Union[PathLike, Iterable[PathLike], None]],
                  outputs: Mapping[str, Union[PathLike, Iterable[PathLike], None]]) -> None:
    """Raise :class:`UsageError` (exit 2) when an output is an input or another output.

    ``inputs`` and ``outputs`` map an option name (used in the message, e.g.
    ``"--json"``) to a path, a list of paths, or None. A run folder's caller lists
    the files the run writes there.
    """
    ins = [(n, p, *_identity(p)) for n, p in _items(inputs)]
    outs = [(n, p, *_identity(p)) for n, p in _items(outputs)]
    for k, (oname, opath, oreal, oid, ochr) in enumerate(outs):
        for iname, ipath, ireal, iid, _ in ins:
            if oreal == ireal or (oid is not None and oid == iid):
                if ochr:
                    continue  # reading and writing a terminal or /dev/null destroys nothing
                raise UsageError(f"output {oname} is the same file as the input {iname}{_other(opath, ipath)}; "
                                 "writing it would destroy the input: choose another output", opath)
        for oname2, opath2, oreal2, oid2, ochr2 in outs[:k]:
            if oreal == oreal2 or (oid is not None and oid == oid2):
                if ochr and ochr2:
                    continue
                raise UsageError(f"output {oname} is the same file as output {oname2}{_other(opath, opath2)}; "
                                 "each output needs its own file", opath)


def check_outside(inputs: Mapping[str, Union[PathLike, Iterable[PathLike], None]], folder: PathLike,
                  name: str) -> None:
    """Refuse an input inside ``folder``, an output folder that is replaced as a whole."""
    top = os.path.realpath(os.fspath(folder))
    for iname, ipath in _items(inputs):
        real = os.path.realpath(os.fspath(ipath))
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            raise UsageError(f"output {name} is a folder that is replaced as a whole, and the input {iname} "
                             f"({os.fspath(ipath)}) is inside it: choose another output", folder)


def check_not_into(outputs: Mapping[str, Union[PathLike, Iterable[PathLike], None]], folder: PathLike,
                   name: str) -> None:
    """Refuse an output inside ``folder``, an input folder that must stay as it is (a model)."""
    top = os.path.realpath(os.fspath(folder))
    if not os.path.isdir(top):
        return
    for oname, opath in _items(outputs):
        real = os.path.realpath(os.fspath(opath))
        if real.startswith(top.rstrip(os.sep) + os.sep):
            raise UsageError(f"output {oname} is inside the input {name} ({os.fspath(folder)}): writing it would "
                             "change the input: choose another output", opath)
