"""Align the next shard while this one is projected (pipelined sharded runs).

On a sharded run (:func:`projner.pipelines_scale.project_sharded`) eflomal's binary
keeps both cores of a small machine busy while it samples, and everything else
(reading the next shard, projecting, writing) is Python on one core that ran after
it. :class:`BackgroundAligner` aligns in one background thread (the priors run, then
shard k+1) while the caller reads, projects and writes shard k: eflomal's binary runs
outside the interpreter, so the two overlap; the thread's own Python (preparing
eflomal's input, reading its links, the lexical aligner, the vote) takes turns with
the caller's under the GIL.

:class:`SplitAligner` leaves the light part of a combination to the caller: for
``eflomal+lexical`` the thread runs eflomal and the caller the lexical aligner and the
combining, so the next shard's eflomal run does not wait for them (only lexical members
move: they share no model with the first member).

Same aligner, same shards, same order: the links are those of the sequential run
(byte for byte with a seeded eflomal). The caller keeps at most two shards in flight.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable


def _timed(task, *args):
    t0 = time.perf_counter()
    return task(*args), time.perf_counter() - t0


class BackgroundAligner:
    """One worker thread; tasks run in the order submitted. :meth:`result` returns
    ``(value, seconds the task ran)`` and raises what the task raised. Leaving the
    ``with`` block on an error drops the tasks not started (the running one finishes)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="projner-align")

    def submit_align(self, align, src, tgt) -> Future:
        """``align(src, tgt)`` (an aligner's ``align``) in the worker."""
        return self._pool.submit(_timed, align, src, tgt)

    def submit_priors(self, src_lines, tgt_lines, folder, kwargs: dict) -> Future:
        from .align.sharded import learn_priors

        return self._pool.submit(_timed, lambda: learn_priors(src_lines, tgt_lines, folder, **kwargs))

    @staticmethod
    def result(future: Future):
        return future.result()

    def __enter__(self) -> "BackgroundAligner":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)


class SplitAligner:
    """An aligner built on first use (``build``; sharded runs build it after the priors
    run wrote its files), run in two parts: :meth:`first` (in the worker thread) and
    :meth:`finish` (the caller, with ``first``'s links). A combination whose other members
    are lexical (``eflomal+lexical``, the default) runs its first member in the worker and
    the lexical members and the combining in the caller; any other aligner runs whole in
    the worker."""

    def __init__(self, build: Callable) -> None:
        self._build = build
        self._aligner = None

    def _get(self):
        if self._aligner is None:
            self._aligner = self._build()
        return self._aligner

    def _split(self) -> bool:
        from .align.combine import CombinedAligner
        from .align.lexical import LexicalAligner

        aligner = self._get()  # only lexical members move: they share nothing (models, encoders) with the first
        return isinstance(aligner, CombinedAligner) and all(isinstance(m, LexicalAligner) for m in aligner.members[1:])

    def first(self, src, tgt) -> list:
        return (self._get().members[0] if self._split() else self._get()).align(src, tgt)

    def finish(self, aligns: list, src, tgt) -> list:
        from .align.combine import combine_alignments

        if not self._split():
            return aligns
        aligner = self._get()
        rest = [m.align(src, tgt) for m in aligner.members[1:]]
        return [combine_alignments([al, *(r[i] for r in rest)], aligner.method) for i, al in enumerate(aligns)]
