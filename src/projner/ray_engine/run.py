"""The driver of ``--engine ray``: split, distribute with Ray Data, merge.

1. **split**: source, target and precomputed links are read and checked
   (line-parallel, links in range) exactly as the single-process commands do, written
   as shard files, and the projector learns its corpus statistics.
   - With precomputed links (a projection-bound job) and plain CoNLL / JSONL / text
     inputs, the reading itself is distributed (:func:`split_parts`): the driver only
     finds where each shard's records lie in the three files
     (:func:`projner.io.ranges.index_records`, one quick pass), Ray tasks read, check
     and write the shards in parallel and return their statistics
     (:class:`~projner.project.refine.RefinerStats`), and the driver adds them up.
   - Otherwise the driver reads the inputs in one streaming pass (:func:`split`),
     sampling them for eflomal priors: large corpora aligned by eflomal get priors
     learnt once (:mod:`projner.align.sharded`).
2. **distribute**: a Ray Dataset with one row per unfinished shard is mapped through
   an actor pool of :class:`~projner.ray_engine.work.ShardWorker` (``num_gpus`` per
   actor for embedding aligners when the cluster has GPUs). Ray schedules the actors
   on the cluster's nodes and restarts a lost actor and retries its shard; the driver
   records each finished shard in the manifest as it arrives.
3. **merge**: the shard outputs are concatenated in input order into the output.

A rerun of the same command resumes: the split is reused and finished shards are
skipped. The shard folder must be on storage every node can read (a shared or
network file system) when the cluster has more than one machine.
"""

from __future__ import annotations

import pickle
import time
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError, ProjnerError
from .shards import ShardFolder, fingerprint
from .work import ShardWorker, run_shard

OUTPUT_FORMATS = {"conll": ".conll", "jsonl": ".jsonl"}
ATTEMPTS = 3  # Ray retries a lost task itself; if the dataset still fails, the unfinished shards are resubmitted


def _output_format(output: Path, fmt: str) -> str:
    from ..io import output_format

    fmt = output_format(output, fmt)
    if fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"--engine ray writes CoNLL or JSONL (files that concatenate), not {fmt}")
    return fmt


def split(folder: ShardFolder, command: str, corpus, alignments, config, *, shard_size: int, sample_size: int,
          paths: tuple, ext: str, progress, save_links: bool = False) -> None:
    """Pass over the inputs: shard files (``save_links``: each shard also writes its links),
    priors, fitted projector; marks the split done."""
    from ..pipelines import make_projector
    from ..pipelines_scale import prepare_priors, scan

    projector = make_projector(config) if command == "project" else None
    links = iter(alignments) if alignments is not None else None
    current: list = []
    count = [0]

    def on_pair(s, t):
        al = None
        if links is not None:
            al = next(links, None)
            if al is None:
                raise InputError(f"alignment ended after {count[0]} pairs but source and target go on", paths[2])
            try:
                al.check_bounds(len(s), len(t))
            except ValueError as exc:
                raise InputError(str(exc), paths[2], count[0] + 1) from None
        count[0] += 1
        current.append((s, t, al))
        if len(current) == shard_size:
            folder.write_shard(len(folder.manifest["shards"]), current, ext, save_links)
            current.clear()

    n, sample = scan(corpus, config, sample_size=sample_size if alignments is None else 0, projector=projector,
                     paths=paths[:2], on_pair=on_pair)
    if current:
        folder.write_shard(len(folder.manifest["shards"]), current, ext, save_links)
    if links is not None and next(links, None) is not None:
        raise InputError(f"alignment has more entries than the {n} sentence pairs", paths[2], n + 1)
    cfg = config
    if alignments is None:
        cfg = prepare_priors(config, sample, n, shard_size, folder.root, progress)
    if projector is not None:  # projectors are closures: keep what the corpus pass learnt
        with open(folder.root / "projector.pkl", "wb") as fh:
            pickle.dump(getattr(projector, "refiner", None), fh, protocol=pickle.HIGHEST_PROTOCOL)
    ef = cfg.aligner_options["eflomal"] if cfg is not config else {}
    folder.manifest.update(pairs=n, split_done=True, shard_size=shard_size,
                           **{key: {str(k): Path(v).name for k, v in ef.get(key, {}).items()}
                              for key in ("priors", "reverse_priors")})
    folder.save()


def plan_parts(files: dict | None, shard_size: int) -> list | None:
    """The byte ranges (source, target, links) of every shard, when the inputs can be
    read in parts (see :func:`split_parts`); ``None`` otherwise. Inputs that are not
    line-parallel are refused here, with the one-pass split's messages."""
    from ..io.ranges import index_records

    if not files or files.get("alignment") is None or files.get("repair"):
        return None  # repaired tags are counted and reported once, over the whole file: one pass
    src = index_records(files["source"], files["source_format"], shard_size)
    tgt = index_records(files["target"], files["target_format"], shard_size) if src else None
    links = index_records(files["alignment"], "talp", shard_size) if tgt else None
    if links is None or not src.records:
        return None
    if src.records != tgt.records:
        raise InputError(f"{tgt.records} target sentences but {src.records} source sentences in {files['source']}; "
                         "source and target must be line-parallel", files["target"])
    if links.records < src.records:
        raise InputError(f"alignment ended after {links.records} pairs but source and target go on",
                         files["alignment"])
    if links.records > src.records:
        raise InputError(f"alignment has more entries than the {src.records} sentence pairs", files["alignment"],
                         src.records + 1)
    return list(zip(src.spans, tgt.spans, links.spans))


def split_parts(folder: ShardFolder, parts: list, files: dict, config, *, shard_size: int, address: str | None,
                ext: str, save_links: bool = False) -> None:
    """The split, read where the data lies: one Ray task per shard reads its byte ranges
    (:func:`~projner.ray_engine.work.read_part`), checks and writes the shard and returns
    its statistics; the driver adds them up and fits the projector with them. The first
    bad input in file order is raised as the one-pass split would raise it."""
    from ..pipelines import make_projector
    from ..project.refine import RefinerStats
    from .work import read_part

    ray = connect(address)
    # SPREAD: every task carries the same configuration object, which would otherwise draw them all to its node
    task = ray.remote(num_cpus=1, scheduling_strategy="SPREAD")(read_part)
    spec = {**files, "config": config}
    refs = [task.remote(str(folder.root), k, part, spec) for k, part in enumerate(parts)]
    stats = RefinerStats()
    for k, ref in enumerate(refs):
        try:
            part = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            for rest in refs[k + 1:]:
                ray.cancel(rest)
            if isinstance(getattr(exc, "cause", None), ProjnerError):
                raise exc.cause from None
            raise
        folder.add_shard(part["shard"], part["pairs"], ext, save_links)
        stats.add(part["stats"])
    projector = make_projector(config)
    refiner = getattr(projector, "refiner", None)
    if refiner is not None:
        refiner.fit_stats(stats)
    with open(folder.root / "projector.pkl", "wb") as fh:
        pickle.dump(refiner, fh, protocol=pickle.HIGHEST_PROTOCOL)
    folder.manifest.update(pairs=stats.source_sentences, split_done=True, shard_size=shard_size, priors={})
    folder.save()


def _shard_config(folder: ShardFolder, config):
    if folder.manifest.get("priors"):
        from ..pipelines_scale import shard_config

        paths, reverse = ({int(k): folder.root / name for k, name in folder.manifest.get(key, {}).items()}
                          for key in ("priors", "reverse_priors"))
        return shard_config(config, paths, folder.manifest["pairs"], reverse or None)
    return config


def connect(address: str | None) -> Any:
    """Join the cluster at ``address`` (``auto``: the one started with ``ray start``), or start a local one."""
    import signal

    import ray

    if not ray.is_initialized():
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            ray.init(address=address, log_to_driver=False, logging_level="ERROR", configure_logging=False)
        except ConnectionError as exc:
            raise ConfigError(f"cannot connect to the Ray cluster at {address}: {exc}") from None
        finally:  # ray.init installs its own handlers; projner's (clean interruption) stay in charge
            for sig, handler in saved.items():
                if handler is not None:
                    signal.signal(sig, handler)
    return ray


def distribute(folder: ShardFolder, command: str, config, *, address: str | None, workers: int | None,
               output_format: str, progress, links: bool = False) -> int:
    """Run the unfinished shards on the cluster; returns how many ran."""
    pending = folder.pending()
    if not pending:
        return 0
    ray = connect(address)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = False  # record shards as they finish; the merge restores order
    gpus = float(ray.cluster_resources().get("GPU", 0))
    neural = "embedding" in config.aligner or "backtranslation" in config.aligner
    use_gpu = gpus >= 1 and neural
    cpus = int(ray.cluster_resources().get("CPU", 1))
    size = workers or (int(gpus) if use_gpu else max(cpus, 1))
    size = max(1, min(size, len(pending)))
    projector = str(folder.root / "projector.pkl") if command == "project" else None
    kwargs = dict(command=command, config=config, projector=projector, output_format=output_format, links=links)
    ds = ray.data.from_items(pending, override_num_blocks=len(pending))
    if neural:  # load the encoder once per actor, on a GPU when there is one
        ds = ds.map(ShardWorker, fn_constructor_kwargs=kwargs, compute=ray.data.ActorPoolStrategy(size=size),
                    num_cpus=1, num_gpus=1 if use_gpu else 0)
    else:  # stateless tasks on Ray's pooled workers; Ray Data retries a task whose worker died
        ds = ds.map(run_shard, fn_kwargs=kwargs, compute=ray.data.TaskPoolStrategy(size=size), num_cpus=1)
    ran = 0
    for rec in ds.iter_rows():
        folder.record(rec)
        progress.advance(command, int(rec["pairs"]))
        ran += 1
    return ran


def run(command: str, corpus, config, output: str | Path, *, alignments=None, paths: tuple = (None, None, None),
        shard_size: int, sample_size: int, address: str | None = None, workdir: str | Path | None = None,
        workers: int | None = None, output_format: str = "auto", settings: dict | None = None,
        save_alignment: str | Path | None = None, progress=None, files: dict | None = None) -> dict:
    """Split, distribute, merge. ``corpus`` returns fresh (sources, targets) iterables;
    ``alignments`` (an iterable of :class:`Alignment`, or None) the precomputed links;
    ``files`` (``project`` with precomputed links): the input files, for reading them in
    parts on the cluster (:func:`plan_parts`): ``source``, ``target``, ``alignment``,
    ``source_format``, ``target_format`` (not ``auto``), ``scheme``, ``repair``;
    ``settings`` whatever else identifies the run (formats, scheme) for resuming;
    ``save_alignment`` (``project``): also write the links there (talp, input order)."""
    from ..pipelines_scale import NoProgress, check_shard_options

    check_shard_options(shard_size, sample_size)
    progress = progress or NoProgress()
    output = Path(output)
    fmt = "talp" if command == "align" else _output_format(output, output_format)
    ext = ".talp" if command == "align" else OUTPUT_FORMATS[fmt]
    folder = ShardFolder(workdir or output.with_name(output.name + ".shards"))
    links = command == "project" and save_alignment is not None
    fp = fingerprint(command, paths, {"config": config.model_dump(mode="json"), "shard_size": shard_size,
                                      "sample_size": sample_size, "output_format": fmt, "links": links,
                                      **(settings or {})})
    resumed = folder.open(fp)
    t0 = time.perf_counter()
    if not resumed:
        parts = plan_parts(files, shard_size) if command == "project" and alignments is not None else None
        progress.note(f"splitting into shards of {shard_size:,} pairs in {folder.root}"
                      f"{f' ({len(parts)} read in parallel)' if parts else ''}")
        if parts:
            split_parts(folder, parts, files, config, shard_size=shard_size, address=address, ext=ext,
                        save_links=links)
        else:
            split(folder, command, corpus, alignments, config, shard_size=shard_size, sample_size=sample_size,
                  paths=paths, ext=ext, progress=progress, save_links=links)
    n = folder.manifest["pairs"]
    pending = folder.pending()
    progress.start(command, n)
    progress.advance(command, n - sum(sh["pairs"] for sh in pending))
    ran, t1 = 0, time.perf_counter()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            ran += distribute(folder, command, _shard_config(folder, config), address=address, workers=workers,
                              output_format=fmt, progress=progress, links=links)
            break
        except (InputError, ConfigError):
            raise
        except Exception as exc:  # a lost node/worker Ray could not recover: resume the unfinished shards
            if attempt == ATTEMPTS:
                raise
            progress.note(f"Ray run failed ({type(exc).__name__}); resuming the {len(folder.pending())} "
                          f"unfinished shard(s), attempt {attempt + 1} of {ATTEMPTS}")
    t2 = time.perf_counter()
    size = folder.merge(output)
    if links:
        folder.merge(save_alignment, key="links")
    seconds = {"split": t1 - t0, "distribute": t2 - t1, "merge": time.perf_counter() - t2}
    return {"pairs": n, "shards": len(folder.manifest["shards"]), "ran": ran, "resumed": resumed, "bytes": size,
            "seconds": seconds, "workdir": str(folder.root)}
