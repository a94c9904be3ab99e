"""SIGINT, SIGTERM and SIGHUP as an exception, so that every ``finally`` and
``except BaseException`` on the way out runs: temporary outputs are removed, child
processes (eflomal) are killed, and the CLI exits with ``128 + signal number``
(130 for Ctrl-C, 143 for ``kill``, 129 for a closed terminal) and one line.

A second signal while the first is being handled is ignored, so the clean-up is
not cut short; ``kill -9`` cannot be caught (its leftovers are swept by the next
run, see :mod:`projner.io.atomic`).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

__all__ = ["Interrupted", "handle_signals", "SIGNALS"]

SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None)


class Interrupted(BaseException):
    """Raised in the main thread when the process receives SIGINT, SIGTERM or SIGHUP.

    A ``BaseException`` (like ``KeyboardInterrupt``): ``except Exception`` does not
    swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@contextlib.contextmanager
def handle_signals() -> Iterator[None]:
    """Within the block, the signals above raise :class:`Interrupted` (main thread only);
    the previous handlers are restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum, frame):  # noqa: ARG001
        if fired:
            return
        fired.append(signum)
        raise Interrupted(signum)

    old = {}
    for sig in SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            old[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, h in old.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, h)
