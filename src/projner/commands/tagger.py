"""``projner train`` (a target-language tagger) and ``projner tag`` (apply one)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import InputError
from .common import check_sentences_output, dotted_overrides, guard, read_all, show_scores, spooled, status
from .options import BaseModel, Device, MaxIterations, RepairTags, RunConfig, Scheme


def train(
    ctx: typer.Context,
    train: Annotated[Path, typer.Argument(help="Labelled training sentences (CoNLL or JSONL).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model folder (written atomically).")],
    dev: Annotated[Optional[Path], typer.Option(
        "--dev", help="Labelled dev sentences (CRF: held-out log; scored at the end).")] = None,
    tagger: Annotated[str, typer.Option("--tagger", help="crf (CPU, default) or hf (fine-tune --base-model).")] = "crf",
    config: RunConfig = None,
    base_model: BaseModel = None,
    max_iterations: MaxIterations = None,
    c1: Annotated[Optional[float], typer.Option("--c1", help="crf: L1 regularisation (default 0.05).")] = None,
    c2: Annotated[Optional[float], typer.Option("--c2", help="crf: L2 regularisation (default 0.05).")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="hf: training epochs (default 3).")] = None,
    device: Device = None,
    train_format: Annotated[str, typer.Option(
        "--format", help="auto, conll, jsonl, hf (datasets folder), parquet or spacy.")] = "auto",
    marks: Annotated[Optional[str], typer.Option(
        "--marks", help="Combining marks written as tokens of their own (`wọ ́ n`): keep (default), attach "
        "(glue them onto the word before), split (train on split words and cut the words tagged later the "
        "same way), auto (split if TRAIN has them).")] = None,
    scheme: Scheme = "iob2",
    repair_tags: RepairTags = False,
) -> None:
    """Train a target-language tagger (CRF by default) and save it to a folder."""
    from ..evaluate import evaluate
    from ..hub import check_model_location
    from ..transfer import TaggerConfig, check_new_model_dir, load_transfer_config, train_tagger

    cfg = load_transfer_config(TaggerConfig, config, {
        "kind": tagger, "base_model": base_model, "max_iterations": max_iterations, "c1": c1, "c2": c2,
        "epochs": epochs, "device": device, "marks": marks}, dotted_overrides(ctx))
    from ..io.outputs import check_outputs, check_outside

    check_outputs({"TRAIN": train, "--dev": dev, "--config": config}, {"-o": output})
    check_outside({"TRAIN": train, "--dev": dev, "--config": config}, output, "-o")
    check_new_model_dir(output)
    train, dev = spooled(train), spooled(dev)
    if cfg.kind == "hf":
        check_model_location(cfg.base_model, "base encoder")
    sents = read_all(train, train_format, labels=True, scheme=scheme, repair=repair_tags)
    dsents = read_all(dev, "auto", labels=True, scheme=scheme, repair=repair_tags) if dev else None
    t0 = time.perf_counter()
    with status(f"training a {cfg.kind} tagger on {len(sents)} sentences"):
        model = train_tagger(cfg, sents, output, dsents)
    typer.echo(f"trained {cfg.kind} on {len(sents)} sentences in {time.perf_counter() - t0:.1f}s → {output}")
    if dsents:
        preds = [s.with_spans(p) for s, p in zip(dsents, model.predict([s.tokens for s in dsents]))]
        show_scores(f"dev {dev}", evaluate(dsents, preds).as_dict())


def tag(
    model: Annotated[Path, typer.Argument(help="Tagger model folder (projner CRF, transformers or spaCy).")],
    input_: Annotated[Path, typer.Argument(
        metavar="INPUT", help="CoNLL (labels ignored), JSONL, or plain text (one sentence per line).")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Tagged output: .conll, .jsonl, .parquet, .spacy (or --output-format).")],
    input_format: Annotated[str, typer.Option(
        "--input-format", help="auto, conll, jsonl, text (whitespace tokens), raw (word tokenizer).")] = "auto",
    output_format: Annotated[str, typer.Option(
        "--output-format", help="auto (by the file name), conll, jsonl, hf-jsonl, parquet, hf, spacy.")] = "auto",
    score: Annotated[bool, typer.Option(
        "--score", help="Score against INPUT's labels (model-transfer evaluation).")] = False,
    kind: Annotated[str, typer.Option("--kind", help="Tagger kind: auto, crf, hf, spacy.")] = "auto",
    scheme: Scheme = "iob2",
    repair_tags: RepairTags = False,
) -> None:
    """Tag INPUT with a trained tagger."""
    from ..io import detect_format, read_sentences, write_sentences
    from ..ner import load_tagger
    from ..transfer import model_transfer

    from ..io.outputs import check_not_into

    guard({"MODEL": model, "INPUT": input_}, {"-o": output})
    check_not_into({"-o": output}, model, "MODEL")
    check_sentences_output(output, output_format)
    input_ = spooled(input_)
    fmt = input_format if input_format != "auto" else detect_format(input_)
    labelled = fmt in ("conll", "jsonl", "hf", "parquet", "spacy")
    if score and not labelled:
        raise InputError("--score needs labelled input (CoNLL or JSONL)", input_)
    sents = list(read_sentences(input_, fmt, labels=score, scheme=scheme, repair=repair_tags))
    tagger = load_tagger(model, kind)
    t0 = time.perf_counter()
    preds, report = model_transfer(sents, tagger, sents if score else None)
    write_sentences(output, preds, output_format)
    n = sum(len(p.spans) for p in preds)
    typer.echo(f"tagged {len(preds)} sentences ({n} entities) in {time.perf_counter() - t0:.1f}s → {output}", err=True)
    if report is not None:
        show_scores(f"{model} on {input_}", report.as_dict())
