"""``projner translate-train`` and ``projner translate-test``: data transfer through
machine translation, as resumable steps in a run folder."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError, InputError
from ..pipelines_scale import check_shard_options
from .common import (check_output, dotted_overrides, log, progress_enabled, projection_overrides, show_scores,
                     spooled, write_json)
from .options import (Aligner, BackModel, Backtranslation, BaseModel, BatchSize, BeamSize, Bitext, Cache, Device,
                      DropIncomplete, Encoder, Ignore, LabelMap, Markers, MaxIterations, MaxLength, Method, MinSpanScore,
                      Model, OutputFormatRun, ProjectionConfigFile, RepairTags, RunConfig, Scheme, Seed, SrcLang,
                      SummaryJson, TgtLang, Tokenize, Tokenizer, Translations, TranslationsFormat, Translator)
from .scale import SAMPLE_SIZE, SHARD_SIZE, Address, Engine, check_engine


def translate_overrides(translator, model, tokenizer, translations, src_lang, tgt_lang, beam, batch, maxlen, device,
                        cache, tokenize, translations_format=None) -> dict:
    """The run's ``translate`` section from flags (None = not given)."""
    if translations is not None:
        if translator not in (None, "file"):
            raise InputError(f"--translations implies --translator file, not {translator!r}")
        translator = "file"
    return {"backend": translator, "model": model, "tokenizer": tokenizer,
            "path": str(translations) if translations is not None else None, "format": translations_format,
            "src_lang": src_lang, "tgt_lang": tgt_lang, "beam_size": beam, "batch_size": batch, "max_length": maxlen,
            "device": device, "cache": cache, "tokenize": tokenize}


def run_projection_overrides(aligner, method, bitext, projection_config=None, encoder=None, seed=None,
                             label_map=None, ignore=None) -> dict:
    """The run's ``projection`` section: a projection config file (if given), then the flags."""
    ov: dict = {}
    if projection_config is not None:
        from ..config import load_config

        # validated on its own first: its mistakes are reported with its file and line
        ov.update(load_config(projection_config).model_dump(mode="json", exclude_unset=True))
    flags = projection_overrides(aligner, method, bitext, None, encoder, label_map, ignore, seed)
    if flags["bitext"]:
        flags["bitext"] = list(ov.get("bitext", [])) + flags["bitext"]
    ov.update({k: v for k, v in flags.items() if v is not None})
    return ov


def translate_train(
    ctx: typer.Context,
    source: Annotated[Optional[Path], typer.Argument(
        help="Labelled source corpus (CoNLL or JSONL); or 'source:' in --config.")] = None,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Run folder (created; finished steps are reused on rerun).")] = ...,
    config: RunConfig = None,
    translator: Translator = None,
    model: Model = None,
    tokenizer: Tokenizer = None,
    translations: Translations = None,
    translations_format: TranslationsFormat = None,
    src_lang: SrcLang = None,
    tgt_lang: TgtLang = None,
    beam_size: BeamSize = None,
    batch_size: BatchSize = None,
    max_length: MaxLength = None,
    device: Device = None,
    cache: Cache = None,
    tokenize: Tokenize = None,
    aligner: Aligner = None,
    method: Method = None,
    bitext: Bitext = None,
    projection_config: ProjectionConfigFile = None,
    encoder: Encoder = None,
    seed: Seed = None,
    label_map: LabelMap = None,
    ignore: Ignore = None,
    drop_incomplete: DropIncomplete = None,
    min_span_score: MinSpanScore = None,
    train: Annotated[Optional[str], typer.Option(
        "--train", help="Train a target tagger on the projections: crf or hf.")] = None,
    base_model: BaseModel = None,
    max_iterations: MaxIterations = None,
    dev: Annotated[Optional[Path], typer.Option("--dev", help="Target dev set for the tagger (CoNLL/JSONL).")] = None,
    eval_: Annotated[Optional[Path], typer.Option(
        "--eval", help="Target gold test set: score the trained tagger.")] = None,
    output_format: OutputFormatRun = None,
    markers: Markers = None,
    json_out: SummaryJson = None,
    scheme: Scheme = "iob2", repair_tags: RepairTags = False,  # the tag-scheme policy of labelled inputs
    engine: Engine = "local", address: Address = None, shard_size: RayShardSize = None,
) -> None:
    """Translate a labelled source corpus, project its labels onto the translations,
    optionally train and evaluate a target tagger. Outputs go into the run folder."""
    from ..transfer import TranslateTrainConfig, load_transfer_config

    train_ov = {"kind": train, "base_model": base_model, "max_iterations": max_iterations} \
        if train or base_model or max_iterations else None
    config, projection_config = spooled(config), spooled(projection_config)
    sections = _sections(translator, model, tokenizer, translations, src_lang, tgt_lang, beam_size, batch_size,
                         max_length, device, cache, tokenize, translations_format, aligner, method, bitext,
                         projection_config, encoder, seed, label_map, ignore, scheme, repair_tags)
    _add_filter(sections["projection"], drop_incomplete, min_span_score)
    cfg = load_transfer_config(TranslateTrainConfig, config, {
        "source": str(source) if source else None, "train": train_ov, "dev": str(dev) if dev else None,
        "eval": str(eval_) if eval_ else None, "output_format": output_format, "markers": markers,
        **sections}, dotted_overrides(ctx))
    _guard_run(cfg, output, json_out, ("source", "dev", "eval"))
    _run(_train_runner(output, engine, address, shard_size), cfg, output, json_out, _report_train, timed=True)


RayShardSize = Annotated[Optional[int], typer.Option(
    "--shard-size", help="--engine ray: pairs per shard of the projection step (default 100,000).")]


def _train_runner(output: Path, engine: str, address: Optional[str], shard_size: Optional[int]):
    """translate-train in this process, or with its projection step on Ray (options checked before any work)."""
    from ..transfer import run_translate_train

    check_engine(engine, address)
    if shard_size is not None:
        if engine != "ray":
            raise ConfigError("--shard-size needs --engine ray (translate-train projects in one pass otherwise)")
        check_shard_options(shard_size, SAMPLE_SIZE)
    if engine != "ray":
        return run_translate_train
    from ..transfer.run import ray_projection

    return partial(run_translate_train, engine=ray_projection(
        output, address=address, shard_size=shard_size or SHARD_SIZE, sample_size=SAMPLE_SIZE))


def _add_filter(projection: dict, drop_incomplete, min_span_score) -> None:
    """The training data's sentence filter from flags (they win over --projection-config's ``filter:``)."""
    flt = {k: v for k, v in (("drop_incomplete", drop_incomplete), ("min_span_score", min_span_score)) if v is not None}
    if flt:
        projection["filter"] = {**projection.get("filter", {}), **flt}


def _sections(translator, model, tokenizer, translations, src_lang, tgt_lang, beam_size, batch_size, max_length,
              device, cache, tokenize, translations_format, aligner, method, bitext, projection_config, encoder, seed,
              label_map, ignore, scheme, repair_tags) -> dict:
    """The translate, projection and tag-scheme settings both transfer commands take from flags."""
    return {
        "translate": translate_overrides(translator, model, tokenizer, translations, src_lang, tgt_lang, beam_size,
                                         batch_size, max_length, device, cache, tokenize, translations_format),
        "projection": run_projection_overrides(aligner, method, bitext, projection_config, encoder, seed, label_map,
                                               ignore),
        **_tag_overrides(scheme, repair_tags),
    }


def _tag_overrides(scheme: str, repair_tags: bool) -> dict:
    """Tag-scheme flags as config keys; flags left at their defaults do not override the config file."""
    return {"scheme": None if scheme == "iob2" else scheme, "repair_tags": repair_tags or None}


def _guard_run(cfg, root: Path, json_out: Optional[Path], inputs: tuple[str, ...]) -> None:
    """Before any work: the run's files and --json are neither inputs nor each other;
    inputs that are FIFOs are read once (copied)."""
    from ..io.outputs import check_outputs
    from ..transfer.run import run_files

    ins, outs = run_files(cfg, root)
    check_outputs(ins, {**outs, "--json": json_out})
    check_output(json_out)
    for name in inputs:
        if getattr(cfg, name):
            setattr(cfg, name, spooled(getattr(cfg, name)))
    if cfg.translate.backend == "file" and cfg.translate.path:
        cfg.translate.path = spooled(cfg.translate.path)


def _report_train(summary: dict, cfg) -> None:
    typer.echo(
        f"projected {summary['projected_entities']} of {summary['source_entities']} entities onto "
        f"{summary['sentences']} translated sentences → {summary['projected']}"
    )
    if "model" in summary:
        typer.echo(f"tagger → {summary['model']}")
    if "scores" in summary:
        show_scores(f"tagger on {cfg.eval}", summary["scores"])
    if summary["skipped"]:
        typer.echo(f"reused finished steps: {', '.join(summary['skipped'])}", err=True)


def translate_test(
    ctx: typer.Context,
    input_: Annotated[Optional[Path], typer.Argument(
        metavar="INPUT", help="Target sentences (CoNLL gold → scored; or text).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Run folder.")] = ...,
    tagger: Annotated[Optional[str], typer.Option(
        "--tagger", help="Source-language tagger (CRF/transformers/spaCy model).")] = None,
    config: RunConfig = None,
    translator: Translator = None,
    model: Model = None,
    tokenizer: Tokenizer = None,
    translations: Translations = None,
    translations_format: TranslationsFormat = None,
    src_lang: SrcLang = None,
    tgt_lang: TgtLang = None,
    beam_size: BeamSize = None,
    batch_size: BatchSize = None,
    max_length: MaxLength = None,
    device: Device = None,
    cache: Cache = None,
    tokenize: Tokenize = None,
    aligner: Aligner = None,
    method: Method = None,
    bitext: Bitext = None,
    projection_config: ProjectionConfigFile = None,
    encoder: Encoder = None,
    seed: Seed = None,
    label_map: LabelMap = None,
    ignore: Ignore = None,
    input_format: Annotated[Optional[str], typer.Option(
        "--input-format", help="auto, conll, jsonl, text, raw.")] = None,
    baseline: Annotated[Optional[str], typer.Option(
        "--baseline", help="A target-language tagger: model-transfer baseline, scored the same way.")] = None,
    output_format: OutputFormatRun = None,
    backtranslation: Backtranslation = None,
    back_model: BackModel = None,
    json_out: SummaryJson = None,
    scheme: Scheme = "iob2", repair_tags: RepairTags = False,  # the tag-scheme policy of labelled inputs
) -> None:
    """Translate target sentences into the source language, tag them, project the
    entities back onto the original words; score against gold when INPUT is labelled.
    (The translation model translates target → source: --src-lang is the target text's language.)"""
    from ..transfer import TranslateTestConfig, load_transfer_config, run_translate_test

    config, projection_config = spooled(config), spooled(projection_config)
    cfg = load_transfer_config(TranslateTestConfig, config, {
        "input": str(input_) if input_ else None, "input_format": input_format, "tagger": tagger,
        "baseline": baseline, "output_format": output_format, "backtranslation": backtranslation,
        "back_translate": _back_overrides(back_model, translator, src_lang, tgt_lang, cache),
        **_sections(translator, model, tokenizer, translations, src_lang, tgt_lang, beam_size, batch_size, max_length,
                    device, cache, tokenize, translations_format, aligner, method, bitext, projection_config, encoder,
                    seed, label_map, ignore, scheme, repair_tags)}, dotted_overrides(ctx))
    _guard_run(cfg, output, json_out, ("input",))
    _run(run_translate_test, cfg, output, json_out, _report_test)


def _run(run_fn, cfg, output: Path, json_out: Optional[Path], report, timed: bool = False) -> None:
    """Run a transfer pipeline into its run folder, print its summary, write it as JSON."""
    t0 = time.perf_counter()
    summary = run_fn(cfg, output, progress=progress_enabled(), log=log)
    if timed:
        summary["seconds"] = round(time.perf_counter() - t0, 2)
    report(summary, cfg)
    if json_out:
        write_json(json_out, summary, indent=1, ensure_ascii=True, default=str)


def _report_test(summary: dict, cfg) -> None:
    typer.echo(f"predictions for {summary['sentences']} sentences → {summary['predictions']}")
    if "scores" in summary:
        show_scores("translate-test", summary["scores"])
    if "baseline_scores" in summary:
        show_scores("model transfer", summary["baseline_scores"])


def _back_overrides(back_model, translator, src_lang, tgt_lang, cache) -> dict | None:
    """``--back-model``: the back-translation model, same backend, languages swapped."""
    if back_model is None:
        return None
    return {"backend": translator, "model": back_model, "src_lang": tgt_lang, "tgt_lang": src_lang, "cache": cache}
