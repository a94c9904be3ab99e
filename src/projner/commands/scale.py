"""Scale options of ``project`` and ``align``: sharded single-process runs with
progress, ``--engine ray``, ``--device`` / ``--batch-size`` for the neural aligners."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, NamedTuple, Optional

import typer

from ..align.sharded import DEFAULT_SAMPLE_SIZE, DEFAULT_SHARD_SIZE
from ..errors import ConfigError

Engine = Annotated[str, typer.Option(
    "--engine", help="local (this process) or ray (a Ray cluster; pip install 'projner\\[ray]').")]
Address = Annotated[Optional[str], typer.Option(
    "--address", help="--engine ray: cluster address (auto = the one started with 'ray start', or "
    "ray://HEAD:10001); default: a local Ray on this machine.")]
Workdir = Annotated[Optional[Path], typer.Option(
    "--workdir", help="--engine ray: shard folder with the manifest (default: OUTPUT.shards); rerun to resume.")]
ShardSize = Annotated[int, typer.Option(
    "--shard-size", help="Pairs aligned at a time (bounds memory); larger corpora get eflomal priors learnt "
    "once from a sample.")]
PriorsSample = Annotated[int, typer.Option(
    "--priors-sample", help="Pairs sampled to learn the eflomal priors of a sharded run.")]
AlignDevice = Annotated[str, typer.Option(
    "--device", help="Neural aligners' device: cpu (default), cuda, cuda:N or auto (CUDA build of torch needed).")]
AlignBatchSize = Annotated[Optional[int], typer.Option(
    "--batch-size", help="Neural aligners: sentences per encoder forward pass.")]
SHARD_SIZE = DEFAULT_SHARD_SIZE
SAMPLE_SIZE = DEFAULT_SAMPLE_SIZE
ENGINES = ("local", "ray")


def check_engine(engine: str, address: Optional[str] = None, workdir: Optional[Path] = None) -> None:
    """``--engine`` is local or ray, Ray is installed for ray, and the Ray-only options come with it."""
    if engine not in ENGINES:
        raise ConfigError(f"--engine must be local or ray, not {engine!r}")
    if engine == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise ConfigError("--engine ray needs Ray: pip install 'projner[ray]'")
    elif address is not None or workdir is not None:
        raise ConfigError(f"{'--address' if address is not None else '--workdir'} needs --engine ray")


def prepare(cfg, engine: str, device: Optional[str], batch_size: Optional[int], shard_size: int,
            sample_size: int, address: Optional[str] = None, workdir: Optional[Path] = None):
    """Check the scale options before any work; returns ``cfg`` with the device settings."""
    from ..devices import apply_device
    from ..pipelines_scale import check_shard_options

    check_engine(engine, address, workdir)
    check_shard_options(shard_size, sample_size)
    return apply_device(cfg, device, batch_size)


class Files(NamedTuple):
    """The input files of ``project`` / ``align`` and how to read them."""

    source: Path
    target: Path
    source_format: str
    target_format: str
    scheme: str
    repair: bool

    def corpus(self, labels: bool):
        """A function returning fresh (sources, targets) iterators (the sharded runs read twice)."""
        from ..io import read_sentences

        return lambda: (read_sentences(self.source, self.source_format, labels=labels, scheme=self.scheme,
                                       **({"repair": self.repair} if labels else {})),
                        read_sentences(self.target, self.target_format, labels=False, scheme=self.scheme))


def _warn_first_shard(files: Files, labelled_source: bool = True):
    """Input hints (no source entities, swapped files, blank lines...) checked on the first shard."""
    from .common import warn_inputs

    def on_shard(index: int, sources: list, targets: list) -> None:
        if index == 0:
            warn_inputs(sources, targets, files.source, files.target, files.source_format, files.target_format,
                        labelled_source=labelled_source)

    return on_shard


def project_local(files: Files, output: Path, cfg, *, output_format: str, save_alignment: Optional[Path],
                  shard_size: int, sample_size: int) -> None:
    """``project`` without precomputed links, in this process: bounded memory, progress with rate and ETA."""
    import contextlib

    from ..io import atomic_write, write_sentences
    from ..io.talp import format_talp
    from ..pipelines_scale import project_sharded
    from ..progress import stage_progress

    t0 = time.perf_counter()
    stats: dict = {}
    with stage_progress() as progress, contextlib.ExitStack() as stack:
        links = stack.enter_context(atomic_write(save_alignment)) if save_alignment else None
        stream = project_sharded(
            files.corpus(True), cfg, shard_size=shard_size, sample_size=sample_size, progress=progress, stats=stats,
            paths=(files.source, files.target), on_shard=_warn_first_shard(files),
            on_alignment=(lambda al: links.write(format_talp(al) + "\n")) if links else None)
        write_sentences(output, stream, output_format)
    secs = " ".join(f"{k} {v:.1f}s" for k, v in stats["seconds"].items() if v >= 0.05)
    typer.echo(
        f"projected {stats['projected']} of {stats['source_entities']} entities onto {stats['pairs']} sentences "
        f"({cfg.aligner}, {cfg.method}; {stats['shards']} shard(s){', eflomal priors' if stats['priors'] else ''}) "
        f"in {time.perf_counter() - t0:.1f}s [{secs}] → {output}"
        + (f" ({stats['dropped']} sentences left out by the filter)" if stats.get("dropped") else ""), err=True)


def align_local(files: Files, output: Path, cfg, *, shard_size: int, sample_size: int) -> None:
    from ..io import write_talp
    from ..pipelines_scale import align_sharded
    from ..progress import stage_progress

    t0 = time.perf_counter()
    stats: dict = {}
    with stage_progress() as progress:
        write_talp(output, align_sharded(files.corpus(False), cfg, shard_size=shard_size, sample_size=sample_size,
                                         progress=progress, stats=stats, paths=(files.source, files.target),
                                         on_shard=_warn_first_shard(files, labelled_source=False)))
    typer.echo(f"aligned {stats['pairs']} pairs ({cfg.aligner}; {stats['shards']} shard(s)"
               f"{', eflomal priors' if stats['priors'] else ''}) in {time.perf_counter() - t0:.1f}s → {output}",
               err=True)


def run_ray(command: str, files: Files, output: Path, cfg, *, alignment: Optional[Path], output_format: str,
            shard_size: int, sample_size: int, address: Optional[str], workdir: Optional[Path],
            save_alignment: Optional[Path] = None) -> None:
    """``project`` / ``align`` with ``--engine ray``."""
    from ..io import detect_format, read_talp
    from ..progress import stage_progress
    from ..ray_engine import run

    t0 = time.perf_counter()
    settings = {"source_format": files.source_format, "target_format": files.target_format, "scheme": files.scheme,
                "repair": files.repair}
    parts = None
    if alignment is not None:  # the inputs can be read in parts on the cluster
        parts = {"source": str(files.source), "target": str(files.target), "alignment": str(alignment),
                 "scheme": files.scheme, "repair": files.repair,
                 "source_format": (files.source_format if files.source_format != "auto"
                                   else detect_format(files.source)),
                 "target_format": (files.target_format if files.target_format != "auto"
                                   else detect_format(files.target))}
    with stage_progress() as progress:
        st = run(command, files.corpus(command == "project"), cfg, output, files=parts,
                 alignments=read_talp(alignment) if alignment else None,
                 paths=(files.source, files.target, alignment), shard_size=shard_size, sample_size=sample_size,
                 address=address, workdir=workdir, output_format=output_format, settings=settings,
                 save_alignment=save_alignment, progress=progress)
    parts = " ".join(f"{k} {v:.1f}s" for k, v in st["seconds"].items())
    typer.echo(f"{command}: {st['pairs']} pairs in {st['shards']} shard(s), {st['ran']} run now"
               f"{' (resumed)' if st['resumed'] else ''}, in {time.perf_counter() - t0:.1f}s [{parts}] → {output} "
               f"(shards and manifest: {st['workdir']})", err=True)
