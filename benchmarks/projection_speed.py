#!/usr/bin/env python3
"""Projection speed with precomputed alignments (no aligner time).

Takes Europarl-NER en→LANG, aligns once with the lexical aligner (fast) or reads
a talp file, repeats the 799 pairs --repeat times, and prints pairs/s for every
projection method.

    python benchmarks/projection_speed.py [--data DIR] [--lang de] [--repeat 10] [--alignment FILE.talp]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from projner.align import LexicalAligner
from projner.io import read_conll, read_talp
from projner.project import METHODS, build_projector

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--lang", default="de")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--alignment", help="talp file with the en→LANG links (default: lexical aligner)")
    args = ap.parse_args()
    ep = Path(args.data) / "europarl_ner"
    src = list(read_conll(ep / "en-europarl.test.conll02"))
    tgt = [t.with_spans(()) for t in read_conll(ep / f"{args.lang}-europarl.test.conll02")]
    if args.alignment:
        aligns = list(read_talp(args.alignment))
    else:
        aligns = LexicalAligner().align([s.tokens for s in src], [t.tokens for t in tgt])
    for method in METHODS:
        for refine in (False, True):
            project_speed(method, refine, src, tgt, aligns, args.repeat)
    return 0


def project_speed(method, refine, src, tgt, aligns, repeat) -> None:
    n = len(src) * repeat
    proj = build_projector(method, refine=refine)
    if refine:
        proj.fit(src, tgt)  # learnt once per corpus, outside the timing
    t0 = time.perf_counter()
    count = 0
    for _ in range(repeat):
        for s, t, a in zip(src, tgt, aligns):
            count += len(proj(s, t, a).spans)
    dt = time.perf_counter() - t0
    print(f"{method:9s} refine {'on ' if refine else 'off'} {n} pairs in {dt:.2f}s = {n / dt:,.0f} pairs/s "
          f"({count} entities projected)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
