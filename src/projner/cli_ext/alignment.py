"""``projner evaluate-alignment GOLD PRED``: AER, precision, recall and F1 of word alignments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

FORMATS = "auto, talp, wpt, jsonl"


def _read(path: Path, fmt: str, one_indexed: bool, n: int | None = None):
    from ..io.wpt import detect_alignment_format, read_alignments

    fmt = detect_alignment_format(path) if fmt == "auto" else fmt
    return fmt, read_alignments(path, fmt, one_indexed=one_indexed, n_sentences=n)


def evaluate_files(gold: Path, pred: Path, *, gold_format: str = "auto", pred_format: str = "auto",
                   gold_one_indexed: bool = False, pred_one_indexed: bool = False,
                   transpose_pred: bool = False) -> dict:
    """Score a predicted alignment file against a gold file; returns a JSON-able dict."""
    from ..align.evaluation import score_alignments
    from ..errors import InputError
    from ..io.wpt import ALIGNMENT_FORMATS

    for name, fmt, path in (("gold", gold_format, gold), ("prediction", pred_format, pred)):
        if fmt not in ALIGNMENT_FORMATS:
            raise InputError(f"unknown {name} format {fmt!r} (use one of {FORMATS})", path)
    pfmt, pred_al = _read(pred, pred_format, pred_one_indexed)
    gfmt = gold_format
    if gfmt == "auto":
        from ..io.wpt import detect_alignment_format

        gfmt = detect_alignment_format(gold)
    # a WPT file lists only sentences with links: size it like the prediction
    gfmt, gold_al = _read(gold, gfmt, gold_one_indexed, len(pred_al) if gfmt == "wpt" else None)
    if pfmt == "wpt" and len(pred_al) < len(gold_al):
        pfmt, pred_al = _read(pred, "wpt", pred_one_indexed, len(gold_al))
    if not gold_al:
        raise InputError("no gold alignments", gold)
    if len(gold_al) != len(pred_al):
        raise InputError(f"{len(pred_al)} predicted sentences but {len(gold_al)} gold sentences in {gold}", pred)
    if transpose_pred:
        pred_al = [a.transpose() for a in pred_al]
    scores = score_alignments(gold_al, pred_al)
    out = scores.as_dict()
    out.update({"gold": str(gold), "prediction": str(pred), "gold_format": gfmt, "prediction_format": pfmt})
    return out


def register(app: typer.Typer) -> None:
    @app.command("evaluate-alignment")
    def evaluate_alignment(
        gold: Path = typer.Argument(..., help="Gold alignments: talp (i-j sure, ipj / i?j possible), WPT or JSONL."),
        pred: Path = typer.Argument(..., help="Predicted alignments, same sentences, any of the same formats."),
        gold_format: str = typer.Option("auto", "--gold-format", help=f"Gold format: {FORMATS}."),
        pred_format: str = typer.Option("auto", "--pred-format", help=f"Prediction format: {FORMATS}."),
        one_indexed: bool = typer.Option(False, "--one-indexed", help="Both talp/JSONL files are 1-indexed."),
        gold_one_indexed: bool = typer.Option(False, "--gold-one-indexed", help="The talp/JSONL gold is 1-indexed (WPT always is)."),
        pred_one_indexed: bool = typer.Option(False, "--pred-one-indexed", help="The talp/JSONL prediction is 1-indexed."),
        transpose: bool = typer.Option(False, "--transpose-pred", help="The prediction links are target-source: swap them."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the scores as JSON."),
    ) -> None:
        """Score predicted word alignments against gold: AER, precision, recall, F1 (sure/possible links)."""
        from ..io.common import atomic_write

        res = evaluate_files(gold, pred, gold_format=gold_format, pred_format=pred_format,
                             gold_one_indexed=one_indexed or gold_one_indexed,
                             pred_one_indexed=one_indexed or pred_one_indexed, transpose_pred=transpose)
        typer.echo(f"{'sentences':<12}{res['sentences']}")
        typer.echo(f"{'links':<12}predicted {res['predicted']}, gold sure {res['sure']}, gold possible {res['possible']}")
        for key in ("aer", "precision", "recall", "f1"):
            typer.echo(f"{key.upper() if key == 'aer' else key:<12}{res[key]:.4f}")
        if json_out:
            with atomic_write(json_out) as fh:
                fh.write(json.dumps(res, indent=2) + "\n")
