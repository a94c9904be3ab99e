"""Replace a marked block of a Markdown file: the ``--write-docs`` of the benchmarks."""

from __future__ import annotations

from pathlib import Path


def replace_block(doc: Path, name: str, block: str, title: str = "Benchmarks") -> None:
    """Put ``block`` between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in ``doc``
    (the markers are appended when missing; a missing file gets ``# TITLE``)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"# {title}\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{start}\n{block}\n{end}{tail}", encoding="utf-8")
