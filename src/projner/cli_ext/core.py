"""Core commands: project, align, evaluate, benchmark-projection, example."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
