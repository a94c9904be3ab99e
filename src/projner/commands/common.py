"""Helpers of the commands: reading whole inputs with located errors, output
checks, configuration overrides from flags, progress and printing."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Optional

import typer

from ..errors import InputError
from .options import pairs


def progress(total: int, description: str):
    """A rich progress bar on stderr when it is a terminal; a no-op otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True, disable=not console.is_terminal)
    task = prog.add_task(description, total=total)
    return prog, (lambda n: prog.advance(task, n))


def status(message: str):
    """A spinner with ``message`` on stderr when it is a terminal."""
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_terminal:
        return console.status(message)
    return contextlib.nullcontext()


def progress_enabled() -> bool:
    import sys

    return sys.stderr.isatty()


def log(message: str) -> None:
    typer.echo(f"projner: {message}", err=True)


def read_all(path: Path, fmt: str, *, labels: bool, scheme: str = "iob2", repair: bool = False) -> list:
    """Every sentence of ``path``; an empty file is an input error."""
    from ..io import read_sentences

    out = []
    for s in read_sentences(path, fmt, labels=labels, scheme=scheme, repair=repair):
        s.meta["path"] = str(path)
        out.append(s)
    if not out:
        raise InputError("no sentences in this file", path)
    return out


def read_alignments(path: Path, n: int, sources, targets) -> list:
    """Precomputed alignments of ``n`` pairs, each checked against its sentences."""
    from ..io import read_talp

    aligns = []
    for k, a in enumerate(read_talp(path)):
        if k < n:
            try:
                a.check_bounds(len(sources[k]), len(targets[k]))
            except ValueError as exc:
                raise InputError(str(exc), path, k + 1) from None
        aligns.append(a)
    if len(aligns) != n:
        raise InputError(f"{len(aligns)} alignment lines but {n} sentence pairs", path)
    return aligns


def check_output(*paths: Optional[Path]) -> None:
    """Fail before any work when an output cannot be written."""
    from ..io import check_writable

    for path in paths:
        if path:
            check_writable(Path(path))


def warn_inputs(sources: list, targets: list, source: Path, target: Path, source_format: str,
                target_format: str, labelled_source: bool = True) -> None:
    """Log the input hints (:mod:`projner.io.hints`): no source entities, swapped files, blank
    target lines, punctuation glued to plain-text tokens."""
    import logging

    from ..io import detect_format
    from ..io.hints import source_hints, target_hints

    sfmt = source_format if source_format != "auto" else detect_format(source)
    tfmt = target_format if target_format != "auto" else detect_format(target)
    first = (source_hints(sources, source, target, sfmt, tfmt) if labelled_source
             else target_hints(sources, source, sfmt, "--source-format"))
    for message in first + target_hints(targets, target, tfmt):
        logging.getLogger("projner").warning(message)


def check_sentences_output(path: Optional[Path], fmt: str = "auto") -> None:
    """Fail before any work when ``path`` cannot be written, or its name (or ``fmt``) is no
    format projner writes (an ``.out`` or ``.xml`` name is refused, not given CoNLL)."""
    from ..io import output_format

    if path:
        if output_format(path, fmt) != "hf":
            check_output(path)


def guard(inputs: dict, outputs: dict) -> None:
    """Before any work: refuse an output that is (the same file as) an input or another
    output (:func:`projner.io.outputs.check_outputs`)."""
    from ..io.outputs import check_outputs

    check_outputs(inputs, outputs)


def spooled(path):
    """``path``, or a once-made regular-file copy of a FIFO / process substitution (:mod:`projner.io.spool`)."""
    from ..io.spool import regular_input

    return regular_input(path)


def config_files(cfg) -> dict:
    """Files a projection configuration reads: bitext pairs and aligner option files (priors)."""
    priors = [v for opts in cfg.aligner_options.values() if isinstance(opts, dict)
              for k, v in opts.items() if k in ("priors", "reverse_priors") and isinstance(v, str) and v]
    return {"--bitext": [p for pair in cfg.bitext for p in pair], "priors": priors}


def projection_overrides(aligner=None, method=None, bitext=None, lowercase=None, encoder=None, label_map=None,
                         ignore=None, seed=None, drop_incomplete=None, min_span_score=None) -> dict:
    """The projection configuration keys set by flags (None = not given)."""
    from ..evaluate import parse_label_map

    ov = {"aligner": aligner, "method": method, "bitext": [list(map(str, b)) for b in pairs(bitext)] if bitext else None,
          "lowercase": lowercase, "encoder": encoder, "seed": seed}
    if label_map:
        ov["label_map"] = parse_label_map(label_map)
    if ignore:
        ov["ignore_labels"] = list(ignore)
    flt = {k: v for k, v in (("drop_incomplete", drop_incomplete), ("min_span_score", min_span_score)) if v is not None}
    if flt:
        ov["filter"] = flt
    return ov


def dotted_overrides(ctx) -> dict:
    """The dotted configuration overrides left over by the command's own options."""
    from ..config import parse_overrides

    return parse_overrides(list(ctx.args)) if ctx is not None else {}


def load_projection_config(config: Optional[Path], overrides: dict, ctx=None):
    from ..config import load_config

    cfg = load_config(config, overrides, dotted=dotted_overrides(ctx))
    for src, tgt in cfg.bitext:
        for p in (src, tgt):
            if not Path(p).is_file():
                raise InputError("bitext file not found", p)
    return cfg


def print_report(report, title: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title or None)
    for col in ("type", "precision", "recall", "f1", "gold", "pred", "correct"):
        table.add_column(col, justify="left" if col == "type" else "right")
    for lab, t in sorted(report.per_type.items()):
        table.add_row(lab, f"{t.precision:.4f}", f"{t.recall:.4f}", f"{t.f1:.4f}", str(t.support), str(t.predicted),
                      str(t.correct))
    o = report.overall
    table.add_row("[bold]overall[/bold] (micro)", f"{o.precision:.4f}", f"{o.recall:.4f}", f"[bold]{o.f1:.4f}[/bold]",
                  str(o.support), str(o.predicted), str(o.correct))
    table.add_row("macro avg", f"{report.macro_precision:.4f}", f"{report.macro_recall:.4f}", f"{report.macro_f1:.4f}",
                  "", "", "")
    Console(highlight=False).print(table)
    extra = f"sentences: {report.sentences}"
    if report.projection_ratio is not None:
        extra += f"   projection ratio: {report.projection_ratio:.4f}"
    Console(highlight=False).print(extra)


def show_scores(title: str, scores: dict) -> None:
    """One line: overall P/R/F1 and F1 per type."""
    o = scores.get("overall", {})
    line = f"{title}: P {o.get('precision', 0):.4f}  R {o.get('recall', 0):.4f}  F1 {o.get('f1', 0):.4f}"
    per = scores.get("per_type", {})
    if per:
        line += "  (" + ", ".join(f"{k} {v.get('f1', 0):.3f}" for k, v in per.items()) + ")"
    typer.echo(line)


def write_json(path: Path, data: Any, indent: int = 2, ensure_ascii: bool = False, default=None) -> None:
    """``data`` as JSON, written atomically."""
    from ..io import atomic_write

    with atomic_write(path) as fh:
        json.dump(data, fh, indent=indent, ensure_ascii=ensure_ascii, default=default)
        fh.write("\n")
