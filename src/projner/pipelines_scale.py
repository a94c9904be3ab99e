"""Align and project corpora of any size in bounded memory, shard by shard.

``projner project`` without ``--alignment`` runs :func:`project_sharded`:

1. one streaming pass over source and target: counts the pairs (so progress has a
   total), checks they are line-parallel, lets the projector learn its corpus
   statistics (the refinement's function words) and draws a fixed-seed sample;
2. if the corpus is larger than one shard and the aligner has an eflomal member,
   eflomal runs once on the sample (plus the extra bitext) and its links become
   an eflomal priors file (:mod:`projner.align.sharded`);
3. the pairs are read again and cut into shards of ``shard_size`` pairs; each shard
   is aligned (eflomal with the priors, no bitext: the priors carry it) and
   projected, and its sentences are yielded in input order before the next shard
   is read. Memory is bounded by one shard.

A corpus of at most ``shard_size`` pairs is one shard without priors: exactly the
unsharded behaviour (eflomal trains on the pairs plus the extra bitext).
"""

from __future__ import annotations

import copy
import tempfile
import time
from itertools import islice, zip_longest
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from .align.sharded import (DEFAULT_SAMPLE_SIZE, DEFAULT_SHARD_SIZE, Reservoir, corpus_iterations, learn_priors,
                            priors_lines, sample_and_bitext_lines)
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
    import re

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
         paths=(None, None), on_pair: Callable[[Sentence, Sentence], None] | None = None) -> tuple[int, Reservoir]:
    """Pass 1: count the pairs, sample eflomal lines for the priors, fit the projector;
    ``on_pair`` (if given) sees every (prepared source, target) pair."""
    from .pipelines import fit_projector, prepare_source

    sample = Reservoir(sample_size, seed=config.seed or 0)
    sources, targets = corpus()

    def pairs_seen() -> Iterator[Sentence]:
        for s, t in _lockstep(sources, targets, paths):
            src_line, tgt_line = priors_lines([s.tokens], [t.tokens], config.lowercase)
            sample.add((src_line[0], tgt_line[0]))
            s = prepare_source(s, config)
            if on_pair is not None:
                on_pair(s, t)
            yield s

    if projector is not None and getattr(projector, "fit", None) is not None:
        fit_projector(projector, pairs_seen(), corpus()[1])
    else:
        for _ in pairs_seen():
            pass
    if not sample.seen:
        raise InputError("no sentences in this file", paths[0])
    return sample.seen, sample


def shard_config(config: ProjectionConfig, priors: str | Path | dict, n_pairs: int) -> ProjectionConfig:
    """The configuration each shard is aligned with: eflomal reads ``priors`` (one file,
    or ``{prefix_len: file}``) and runs the iterations eflomal would choose for all
    ``n_pairs``; the extra bitext is dropped (the priors were learnt from it)."""
    opts = copy.deepcopy(config.aligner_options)
    ef = opts.setdefault("eflomal", {})
    ef["priors"] = {int(k): str(v) for k, v in priors.items()} if isinstance(priors, dict) else str(priors)
    ef.pop("bitext", None)
    if ef.get("n_iterations") is None:
        ef["n_iterations"] = corpus_iterations(n_pairs, int(ef.get("model", 3)))
    return config.model_copy(update={"aligner_options": opts, "bitext": []})


def prepare_priors(config: ProjectionConfig, sample: Reservoir, n_pairs: int, shard_size: int,
                   workdir: Path, progress: StageProgress) -> ProjectionConfig:
    """Learn priors when the corpus needs more than one shard and eflomal aligns it
    (one priors file per eflomal prefix length, see :func:`learn_priors`);
    returns the configuration the shards are aligned with."""
    eflomal = _eflomal_member(config)
    if n_pairs <= shard_size or eflomal is None:
        return config
    head = sample.items[:2000]  # enough to tell a reversed bitext (see EflomalAligner)
    bitext = eflomal._bitext_lines([s.split() for s, _ in head], [t.split() for _, t in head])
    src, tgt = sample_and_bitext_lines(sample.items, bitext)
    progress.note(f"learning eflomal priors from {len(sample.items):,} sampled pairs"
                  + (f" + {len(bitext[0]):,} bitext pairs" if bitext[0] else ""))
    paths = learn_priors(src, tgt, workdir, prefix_lens=eflomal.prefix_lens, model=eflomal.model,
                         n_samplers=eflomal.n_samplers, null_prior=eflomal.null_prior, seed=eflomal.seed)
    return shard_config(config, paths, n_pairs)


def iter_shards(corpus: Corpus, shard_size: int, paths=(None, None)) -> Iterator[list[tuple[Sentence, Sentence]]]:
    """Pass 2: the pairs again, ``shard_size`` at a time."""
    sources, targets = corpus()
    pairs = _lockstep(sources, targets, paths)
    while True:
        shard = list(islice(pairs, shard_size))
        if not shard:
            return
        yield shard


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
) -> Iterator[Sentence]:
    """Align and project ``corpus`` shard by shard; yields projected targets in input order.

    ``stats`` receives ``pairs``, ``shards``, ``source_entities``, ``projected``,
    ``priors`` (bool) and ``seconds`` per stage (``setup``, ``read``, ``priors``,
    ``align``, ``project``, ``write`` = the consumer's time per sentence); its ``stage`` is the stage running now
    (``write`` while the consumer holds a yielded sentence), for monitors. ``on_alignment`` sees every alignment
    (e.g. to save them), ``on_shard`` each shard's index, sources and targets before it is aligned (input checks).
    """
    from .pipelines import make_aligner, make_projector, prepare_source

    check_shard_options(shard_size, sample_size)
    progress = progress or NoProgress()
    st = stats if stats is not None else {}
    secs = {"setup": 0.0, "read": 0.0, "priors": 0.0, "align": 0.0, "project": 0.0, "write": 0.0}
    st.update(pairs=0, shards=0, source_entities=0, projected=0, dropped=0, priors=False, seconds=secs, stage="read")
    t0 = time.perf_counter()
    projector = make_projector(config)
    secs["setup"] += time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="projner-shards-", dir=workdir) as tmp:
        t0 = time.perf_counter()
        n, sample = scan(corpus, config, sample_size=sample_size, projector=projector, paths=paths)
        t1 = time.perf_counter()
        secs["read"] += t1 - t0
        st["stage"] = "priors"
        cfg = prepare_priors(config, sample, n, shard_size, Path(tmp), progress)
        del sample
        st["priors"] = cfg is not config
        secs["priors"] += time.perf_counter() - t1
        t0 = time.perf_counter()
        aligner = make_aligner(cfg)
        secs["setup"] += time.perf_counter() - t0
        progress.start("align", n)
        progress.start("project", n)
        t_read = time.perf_counter()
        st["stage"] = "read"
        for shard in iter_shards(corpus, shard_size, paths):
            secs["read"] += time.perf_counter() - t_read
            if on_shard is not None:
                on_shard(st["shards"], [s for s, _ in shard], [t for _, t in shard])
            st["shards"] += 1
            yield from _align_project_shard(shard, cfg, aligner, projector, progress, st, on_alignment,
                                            prepare_source)
            t_read = time.perf_counter()
            st["stage"] = "read"
    st["stage"] = "done"
    if st["pairs"] != n:  # the files changed between the passes
        raise InputError(f"read {st['pairs']} pairs but the first pass counted {n}; did the input change?", paths[0])


def _align_project_shard(shard, cfg, aligner, projector, progress, st, on_alignment, prepare_source):
    secs = st["seconds"]
    sources = [prepare_source(s, cfg) for s, _ in shard]
    targets = [t for _, t in shard]
    st["stage"] = "align"
    t0 = time.perf_counter()
    aligns = aligner.align([s.tokens for s in sources], [t.tokens for t in targets])
    secs["align"] += time.perf_counter() - t0
    progress.advance("align", len(shard))
    base = st["pairs"]
    for k, (src, tgt, al) in enumerate(zip(sources, targets, aligns)):
        st["stage"] = "project"
        t1 = time.perf_counter()
        try:
            out = projector(src, tgt, al)
        except ValueError as exc:
            raise InputError(f"pair {base + k + 1}: {exc}") from None
        secs["project"] += time.perf_counter() - t1
        st["pairs"] += 1
        st["source_entities"] += len(src.spans)
        st["projected"] += len(out.spans)
        if on_alignment is not None:
            on_alignment(al)
        progress.advance("project", 1)
        if not cfg.sentence_filter().keep(src, out):  # filter.*: left out of the output
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
