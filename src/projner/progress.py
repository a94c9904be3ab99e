"""Progress of long runs: pairs done, rate and ETA per stage (align, project).

On a terminal: rich progress bars on stderr, one per stage. Otherwise (logs, CI,
batch jobs): a plain line per stage every ``interval`` seconds, and when a stage
that printed finishes (stages shorter than the interval print nothing), e.g. ``align: 200,000/1,000,000 pairs (20%), 1,234 pairs/s, ETA 0:10:48``.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _hms(seconds: float) -> str:
    s = int(max(seconds, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class _Stage:
    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.t0 = time.monotonic()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.t0
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self, name: str) -> str:
        r = self.rate()
        pct = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        eta = _hms((self.total - self.done) / r) if r > 0 and self.done < self.total else "0:00:00"
        return f"{name}: {self.done:,}/{self.total:,} pairs{pct}, {r:,.0f} pairs/s, ETA {eta}"


class LineProgress:
    """Plain progress lines (no terminal needed)."""

    def __init__(self, stream: TextIO | None = None, interval: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self.stages: dict[str, _Stage] = {}
        self._last: dict[str, float] = {}
        self._printed: set[str] = set()

    def start(self, stage: str, total: int) -> None:
        self.stages[stage] = _Stage(total)
        self._last[stage] = time.monotonic()

    def advance(self, stage: str, n: int) -> None:
        st = self.stages[stage]
        st.done += n
        now = time.monotonic()
        # quiet for stages shorter than the interval; otherwise every interval and at the end
        if now - self._last[stage] >= self.interval or (st.done >= st.total and stage in self._printed):
            self._last[stage] = now
            self._printed.add(stage)
            print(st.line(stage), file=self.stream, flush=True)

    def note(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def __enter__(self) -> "LineProgress":
        return self

    def __exit__(self, *exc) -> None:
        pass


class BarProgress:
    """rich bars on a terminal: description, bar, done/total, rate, elapsed, ETA."""

    def __init__(self, console) -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} pairs/s" if speed else "– pairs/s")

        self.bars = Progress(TextColumn("{task.description:9s}"), BarColumn(), MofNCompleteColumn(), Rate(),
                             TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console)
        self.tasks: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        self.tasks[stage] = self.bars.add_task(stage, total=total)

    def advance(self, stage: str, n: int) -> None:
        self.bars.advance(self.tasks[stage], n)

    def note(self, text: str) -> None:
        self.bars.console.print(text)

    def __enter__(self) -> "BarProgress":
        self.bars.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bars.stop()


def stage_progress(interval: float = 10.0):
    """Bars on a terminal, plain lines on stderr otherwise (a context manager)."""
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_terminal:
        return BarProgress(console)
    return LineProgress(sys.stderr, interval)
