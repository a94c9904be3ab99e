"""``projner example``: the small English→German example shipped with the package."""

from __future__ import annotations

import time

from .common import print_report
from .options import Aligner, Method


def example(method: Method = None, aligner: Aligner = None) -> None:
    """Run projner on a small English→German example shipped with the package."""
    from importlib.resources import files

    from rich.console import Console

    from ..config import load_config
    from ..evaluate import evaluate as run_eval
    from ..io import read_conll
    from ..pipelines import project_corpus

    data = files("projner") / "data"
    src = list(read_conll(data / "example.en.conll"))
    gold = list(read_conll(data / "example.de.conll"))
    bitext = [(str(data / "example.bitext.en.txt"), str(data / "example.bitext.de.txt"))]
    cfg = load_config(None, {"method": method, "aligner": aligner, "bitext": bitext})
    t0 = time.perf_counter()
    targets = [g.with_spans(()) for g in gold]
    projected, _ = project_corpus(src, targets, cfg)
    seconds = time.perf_counter() - t0
    con = Console(highlight=False)
    for s, p in zip(src, projected):
        con.print(render(s))
        con.print("  → " + render(p, scores=True))
    report = run_eval(gold, projected, source=[s.spans for s in src])
    print_report(report, title=f"example en→de · {cfg.aligner} · {cfg.method} · {seconds:.1f}s")


def render(sentence, scores: bool = False) -> str:
    """A sentence as rich markup: entities in brackets with their label (and score)."""
    from rich.markup import escape

    parts = []
    starts = {s.start: s for s in sentence.spans}
    i = 0
    while i < len(sentence.tokens):
        if i in starts:
            s = starts[i]
            sc = f" {s.score:.2f}" if scores and s.score is not None else ""
            parts.append(f"[bold]{escape('[' + ' '.join(sentence.tokens[s.start:s.end]) + ']')}[/bold]"
                         f"[cyan]{s.label}{sc}[/cyan]")
            i = s.end
        else:
            parts.append(escape(sentence.tokens[i]))
            i += 1
    return " ".join(parts)
