"""Align and project corpora of any size in bounded memory, shard by shard.

``projner project`` without ``--alignment`` runs :func:`project_sharded`:

1. one streaming pass over source and target: counts the pairs (so progress has a
   total), checks they are line-parallel, lets the projector learn its corpus
   statistics (the refinement's function words) and draws a fixed-seed sample;
2. if the corpus is larger than one shard and the aligner has an eflomal member,
   eflomal runs once on the sample (plus the bitext): its links become priors (:mod:`projner.align.sharded`);
3. the pairs are read again and cut into shards of ``shard_size`` pairs; each shard
   is aligned (eflomal with the priors, no bitext: the priors carry it) and
   projected, and its sentences are yielded in input order. With more than one
   shard the aligning runs in a background thread one shard ahead (the priors run
   too), while this thread reads, projects and yields (:mod:`projner.shard_worker`).
   Memory is bounded by two shards.

A corpus of at most ``shard_size`` pairs is one shard without priors: exactly the
unsharded behaviour (eflomal trains on the pairs plus the extra bitext).
"""

from __future__ import annotations

import copy
import re
import tempfile
import time
from itertools import islice, zip_longest
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Protocol

from .align.sharded import (DEFAULT_SAMPLE_SIZE, DEFAULT_SHARD_SIZE, Reservoir, corpus_iterations, learn_priors,
                            priors_lines, priors_name, sample_and_bitext_lines)
from .config import ProjectionConfig
from .errors import ConfigError, InputError
from .types import Alignment, Sentence

Corpus = Callable[[], tuple[Iterable[Sentence], Iterable[Sentence]]]


class StageProgress(Protocol):
    """What the sharded pipelines report: ``start(stage, total)`` once per stage
    (``align``, ``project``), then ``advance(stage, n)``; ``note(text)`` for events."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, n: int) -> None: ...

    def note(self, text: str) -> None: ...


class NoProgress:
    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, stage: str, n: int) -> None:
        pass

    def note(self, text: str) -> None:
        pass


def check_shard_options(shard_size: int, sample_size: int) -> None:
    if not isinstance(shard_size, int) or shard_size < 1:
        raise ConfigError(f"shard size must be a positive integer, not {shard_size!r}")
    if not isinstance(sample_size, int) or sample_size < 1:
        raise ConfigError(f"priors sample size must be a positive integer, not {sample_size!r}")


def _eflomal_member(config: ProjectionConfig):
    """An EflomalAligner built with the configuration's eflomal options, or None."""
    from .align import build_member
    from .resolve import shared_resources

    if "eflomal" not in re.split(r"\s*[+|&]\s*", config.aligner):
        return None
    return build_member("eflomal", config.aligner_options.get("eflomal"), shared_resources(config))


def _lockstep(sources: Iterable[Sentence], targets: Iterable[Sentence], paths) -> Iterator[tuple[Sentence, Sentence]]:
    """Pairs of two line-parallel streams; on a length mismatch the longer one is
    counted to the end and an InputError gives both counts (as ``check_parallel``)."""
    missing = object()
    pairs = zip_longest(sources, targets, fillvalue=missing)
    for k, (s, t) in enumerate(pairs):
        if s is missing or t is missing:
            rest = 1 + sum(1 for _ in pairs)
            n_src, n_tgt = (k, k + rest) if s is missing else (k + rest, k)
            raise InputError(f"{n_tgt} target sentences but {n_src} source sentences in {paths[0]}; "
                             "source and target must be line-parallel", paths[1])
        yield s, t


def scan(corpus: Corpus, config: ProjectionConfig, *, sample_size: int, projector=None,
         paths=(None, None), on_pair: Callable[[Sentence, Sentence], None] | None = None
         ) -> tuple[int, Reservoir | None]:
    """Pass 1: count the pairs, sample eflomal lines for the priors (``sample_size`` 0: None,
    e.g. with given links), fit the projector; ``on_pair`` sees every (prepared source, target)."""
    from .pipelines import fit_projector, prepare_source

    sample = Reservoir(sample_size, seed=config.seed or 0) if sample_size else None
    (sources, targets), count = corpus(), 0

    def pairs_seen() -> Iterator[Sentence]:
        nonlocal count
        for s, t in _lockstep(sources, targets, paths):
            count += 1
            k = sample.slot() if sample is not None else None
            if k is not None:
                src_line, tgt_line = priors_lines([s.tokens], [t.tokens], config.lowercase)
                sample.items[k] = (src_line[0], tgt_line[0])
            s = prepare_source(s, config)
            if on_pair is not None:
                on_pair(s, t)
            yield s

    if projector is not None and getattr(projector, "fit", None) is not None:
        fit_projector(projector, pairs_seen(), corpus()[1])
    else:
        for _ in pairs_seen():
            pass
    if not count:
        raise InputError("no sentences in this file", paths[0])
    return count, sample


def shard_config(config: ProjectionConfig, priors: str | Path | dict, n_pairs: int,
                 reverse_priors: str | Path | dict | None = None) -> ProjectionConfig:
    """The configuration each shard is aligned with: eflomal reads ``priors`` and
    ``reverse_priors`` (one file, or ``{prefix_len: file}``) and runs the iterations eflomal
    would choose for all ``n_pairs``; the extra bitext is dropped (the priors have it)."""
    opts = copy.deepcopy(config.aligner_options)
    ef = opts.setdefault("eflomal", {})
    for key, files in (("priors", priors), ("reverse_priors", reverse_priors)):
        if files is not None:
            ef[key] = {int(k): str(v) for k, v in files.items()} if isinstance(files, dict) else str(files)
    ef.pop("bitext", None)
    if ef.get("n_iterations") is None:
        ef["n_iterations"] = corpus_iterations(n_pairs, int(ef.get("model", 3)))
    return config.model_copy(update={"aligner_options": opts, "bitext": []})


def priors_plan(config: ProjectionConfig, sample: Reservoir, n_pairs: int, shard_size: int,
                workdir: Path) -> tuple[ProjectionConfig, tuple | None]:
    """When the corpus needs more than one shard and eflomal aligns it: the configuration
    the shards are aligned with (priors files in ``workdir``, one per eflomal prefix
    length) and the priors run's arguments ``(src_lines, tgt_lines, folder, kwargs)`` for
    :func:`~projner.align.sharded.learn_priors`; otherwise ``(config, None)``."""
    eflomal = _eflomal_member(config)
    if n_pairs <= shard_size or eflomal is None:
        return config, None
    head = sample.items[:2000]  # enough to tell a reversed bitext (see EflomalAligner)
    bitext = eflomal._bitext_lines([s.split() for s, _ in head], [t.split() for _, t in head])
    src, tgt = sample_and_bitext_lines(sample.items, bitext)
    kwargs = dict(prefix_lens=eflomal.prefix_lens, model=eflomal.model, n_samplers=eflomal.n_samplers,
                  null_prior=eflomal.null_prior, seed=eflomal.seed)
    paths, reverse = ({p: Path(workdir) / priors_name(p, rev) for p in dict.fromkeys(eflomal.prefix_lens)}
                      for rev in (False, True))
    return shard_config(config, paths, n_pairs, reverse), (src, tgt, Path(workdir), kwargs)


def _priors_note(job: tuple, n_sample: int) -> str:
    n_bitext = len(job[0]) - n_sample
    return (f"learning eflomal priors from {n_sample:,} sampled pairs"
            + (f" + {n_bitext:,} bitext pairs" if n_bitext else ""))


def prepare_priors(config: ProjectionConfig, sample: Reservoir, n_pairs: int, shard_size: int,
                   workdir: Path, progress: StageProgress) -> ProjectionConfig:
    """Learn priors when the corpus needs more than one shard and eflomal aligns it
    (one priors file per eflomal prefix length, see :func:`learn_priors`);
    returns the configuration the shards are aligned with."""
    cfg, job = priors_plan(config, sample, n_pairs, shard_size, workdir)
    if job is not None:
        progress.note(_priors_note(job, len(sample.items)))
        learn_priors(job[0], job[1], job[2], **job[3])
    return cfg


def iter_shards(corpus: Corpus, shard_size: int, paths=(None, None)) -> Iterator[list[tuple[Sentence, Sentence]]]:
    """Pass 2: the pairs again, ``shard_size`` at a time."""
    sources, targets = corpus()
    pairs = _lockstep(sources, targets, paths)
    while True:
        shard = list(islice(pairs, shard_size))
        if not shard:
            return
        yield shard


class _Run(NamedTuple):
    corpus: Corpus
    shard_size: int
    paths: tuple
    progress: StageProgress
    st: dict
    projector: object
    on_shard: Callable[[int, list, list], None] | None
    on_alignment: Callable[[Alignment], None] | None


def project_sharded(
    corpus: Corpus,
    config: ProjectionConfig,
    *,
    shard_size: int = DEFAULT_SHARD_SIZE,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    progress: StageProgress | None = None,
    stats: dict | None = None,
    on_alignment: Callable[[Alignment], None] | None = None,
    on_shard: Callable[[int, list, list], None] | None = None,
    paths=(None, None),
    workdir: str | Path | None = None,
    pipeline: bool = True,
) -> Iterator[Sentence]:
    """Align and project ``corpus`` shard by shard; yields projected targets in input order.

    With more than one shard, ``pipeline`` aligns in a background thread
    (:mod:`projner.shard_worker`: the priors run, then shard k+1) while this thread reads,
    projects and writes shard k; the output is the sequential run's for the same links.

    ``stats`` receives ``pairs``, ``shards``, ``source_entities``, ``projected``,
    ``priors`` (bool), ``pipelined`` (bool) and ``seconds``: this thread's wall time per stage (``setup``,
    ``read``, ``priors``, ``align``, ``project``, ``write`` = the consumer's time per sentence; pipelined,
    ``priors`` and ``align`` are the waits for the worker); ``worker``: the worker's busy seconds
    (``priors``, ``align``); ``stage`` is the stage running here now (``write`` while the consumer holds a
    yielded sentence), for monitors. ``on_alignment`` sees every alignment (e.g. to save them),
    ``on_shard`` each shard's index, sources and targets before it is aligned (input checks).
    """
    from .pipelines import make_projector

    check_shard_options(shard_size, sample_size)
    progress = progress or NoProgress()
    st = stats if stats is not None else {}
    secs = {"setup": 0.0, "read": 0.0, "priors": 0.0, "align": 0.0, "project": 0.0, "write": 0.0}
    st.update(pairs=0, shards=0, source_entities=0, projected=0, dropped=0, priors=False, pipelined=False,
              seconds=secs, worker={"priors": 0.0, "align": 0.0}, stage="read")
    t0 = time.perf_counter()
    projector = make_projector(config)
    secs["setup"] += time.perf_counter() - t0
    run = _Run(corpus, shard_size, paths, progress, st, projector, on_shard, on_alignment)
    with tempfile.TemporaryDirectory(prefix="projner-shards-", dir=workdir) as tmp:
        t0 = time.perf_counter()
        n, sample = scan(corpus, config, sample_size=sample_size, projector=projector, paths=paths)
        secs["read"] += time.perf_counter() - t0
        st["pipelined"] = pipeline and n > shard_size
        yield from (_pipelined if st["pipelined"] else _sequential)(run, config, sample, n, Path(tmp))
    st["stage"] = "done"
    if st["pairs"] != n:  # the files changed between the passes
        raise InputError(f"read {st['pairs']} pairs but the first pass counted {n}; did the input change?", paths[0])


def _sequential(run: _Run, config: ProjectionConfig, sample: Reservoir, n: int, tmp: Path) -> Iterator[Sentence]:
    from .pipelines import make_aligner

    st, secs = run.st, run.st["seconds"]
    t0 = time.perf_counter()
    st["stage"] = "priors"
    cfg = prepare_priors(config, sample, n, run.shard_size, tmp, run.progress)
    st["priors"] = cfg is not config
    t1 = time.perf_counter()
    secs["priors"] += t1 - t0
    aligner = make_aligner(cfg)
    secs["setup"] += time.perf_counter() - t1
    run.progress.start("align", n)
    run.progress.start("project", n)
    for sources, targets in _read_shards(run, cfg):
        st["stage"] = "align"
        t0 = time.perf_counter()
        aligns = aligner.align([s.tokens for s in sources], [t.tokens for t in targets])
        secs["align"] += time.perf_counter() - t0
        run.progress.advance("align", len(sources))
        yield from _project_shard(run, cfg, sources, targets, aligns)


def _pipelined(run: _Run, config: ProjectionConfig, sample: Reservoir, n: int, tmp: Path) -> Iterator[Sentence]:
    """As :func:`_sequential`, the aligning done in a background thread: at most two shards in flight."""
    from collections import deque

    from .pipelines import make_aligner
    from .shard_worker import BackgroundAligner, SplitAligner

    st, secs, work = run.st, run.st["seconds"], run.st["worker"]
    cfg, job = priors_plan(config, sample, n, run.shard_size, tmp)
    st["priors"] = job is not None
    aligner = SplitAligner(lambda: make_aligner(cfg))
    with BackgroundAligner() as bg:
        priors = None
        if job is not None:
            run.progress.note(_priors_note(job, len(sample.items)))
            priors = bg.submit_priors(*job)
        job = None
        run.progress.start("align", n)
        run.progress.start("project", n)
        shards, queue = _read_shards(run, cfg), deque()

        def fill() -> None:  # read the next shard(s) and hand them to the worker
            while len(queue) < 2 and (item := next(shards, None)) is not None:
                sources, targets = item
                tokens = [s.tokens for s in sources], [t.tokens for t in targets]
                queue.append((sources, targets, tokens, bg.submit_align(aligner.first, *tokens)))

        fill()
        if priors is not None:
            st["stage"] = "priors"
            t0 = time.perf_counter()
            work["priors"] += bg.result(priors)[1]
            secs["priors"] += time.perf_counter() - t0
        while queue:
            sources, targets, tokens, future = queue.popleft()
            st["stage"] = "align"
            t0 = time.perf_counter()
            aligns, busy = bg.result(future)
            aligns = aligner.finish(aligns, *tokens)
            secs["align"] += time.perf_counter() - t0
            work["align"] += busy
            run.progress.advance("align", len(sources))
            yield from _project_shard(run, cfg, sources, targets, aligns)
            fill()


def _read_shards(run: _Run, cfg: ProjectionConfig) -> Iterator[tuple[list[Sentence], list[Sentence]]]:
    """Pass 2, shard by shard: (prepared sources, targets); ``on_shard`` sees the shard as read."""
    from .pipelines import prepare_source

    secs = run.st["seconds"]
    run.st["stage"] = "read"
    t0 = time.perf_counter()
    for shard in iter_shards(run.corpus, run.shard_size, run.paths):
        if run.on_shard is not None:
            run.on_shard(run.st["shards"], [s for s, _ in shard], [t for _, t in shard])
        run.st["shards"] += 1
        item = [prepare_source(s, cfg) for s, _ in shard], [t for _, t in shard]
        secs["read"] += time.perf_counter() - t0
        yield item
        run.st["stage"] = "read"
        t0 = time.perf_counter()


def _project_shard(run: _Run, cfg: ProjectionConfig, sources: list[Sentence], targets: list[Sentence],
                   aligns: list[Alignment]) -> Iterator[Sentence]:
    st, secs, keep = run.st, run.st["seconds"], cfg.sentence_filter().keep
    base = st["pairs"]
    for k, (src, tgt, al) in enumerate(zip(sources, targets, aligns)):
        st["stage"] = "project"
        t1 = time.perf_counter()
        try:
            out = run.projector(src, tgt, al)
        except ValueError as exc:
            raise InputError(f"pair {base + k + 1}: {exc}") from None
        secs["project"] += time.perf_counter() - t1
        st["pairs"] += 1
        st["source_entities"] += len(src.spans)
        st["projected"] += len(out.spans)
        if run.on_alignment is not None:
            run.on_alignment(al)
        run.progress.advance("project", 1)
        if not keep(src, out):  # filter.*: left out of the output
            st["dropped"] += 1
            continue
        st["stage"] = "write"
        t2 = time.perf_counter()
        yield out  # the consumer writes it
        secs["write"] += time.perf_counter() - t2


def align_sharded(
    corpus: Corpus,
    config: ProjectionConfig,
    *,
    shard_size: int = DEFAULT_SHARD_SIZE,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    progress: StageProgress | None = None,
    stats: dict | None = None,
    paths=(None, None),
    workdir: str | Path | None = None,
    on_shard: Callable[[int, list, list], None] | None = None,
) -> Iterator[Alignment]:
    """Align ``corpus`` shard by shard (priors as in :func:`project_sharded`); yields
    alignments in input order."""
    from .pipelines import make_aligner

    check_shard_options(shard_size, sample_size)
    progress = progress or NoProgress()
    st = stats if stats is not None else {}
    st.update(pairs=0, shards=0, priors=False)
    with tempfile.TemporaryDirectory(prefix="projner-shards-", dir=workdir) as tmp:
        n, sample = scan(corpus, config, sample_size=sample_size, paths=paths)
        cfg = prepare_priors(config, sample, n, shard_size, Path(tmp), progress)
        del sample
        st["priors"] = cfg is not config
        aligner = make_aligner(cfg)
        progress.start("align", n)
        for shard in iter_shards(corpus, shard_size, paths):
            if on_shard is not None:
                on_shard(st["shards"], [s for s, _ in shard], [t for _, t in shard])
            st["shards"] += 1
            aligns = aligner.align([s.tokens for s, _ in shard], [t.tokens for _, t in shard])
            progress.advance("align", len(shard))
            st["pairs"] += len(shard)
            yield from aligns
