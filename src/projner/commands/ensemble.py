"""``projner ensemble PRED... -o OUT``: entity-level vote over the predictions of
several pipelines (e.g. translate-train and translate-test) on the same sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .common import check_output, show_scores, write_json


def ensemble_files(preds: List[Path], output: Path, *, min_votes: Optional[float] = None,
                   weights: Optional[List[float]] = None, gold: Optional[Path] = None,
                   ignore: Optional[List[str]] = None, output_format: str = "auto") -> dict:
    """Read the prediction files, vote (:func:`projner.ensemble.vote_entities`), write
    ``output``; with ``gold``, the scores of every file and of the ensemble."""
    from ..ensemble import vote_entities
    from ..errors import InputError
    from ..evaluate import evaluate
    from ..io import read_sentences, write_sentences

    if len(preds) < 2:
        raise InputError("give at least two prediction files to combine")
    members = []
    for p in preds:
        sents = list(read_sentences(p, "auto", labels=True))
        if members and len(sents) != len(members[0]):
            raise InputError(f"{len(sents)} sentences here but {len(members[0])} in {preds[0]}", p)
        for i, (a, b) in enumerate(zip(members[0] if members else (), sents)):
            if a.tokens != b.tokens:
                raise InputError(f"sentence {i + 1} has other words than in {preds[0]}", p)
        members.append(sents)
    combined = vote_entities(members, weights=weights, min_votes=min_votes)
    summary: dict = {"output": str(output), "sentences": len(combined), "members": [str(p) for p in preds],
                     "entities": sum(len(s.spans) for s in combined)}
    if gold is not None:
        gsents = list(read_sentences(gold, "auto", labels=True))
        ign = list(ignore or [])
        summary["scores"] = {str(p): evaluate(gsents, m, ignore=ign).as_dict() for p, m in zip(preds, members)}
        summary["scores"]["ensemble"] = evaluate(gsents, combined, ignore=ign).as_dict()
    write_sentences(output, combined, output_format)
    return summary


def ensemble(
    preds: Annotated[List[Path], typer.Argument(
        metavar="PRED...", help="Prediction files on the same sentences (CoNLL or JSONL), in priority order.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Combined predictions (.conll or .jsonl).")],
    min_votes: Annotated[Optional[float], typer.Option(
        "--min-votes", help="Keep an entity predicted by at least this many files (summed weights); "
        "default: a strict majority.")] = None,
    weight: Annotated[Optional[List[float]], typer.Option(
        "--weight", help="One weight per file, in order (default 1 each).")] = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Gold sentences: score every file and the ensemble.")] = None,
    ignore: Annotated[Optional[List[str]], typer.Option(
        "--ignore", help="A label left out of the scores (repeatable), e.g. MISC.")] = None,
    output_format: Annotated[str, typer.Option("--output-format", help="conll, jsonl, or auto by the file name.")] = "auto",
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the summary as JSON.")] = None,
) -> None:
    """Combine the entity predictions of several pipelines by voting: an entity (same
    words, same label) is kept when enough files predict it; overlapping kept entities
    are settled by more votes, then by the order of the files, then the longer one."""
    from ..io.outputs import check_outputs

    check_outputs({"PRED": list(preds), "--gold": gold}, {"--output": output, "--json": json_out})
    check_output(output, json_out)
    summary = ensemble_files(preds, output, min_votes=min_votes, weights=weight or None, gold=gold,
                             ignore=ignore, output_format=output_format)
    typer.echo(f"{summary['entities']} entities in {summary['sentences']} sentences → {output}")
    for name, scores in summary.get("scores", {}).items():
        show_scores(name, scores)
    if json_out:
        write_json(json_out, summary, indent=1)
