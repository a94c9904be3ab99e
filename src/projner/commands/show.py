"""``projner show``: a self-contained HTML view of a projected corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError

SCHEME_HELP = "Tag scheme of labelled input: iob2 (default, strict), iob1, bioes, io, auto."
REPAIR_HELP = "Read tags that break the scheme as seqeval does (a stray I-X as B-X) and report how many."


def _read(path: Path, fmt: str, scheme: str, repair: bool) -> list:
    from ..io import read_sentences

    out = list(read_sentences(path, fmt, labels=True, scheme=scheme, repair=repair))
    if not out:
        raise InputError("no sentences in this file", path)
    return out


def _alignments(path: Optional[Path], targets: list) -> list | None:
    """Links from a talp file, or from the JSONL targets' ``alignment`` keys, or none."""
    from ..io import read_talp
    from ..types import Alignment

    if path is not None:
        return list(read_talp(path))
    if not any("alignment" in t.meta for t in targets):
        return None
    out = []
    for t in targets:
        raw = t.meta.get("alignment", [])
        try:
            if isinstance(raw, str):
                from ..io import parse_talp_line

                out.append(parse_talp_line(raw, t.meta.get("path"), t.meta.get("line")))
            else:
                out.append(Alignment([tuple(x) for x in raw]))
        except (TypeError, ValueError) as exc:
            raise InputError(f"bad 'alignment': {exc}", t.meta.get("path"), t.meta.get("line")) from None
    return out


def show(
    source: Path = typer.Argument(..., help="Labelled source sentences (CoNLL, JSONL, HF datasets, .spacy)."),
    target: Path = typer.Argument(..., help="Projected target sentences, line-parallel (JSONL keeps scores)."),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    alignment: Optional[Path] = typer.Option(None, "--alignment", help="The links used (talp/Pharaoh); JSONL targets may carry them in an 'alignment' key."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Target gold: mark agreements and disagreements."),
    title: Optional[str] = typer.Option(None, "--title", help="Page title (default: the target file name)."),
    source_format: str = typer.Option("auto", "--source-format", help="auto, conll, jsonl, hf, parquet, spacy."),
    target_format: str = typer.Option("auto", "--target-format", help="auto, conll, jsonl, hf, parquet, spacy."),
    scheme: str = typer.Option("iob2", "--scheme", help=SCHEME_HELP),
    repair_tags: bool = typer.Option(False, "--repair-tags", help=REPAIR_HELP),
) -> None:
    """Write one self-contained HTML page showing the projected corpus: entities, links, scores, errors."""
    from ..io import check_writable
    from ..show import write_view

    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError("projner show writes HTML: name the output .html", output)
    from ..io.outputs import check_outputs

    check_outputs({"SOURCE": source, "TARGET": target, "--alignment": alignment, "--gold": gold}, {"-o": output})
    check_writable(output)
    sources = _read(source, source_format, scheme, repair_tags)
    targets = _read(target, target_format, scheme, repair_tags)
    golds = _read(gold, "auto", scheme, repair_tags) if gold else None
    aligns = _alignments(alignment, targets)
    data = write_view(output, sources, targets, aligns, golds, title=title or target.name)
    n = len(data["pairs"])
    extra = ""
    if golds is not None:
        c = data["counts"]
        extra = ", " + ", ".join(f"{c.get(k, 0)} {k}" for k in ("missed", "spurious", "type", "boundary"))
    typer.echo(f"{n} pairs{extra} → {output}", err=True)
