"""``projner report``: several runs in one Markdown + HTML report with plots."""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer


def report(
    runs: List[Path] = typer.Argument(..., help="Runs: JSON results (benchmark-projection/evaluate/translate-* --json), run folders, or folders of JSON results."),
    output: Path = typer.Option(..., "--output", "-o", help="Report folder: report.md, report.html, plots as PNG and SVG."),
    title: str = typer.Option("projner report", "--title", help="Report title."),
) -> None:
    """Collect the metrics of several runs into one Markdown + HTML report with plots
    (F1 per language and method, precision/recall, projection ratio, time)."""
    from ..errors import InputError
    from ..report import collect_runs, write_report

    if output.exists() and not output.is_dir():
        raise InputError("the report output is a folder, but this is a file", output)
    from ..io.outputs import check_outputs

    check_outputs({"RUNS": list(runs)}, {"-o (report.md)": output / "report.md", "-o (report.html)": output / "report.html"})
    found = collect_runs(runs)
    files = write_report(found, output, title)
    typer.echo(f"{len(found)} runs → {files[0]}, {files[1]} and {len(files) - 2} plot files", err=True)
