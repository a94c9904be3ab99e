"""``projner evaluate`` (entity-level scores) and ``projner evaluate-alignment``
(AER, precision, recall and F1 of word alignments)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import InputError
from .common import check_output, guard, print_report, read_all, spooled, write_json
from .options import SOURCE_FORMATS, Ignore, JsonOut, LabelMap, RepairTags, Scheme

ALIGNMENT_FORMATS = "auto, talp, wpt, jsonl"


def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold labelled file (CoNLL or JSONL).")],
    pred: Annotated[Path, typer.Argument(help="Predicted labelled file, same sentences and tokens.")],
    json_out: JsonOut = None,
    source: Annotated[Optional[Path], typer.Option(
        "--source", help="Labelled source file, to report the projection ratio.")] = None,
    gold_format: Annotated[str, typer.Option("--gold-format", help=f"Gold format: {SOURCE_FORMATS}.")] = "auto",
    pred_format: Annotated[str, typer.Option("--pred-format", help=f"Prediction format: {SOURCE_FORMATS}.")] = "auto",
    scheme: Scheme = "iob2",
    repair_tags: RepairTags = False,
    label_map: LabelMap = None,
    ignore: Ignore = None,
    errors: Annotated[Optional[Path], typer.Option(
        "--errors", help="Write every disagreement with gold, by kind (missed, spurious, type, boundary), with its "
        "sentence: text, or JSON lines for a .jsonl name.")] = None,
) -> None:
    """Entity-level precision, recall and F1 per type, micro- and macro-averaged (seqeval semantics)."""
    from ..evaluate import evaluate as run_eval
    from ..evaluate import parse_label_map

    guard({"GOLD": gold, "PRED": pred, "--source": source}, {"--json": json_out, "--errors": errors})
    check_output(json_out, errors)
    gold, pred, source = spooled(gold), spooled(pred), spooled(source)
    g = read_all(gold, gold_format, labels=True, scheme=scheme, repair=repair_tags)
    p = read_all(pred, pred_format, labels=True, scheme=scheme, repair=repair_tags)
    if len(g) != len(p):
        raise InputError(f"{len(p)} sentences here but {len(g)} in the gold file {gold}", pred)
    src_spans = None
    if source:
        s = read_all(source, "auto", labels=True, scheme=scheme, repair=repair_tags)
        if len(s) != len(g):
            raise InputError(f"{len(s)} sentences here but {len(g)} in the gold file {gold}", source)
        src_spans = [x.spans for x in s]
    lmap = parse_label_map(label_map or [])
    report = run_eval(g, p, label_map=lmap, ignore=ignore or (), source=src_spans)
    print_report(report, title=f"{pred} vs {gold}")
    if json_out:
        write_json(json_out, report.as_dict())
    if errors:
        from ..disagreements import KINDS, write_disagreements

        counts = write_disagreements(errors, g, p, label_map=lmap, ignore=ignore or (), pred_path=pred)
        typer.echo(f"{sum(counts.values())} disagreements ({', '.join(f'{counts[k]} {k}' for k in KINDS)}) → {errors}",
                   err=True)


def evaluate_alignment(
    gold: Annotated[Path, typer.Argument(
        help="Gold alignments: talp (i-j sure, ipj / i?j possible), WPT or JSONL.")],
    pred: Annotated[Path, typer.Argument(help="Predicted alignments, same sentences, any of the same formats.")],
    gold_format: Annotated[str, typer.Option("--gold-format", help=f"Gold format: {ALIGNMENT_FORMATS}.")] = "auto",
    pred_format: Annotated[str, typer.Option(
        "--pred-format", help=f"Prediction format: {ALIGNMENT_FORMATS}.")] = "auto",
    one_indexed: Annotated[bool, typer.Option("--one-indexed", help="Both talp/JSONL files are 1-indexed.")] = False,
    gold_one_indexed: Annotated[bool, typer.Option(
        "--gold-one-indexed", help="The talp/JSONL gold is 1-indexed (WPT always is).")] = False,
    pred_one_indexed: Annotated[bool, typer.Option(
        "--pred-one-indexed", help="The talp/JSONL prediction is 1-indexed.")] = False,
    transpose: Annotated[bool, typer.Option(
        "--transpose-pred", help="The prediction links are target-source: swap them.")] = False,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the scores as JSON.")] = None,
) -> None:
    """Score predicted word alignments against gold: AER, precision, recall, F1 (sure/possible links)."""
    from ..pipelines import evaluate_alignment_files

    guard({"GOLD": gold, "PRED": pred}, {"--json": json_out})
    gold, pred = spooled(gold), spooled(pred)
    res = evaluate_alignment_files(gold, pred, gold_format=gold_format, pred_format=pred_format,
                                   gold_one_indexed=one_indexed or gold_one_indexed,
                                   pred_one_indexed=one_indexed or pred_one_indexed, transpose_pred=transpose)
    typer.echo(f"{'sentences':<12}{res['sentences']}")
    typer.echo(f"{'links':<12}predicted {res['predicted']}, gold sure {res['sure']}, gold possible {res['possible']}")
    for key in ("aer", "precision", "recall", "f1"):
        typer.echo(f"{key.upper() if key == 'aer' else key:<12}{res[key]:.4f}")
    if json_out:
        write_json(json_out, res, ensure_ascii=True)
