#!/usr/bin/env python3
"""How fast a large `projner show` page opens (issue 15; a benchmark, not a test).

Projects the Europarl-NER English gold onto the German sentences (lexical links,
so it is quick), repeats the 799 pairs to --pairs (20,000), writes the page with
gold marks, and opens it in headless Chromium several times. Prints the file size
and the time until the first page of cards is in the DOM with its links drawn
(``performance.now()`` at the end of the page's first render: navigation, HTML
parsing, JSON.parse, filtering and rendering included), and the browser's wall time.

    python benchmarks/show_render.py [--data DIR] [--pairs 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from projner.config import load_config
from projner.io import read_conll
from projner.pipelines import project_corpus
from projner.show import write_view
from projner.show.browser import run_chromium

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("PROJNER_DATA", ROOT.parent / "shared" / "data")))
    ap.add_argument("--pairs", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    d = args.data / "europarl_ner"
    src = list(read_conll(d / "en-europarl.test.conll02"))
    gold = list(read_conll(d / "de-europarl.test.conll02"))
    proj, aligns = project_corpus(src, [g.with_spans(()) for g in gold], load_config(None, {"aligner": "lexical"}))
    reps = -(-args.pairs // len(src))
    S, T, A, G = ((x * reps)[: args.pairs] for x in (src, proj, aligns, gold))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "view.html"
        t0 = time.perf_counter()
        write_view(page, S, T, A, G, title="benchmark")
        print(f"{args.pairs} pairs: wrote {page.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f}s")
        ready, wall = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            dom, console = run_chromium(page.as_uri(), dump_dom=True)
            wall.append(time.perf_counter() - t0)
            m = re.search(r'data-ready="(\d+)"', dom)
            if m is None or console:
                print("page did not finish rendering:", console[:3])
                return 1
            ready.append(int(m.group(1)) / 1000)
            cards = len(re.findall(r'<div class="pair', dom))
        print(f"first page ({cards} cards, links drawn) ready after {statistics.median(ready):.2f}s "
              f"(median of {args.runs}; runs {', '.join(f'{r:.2f}' for r in ready)}); "
              f"browser wall time incl. start-up {statistics.median(wall):.2f}s")
        print("load:", os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
