"""Transfer commands: translate-train, translate-test, train, tag."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import InputError
from .core import ALIGNER, BITEXT, ENCODER, IGNORE, LABEL_MAP, METHOD, SEED, _overrides

# translation options shared by translate-train and translate-test
TRANSLATOR = typer.Option(None, "--translator", "-t", help="Translation backend: hf (transformers), ct2 (CTranslate2), file (pre-computed).")
MODEL = typer.Option(None, "--model", help="Translation model directory (or a hub name already in the local cache).")
TOKENIZER = typer.Option(None, "--tokenizer", help="ct2: directory of the transformers tokenizer (default: the model directory).")
TRANSLATIONS = typer.Option(None, "--translations", help="Pre-computed translations (implies --translator file): plain text, one per line; or tokenised CoNLL/JSONL, one sentence per input sentence (tokens used as they are, labels ignored; -DOCSTART- blocks dropped as from the input).")
TRANSLATIONS_FORMAT = typer.Option(None, "--translations-format", help="Format of --translations: auto (default, detected), text, conll or jsonl.")
SRC_LANG = typer.Option(None, "--src-lang", help="Source language code of the model (en, eng_Latn, ...).")
TGT_LANG = typer.Option(None, "--tgt-lang", help="Target language code of the model (de, deu_Latn, ...).")
BEAM = typer.Option(None, "--beam-size", help="Beam size (default 4).")
BATCH = typer.Option(None, "--batch-size", help="Sentences per translation batch (default 16).")
MAXLEN = typer.Option(None, "--max-length", help="Longest translation in tokens (default 256).")
DEVICE = typer.Option(None, "--device", help="cpu (default), cuda or auto.")
CACHE = typer.Option(None, "--cache", help="On-disk translation cache (SQLite file, or 'default').")
TOKENIZE = typer.Option(None, "--tokenize", help="How text translations are split into words: word (default) or whitespace (already tokenised). CoNLL/JSONL translations keep their tokens.")
CONFIG = typer.Option(None, "--config", "-c", help="YAML/TOML run configuration (validated before any work).")
JSON_OUT = typer.Option(None, "--json", help="Also write the run summary as JSON.")
PROJECTION_CONFIG = typer.Option(None, "--projection-config", help="A projection configuration file (as for 'projner project --config', e.g. configs/neural-vote.yaml) for the projection section; flags override it.")


def _translate_overrides(translator, model, tokenizer, translations, src_lang, tgt_lang, beam, batch, maxlen, device,
                         cache, tokenize, translations_format=None) -> dict:
    if translations is not None:
        if translator not in (None, "file"):
            raise InputError(f"--translations implies --translator file, not {translator!r}")
        translator = "file"
    return {"backend": translator, "model": model, "tokenizer": tokenizer,
            "path": str(translations) if translations is not None else None, "format": translations_format,
            "src_lang": src_lang,
            "tgt_lang": tgt_lang, "beam_size": beam, "batch_size": batch, "max_length": maxlen, "device": device,
            "cache": cache, "tokenize": tokenize}


def _projection_overrides(aligner, method, bitext, projection_config=None, encoder=None, seed=None,
                          label_map=None, ignore=None) -> dict:
    """The run's ``projection`` section: a projection config file (if given), then the flags."""
    ov: dict = {}
    if projection_config is not None:
        from ..config import load_config

        # validated on its own first: its mistakes are reported with its file and line
        ov.update(load_config(projection_config).model_dump(mode="json", exclude_unset=True))
    flags = _overrides(aligner, method, bitext, None, encoder, label_map, ignore, seed)
    if flags["bitext"]:
        flags["bitext"] = list(ov.get("bitext", [])) + flags["bitext"]
    ov.update({k: v for k, v in flags.items() if v is not None})
    return ov


def _log(message: str) -> None:
    typer.echo(f"projner: {message}", err=True)


def _show_scores(title: str, scores: dict) -> None:
    o = scores.get("overall", {})
    line = f"{title}: P {o.get('precision', 0):.4f}  R {o.get('recall', 0):.4f}  F1 {o.get('f1', 0):.4f}"
    per = scores.get("per_type", {})
    if per:
        line += "  (" + ", ".join(f"{k} {v.get('f1', 0):.3f}" for k, v in per.items()) + ")"
    typer.echo(line)


def _progress_enabled() -> bool:
    import sys

    return sys.stderr.isatty()


def register(app: typer.Typer) -> None:
    @app.command("translate-train")
    def translate_train_cmd(
        source: Optional[Path] = typer.Argument(None, help="Labelled source corpus (CoNLL or JSONL); or 'source:' in --config."),
        output: Path = typer.Option(..., "--output", "-o", help="Run folder (created; finished steps are reused on rerun)."),
        config: Optional[Path] = CONFIG,
        translator: Optional[str] = TRANSLATOR,
        model: Optional[str] = MODEL,
        tokenizer: Optional[str] = TOKENIZER,
        translations: Optional[Path] = TRANSLATIONS,
        translations_format: Optional[str] = TRANSLATIONS_FORMAT,
        src_lang: Optional[str] = SRC_LANG,
        tgt_lang: Optional[str] = TGT_LANG,
        beam_size: Optional[int] = BEAM,
        batch_size: Optional[int] = BATCH,
        max_length: Optional[int] = MAXLEN,
        device: Optional[str] = DEVICE,
        cache: Optional[str] = CACHE,
        tokenize: Optional[str] = TOKENIZE,
        aligner: Optional[str] = ALIGNER,
        method: Optional[str] = METHOD,
        bitext: Optional[List[Path]] = BITEXT,
        projection_config: Optional[Path] = PROJECTION_CONFIG,
        encoder: Optional[str] = ENCODER,
        seed: Optional[int] = SEED,
        label_map: Optional[List[str]] = LABEL_MAP,
        ignore: Optional[List[str]] = IGNORE,
        train: Optional[str] = typer.Option(None, "--train", help="Train a target tagger on the projections: crf or hf."),
        base_model: Optional[str] = typer.Option(None, "--base-model", help="hf: encoder directory to fine-tune."),
        max_iterations: Optional[int] = typer.Option(None, "--max-iterations", help="crf: L-BFGS iterations (default 100)."),
        dev: Optional[Path] = typer.Option(None, "--dev", help="Target dev set for the tagger (CoNLL/JSONL)."),
        eval_: Optional[Path] = typer.Option(None, "--eval", help="Target gold test set: score the trained tagger."),
        output_format: Optional[str] = typer.Option(None, "--output-format", help="conll (default) or jsonl."),
        json_out: Optional[Path] = JSON_OUT,
    ) -> None:
        """Translate a labelled source corpus, project its labels onto the translations,
        optionally train and evaluate a target tagger. Outputs go into the run folder."""
        from ..pipelines_transfer import TranslateTrainConfig, load_transfer_config, run_translate_train

        train_ov = None
        if train or base_model or max_iterations:
            train_ov = {"kind": train, "base_model": base_model, "max_iterations": max_iterations}
        overrides = {
            "source": str(source) if source else None,
            "translate": _translate_overrides(translator, model, tokenizer, translations, src_lang, tgt_lang,
                                              beam_size, batch_size, max_length, device, cache, tokenize,
                                              translations_format),
            "projection": _projection_overrides(aligner, method, bitext, projection_config, encoder, seed,
                                                label_map, ignore),
            "train": train_ov,
            "dev": str(dev) if dev else None,
            "eval": str(eval_) if eval_ else None,
            "output_format": output_format,
        }
        cfg = load_transfer_config(TranslateTrainConfig, config, overrides)
        if json_out:
            from ..io.common import _check_writable_dir

            _check_writable_dir(json_out)
        t0 = time.perf_counter()
        summary = run_translate_train(cfg, output, progress=_progress_enabled(), log=_log)
        summary["seconds"] = round(time.perf_counter() - t0, 2)
        typer.echo(
            f"projected {summary['projected_entities']} of {summary['source_entities']} entities onto "
            f"{summary['sentences']} translated sentences → {summary['projected']}"
        )
        if "model" in summary:
            typer.echo(f"tagger → {summary['model']}")
        if "scores" in summary:
            _show_scores(f"tagger on {cfg.eval}", summary["scores"])
        if summary["skipped"]:
            typer.echo(f"reused finished steps: {', '.join(summary['skipped'])}", err=True)
        if json_out:
            from ..io import atomic_write

            with atomic_write(json_out) as fh:
                fh.write(json.dumps(summary, indent=1, default=str) + "\n")

    @app.command("translate-test")
    def translate_test_cmd(
        input_: Optional[Path] = typer.Argument(None, metavar="INPUT", help="Target sentences (CoNLL gold → scored; or text)."),
        output: Path = typer.Option(..., "--output", "-o", help="Run folder."),
        tagger: Optional[str] = typer.Option(None, "--tagger", help="Source-language tagger (CRF/transformers/spaCy model)."),
        config: Optional[Path] = CONFIG,
        translator: Optional[str] = TRANSLATOR,
        model: Optional[str] = MODEL,
        tokenizer: Optional[str] = TOKENIZER,
        translations: Optional[Path] = TRANSLATIONS,
        translations_format: Optional[str] = TRANSLATIONS_FORMAT,
        src_lang: Optional[str] = SRC_LANG,
        tgt_lang: Optional[str] = TGT_LANG,
        beam_size: Optional[int] = BEAM,
        batch_size: Optional[int] = BATCH,
        max_length: Optional[int] = MAXLEN,
        device: Optional[str] = DEVICE,
        cache: Optional[str] = CACHE,
        tokenize: Optional[str] = TOKENIZE,
        aligner: Optional[str] = ALIGNER,
        method: Optional[str] = METHOD,
        bitext: Optional[List[Path]] = BITEXT,
        projection_config: Optional[Path] = PROJECTION_CONFIG,
        encoder: Optional[str] = ENCODER,
        seed: Optional[int] = SEED,
        label_map: Optional[List[str]] = LABEL_MAP,
        ignore: Optional[List[str]] = IGNORE,
        input_format: Optional[str] = typer.Option(None, "--input-format", help="auto, conll, jsonl, text, raw."),
        baseline: Optional[str] = typer.Option(None, "--baseline", help="A target-language tagger: model-transfer baseline, scored the same way."),
        output_format: Optional[str] = typer.Option(None, "--output-format", help="conll (default) or jsonl."),
        json_out: Optional[Path] = JSON_OUT,
    ) -> None:
        """Translate target sentences into the source language, tag them, project the
        entities back onto the original words; score against gold when INPUT is labelled.
        (The translation model translates target → source: --src-lang is the target text's language.)"""
        from ..pipelines_transfer import TranslateTestConfig, load_transfer_config, run_translate_test

        overrides = {
            "input": str(input_) if input_ else None,
            "input_format": input_format,
            "tagger": tagger,
            "baseline": baseline,
            "translate": _translate_overrides(translator, model, tokenizer, translations, src_lang, tgt_lang,
                                              beam_size, batch_size, max_length, device, cache, tokenize,
                                              translations_format),
            "projection": _projection_overrides(aligner, method, bitext, projection_config, encoder, seed,
                                                label_map, ignore),
            "output_format": output_format,
        }
        cfg = load_transfer_config(TranslateTestConfig, config, overrides)
        if json_out:
            from ..io.common import _check_writable_dir

            _check_writable_dir(json_out)
        summary = run_translate_test(cfg, output, progress=_progress_enabled(), log=_log)
        typer.echo(f"predictions for {summary['sentences']} sentences → {summary['predictions']}")
        if "scores" in summary:
            _show_scores("translate-test", summary["scores"])
        if "baseline_scores" in summary:
            _show_scores("model transfer", summary["baseline_scores"])
        if json_out:
            from ..io import atomic_write

            with atomic_write(json_out) as fh:
                fh.write(json.dumps(summary, indent=1, default=str) + "\n")

    @app.command("train")
    def train_cmd(
        train: Path = typer.Argument(..., help="Labelled training sentences (CoNLL or JSONL)."),
        output: Path = typer.Option(..., "--output", "-o", help="Model folder (written atomically)."),
        dev: Optional[Path] = typer.Option(None, "--dev", help="Labelled dev sentences (CRF: held-out log; scored at the end)."),
        tagger: str = typer.Option("crf", "--tagger", help="crf (CPU, default) or hf (fine-tune --base-model)."),
        config: Optional[Path] = CONFIG,
        base_model: Optional[str] = typer.Option(None, "--base-model", help="hf: encoder directory to fine-tune."),
        max_iterations: Optional[int] = typer.Option(None, "--max-iterations", help="crf: L-BFGS iterations (default 100)."),
        c1: Optional[float] = typer.Option(None, "--c1", help="crf: L1 regularisation (default 0.05)."),
        c2: Optional[float] = typer.Option(None, "--c2", help="crf: L2 regularisation (default 0.05)."),
        epochs: Optional[int] = typer.Option(None, "--epochs", help="hf: training epochs (default 3)."),
        device: Optional[str] = DEVICE,
        train_format: str = typer.Option("auto", "--format", help="auto, conll or jsonl."),
    ) -> None:
        """Train a target-language tagger (CRF by default) and save it to a folder."""
        from ..evaluate import evaluate
        from ..io import read_sentences
        from ..pipelines_transfer import TaggerConfig, check_new_model_dir, load_transfer_config, train_tagger

        cfg = load_transfer_config(TaggerConfig, config, {
            "kind": tagger, "base_model": base_model, "max_iterations": max_iterations, "c1": c1, "c2": c2,
            "epochs": epochs, "device": device})
        check_new_model_dir(output)
        if cfg.kind == "hf":
            from ..translate._hf_common import check_model_location

            check_model_location(cfg.base_model, "base encoder")
        sents = list(read_sentences(train, train_format, labels=True))
        if not sents:
            raise InputError("no sentences in file", train)
        dsents = list(read_sentences(dev, "auto", labels=True)) if dev else None
        t0 = time.perf_counter()
        with _status(f"training a {cfg.kind} tagger on {len(sents)} sentences"):
            model = train_tagger(cfg, sents, output, dsents)
        typer.echo(f"trained {cfg.kind} on {len(sents)} sentences in {time.perf_counter() - t0:.1f}s → {output}")
        if dsents:
            preds = [s.with_spans(p) for s, p in zip(dsents, model.predict([s.tokens for s in dsents]))]
            _show_scores(f"dev {dev}", evaluate(dsents, preds).as_dict())

    @app.command("tag")
    def tag_cmd(
        model: Path = typer.Argument(..., help="Tagger model folder (projner CRF, transformers or spaCy)."),
        input_: Path = typer.Argument(..., metavar="INPUT", help="CoNLL (labels ignored), JSONL, or plain text (one sentence per line)."),
        output: Path = typer.Option(..., "--output", "-o", help="Tagged output (.conll or .jsonl)."),
        input_format: str = typer.Option("auto", "--input-format", help="auto, conll, jsonl, text (whitespace tokens), raw (word tokenizer)."),
        output_format: str = typer.Option("auto", "--output-format", help="conll, jsonl, or auto by the file name."),
        score: bool = typer.Option(False, "--score", help="Score against INPUT's labels (model-transfer evaluation)."),
        kind: str = typer.Option("auto", "--kind", help="Tagger kind: auto, crf, hf, spacy."),
    ) -> None:
        """Tag INPUT with a trained tagger."""
        from ..io import detect_format, read_sentences, write_sentences
        from ..io.common import _check_writable_dir
        from ..ner import load_tagger
        from ..pipelines_transfer import model_transfer

        _check_writable_dir(output)
        fmt = input_format if input_format != "auto" else detect_format(input_)
        labelled = fmt in ("conll", "jsonl")
        if score and not labelled:
            raise InputError("--score needs labelled input (CoNLL or JSONL)", input_)
        sents = list(read_sentences(input_, fmt, labels=score))
        tagger = load_tagger(model, kind)
        t0 = time.perf_counter()
        preds, report = model_transfer(sents, tagger, sents if score else None)
        write_sentences(output, preds, output_format)
        n = sum(len(p.spans) for p in preds)
        typer.echo(f"tagged {len(preds)} sentences ({n} entities) in {time.perf_counter() - t0:.1f}s → {output}", err=True)
        if report is not None:
            _show_scores(f"{model} on {input_}", report.as_dict())


def _status(message: str):
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_terminal:
        return console.status(message)
    import contextlib

    return contextlib.nullcontext()
