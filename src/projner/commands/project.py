"""``projner project``, ``projner align`` and ``projner benchmark-projection``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import scale
from .common import (check_output, check_sentences_output, config_files, guard, load_projection_config, print_report,
                     projection_overrides, read_alignments, read_all, spooled, status, write_json)
from .options import (SOURCE_FORMATS, TARGET_FORMATS, Aligner, AlignmentFile, Bitext, Config, Encoder, Ignore, LabelMap,
                      Lowercase, Method, RepairTags, Scheme, Seed, SourceFormat, TargetFormat, DropIncomplete,
                      MinSpanScore)
from .scale import Address, AlignBatchSize, AlignDevice, Engine, PriorsSample, ShardSize, Workdir


def project(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="Labelled source sentences (CoNLL or JSONL).")],
    target: Annotated[Path, typer.Argument(help="Target sentences, line-parallel to the source.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Labelled target file: .conll / .jsonl (.gz ok), .parquet, .spacy; or --output-format hf for a datasets folder.")],
    aligner: Aligner = None,
    method: Method = None,
    bitext: Bitext = None,
    lowercase: Lowercase = None,
    config: Config = None,
    encoder: Encoder = None,
    seed: Seed = None,
    source_format: SourceFormat = "auto",
    target_format: TargetFormat = "auto",
    output_format: Annotated[str, typer.Option(
        "--output-format", help="auto (by the file name), conll, jsonl (keeps scores), hf-jsonl (tokens + ner_tags), "
        "parquet, hf (a datasets save_to_disk folder), spacy (DocBin).")] = "auto",
    scheme: Scheme = "iob2",
    repair_tags: RepairTags = False,
    alignment: AlignmentFile = None,
    save_alignment: Annotated[Optional[Path], typer.Option(
        "--save-alignment", help="Also write the alignments (talp).")] = None,
    label_map: LabelMap = None,
    ignore: Ignore = None,
    engine: Engine = "local",
    address: Address = None,
    workdir: Workdir = None,
    shard_size: ShardSize = scale.SHARD_SIZE,
    priors_sample: PriorsSample = scale.SAMPLE_SIZE,
    device: AlignDevice = "cpu",
    batch_size: AlignBatchSize = None,
    drop_incomplete: DropIncomplete = None,
    min_span_score: MinSpanScore = None,
) -> None:
    """Project entity labels from SOURCE onto TARGET and write the labelled target."""
    cfg = load_projection_config(spooled(config), projection_overrides(aligner, method, bitext, lowercase, encoder,
                                                                       label_map, ignore, seed, drop_incomplete,
                                                                       min_span_score), ctx)
    cfg = scale.prepare(cfg, engine, device, batch_size, shard_size, priors_sample, address, workdir)
    guard({"SOURCE": source, "TARGET": target, "--alignment": alignment, "--config": config, **config_files(cfg)},
          {"-o": output, "--save-alignment": save_alignment})
    check_sentences_output(output, output_format)
    check_output(save_alignment)
    source, target, alignment = spooled(source), spooled(target), spooled(alignment)
    files = scale.Files(source, target, source_format, target_format, scheme, repair_tags)
    if engine == "ray":
        return scale.run_ray("project", files, output, cfg, alignment=alignment, output_format=output_format,
                             shard_size=shard_size, sample_size=priors_sample, address=address, workdir=workdir,
                             save_alignment=save_alignment)
    if not alignment:  # align and project shard by shard: bounded memory, progress with rate and ETA
        return scale.project_local(files, output, cfg, output_format=output_format, save_alignment=save_alignment,
                                   shard_size=shard_size, sample_size=priors_sample)
    _project_streaming(cfg, source, target, alignment, output, source_format, target_format, output_format, scheme,
                       repair_tags)
    if save_alignment:  # the given links, normalised (streamed)
        from ..io import read_talp, write_talp

        write_talp(save_alignment, read_talp(alignment))


def _project_streaming(cfg, source: Path, target: Path, alignment: Path, output: Path, source_format: str,
                       target_format: str, output_format: str, scheme: str, repair: bool = False) -> None:
    """Precomputed links: stream, one pair in memory at a time."""
    from ..io import read_sentences, read_talp, write_sentences
    from ..pipelines import project_stream

    def corpus():
        return (read_sentences(source, source_format, labels=True, scheme=scheme, repair=repair),
                read_sentences(target, target_format, labels=False, scheme=scheme))

    t0 = time.perf_counter()
    stats: dict = {}
    sources, targets = corpus()
    stream = project_stream(sources, targets, read_talp(alignment), cfg, paths=(source, target, alignment),
                            stats=stats, corpus=corpus)
    write_sentences(output, stream, output_format)
    typer.echo(
        f"projected {stats['projected']} of {stats['source_entities']} entities onto {stats['pairs']} "
        f"sentences ({cfg.method}, precomputed alignments) in {time.perf_counter() - t0:.1f}s → {output}"
        + (f" ({stats['dropped']} sentences left out by the filter)" if stats.get("dropped") else ""),
        err=True,
    )


def align(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="Source sentences (CoNLL, JSONL or text).")],
    target: Annotated[Path, typer.Argument(help="Target sentences, line-parallel.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Alignments, talp/Pharaoh (i-j, 0-indexed).")],
    aligner: Aligner = None,
    bitext: Bitext = None,
    lowercase: Lowercase = None,
    config: Config = None,
    encoder: Encoder = None,
    seed: Seed = None,
    source_format: Annotated[str, typer.Option("--source-format", help=f"Source format: {TARGET_FORMATS}.")] = "auto",
    target_format: TargetFormat = "auto",
    scheme: Scheme = "iob2",
    engine: Engine = "local",
    address: Address = None,
    workdir: Workdir = None,
    shard_size: ShardSize = scale.SHARD_SIZE,
    priors_sample: PriorsSample = scale.SAMPLE_SIZE,
    device: AlignDevice = "cpu",
    batch_size: AlignBatchSize = None,
) -> None:
    """Word-align SOURCE and TARGET and write talp links (shard by shard, with progress)."""
    cfg = load_projection_config(spooled(config), projection_overrides(aligner, None, bitext, lowercase, encoder,
                                                                       seed=seed), ctx)
    cfg = scale.prepare(cfg, engine, device, batch_size, shard_size, priors_sample, address, workdir)
    guard({"SOURCE": source, "TARGET": target, "--config": config, **config_files(cfg)}, {"-o": output})
    check_output(output)
    source, target = spooled(source), spooled(target)
    files = scale.Files(source, target, source_format, target_format, scheme, False)
    if engine == "ray":
        return scale.run_ray("align", files, output, cfg, alignment=None, output_format="talp",
                             shard_size=shard_size, sample_size=priors_sample, address=address, workdir=workdir)
    scale.align_local(files, output, cfg, shard_size=shard_size, sample_size=priors_sample)


def benchmark_projection(
    ctx: typer.Context,
    source_gold: Annotated[Path, typer.Argument(help="Labelled source gold (CoNLL or JSONL).")],
    target_gold: Annotated[Path, typer.Argument(help="Labelled target gold, line-parallel.")],
    json_out: Annotated[Optional[Path], typer.Option(
        "--json", help="Write overall/per-type scores, sentences and seconds as JSON.")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Also write the projected target (.conll, .jsonl, .parquet, .spacy).")] = None,
    aligner: Aligner = None,
    method: Method = None,
    bitext: Bitext = None,
    lowercase: Lowercase = None,
    config: Config = None,
    encoder: Encoder = None,
    seed: Seed = None,
    source_format: SourceFormat = "auto",
    target_format: Annotated[str, typer.Option(
        "--target-format", help=f"Target gold format: {SOURCE_FORMATS}.")] = "auto",
    scheme: Scheme = "iob2",
    repair_tags: RepairTags = False,
    alignment: AlignmentFile = None,
    label_map: LabelMap = None,
    ignore: Ignore = None,
) -> None:
    """Project SOURCE_GOLD onto the tokens of TARGET_GOLD and score against it."""
    from ..io import write_sentences
    from ..pipelines import benchmark_projection as run_bench
    from ..pipelines import check_parallel

    cfg = load_projection_config(spooled(config), projection_overrides(aligner, method, bitext, lowercase, encoder,
                                                                       label_map, ignore, seed), ctx)
    guard({"SOURCE_GOLD": source_gold, "TARGET_GOLD": target_gold, "--alignment": alignment, "--config": config,
           **config_files(cfg)}, {"--json": json_out, "-o": output})
    check_output(json_out)
    check_sentences_output(output)
    source_gold, target_gold, alignment = spooled(source_gold), spooled(target_gold), spooled(alignment)
    src = read_all(source_gold, source_format, labels=True, scheme=scheme, repair=repair_tags)
    tgt = read_all(target_gold, target_format, labels=True, scheme=scheme, repair=repair_tags)
    check_parallel(src, tgt, source_gold, target_gold)
    aligns = read_alignments(alignment, len(src), src, tgt) if alignment else None
    from ..resolve import resolve

    with resolve(cfg, aligner=aligns is None) as comps, status(f"aligning and projecting {len(src)} pairs"):
        report, projected = run_bench(src, tgt, cfg, aligns, comps)
    print_report(report, title=f"{cfg.aligner} · {cfg.method} · {target_gold.name}")
    typer.echo(
        f"time: {report.extra['seconds']:.2f}s total (align {report.extra['align_seconds']:.2f}s, "
        f"project {report.extra['project_seconds']:.2f}s = {report.extra['pairs_per_second_projection']:.0f} pairs/s)"
    )
    if output:
        write_sentences(output, projected)
    if json_out:
        write_json(json_out, {**report.as_dict(), "source_gold": str(source_gold), "target_gold": str(target_gold)})
