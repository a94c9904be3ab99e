#!/usr/bin/env python3
"""Europarl-NER en→X: what projection refinement adds, part by part.

Aligns the 799 Europarl-NER pairs once per configuration (the default
eflomal+lexical, and with ``--encoder`` the recommended ``configs/neural-vote.yaml``),
then projects with every method and with refinement off, fully on, and on without
each of its parts (function-word trimming, adjective relabelling, bracket
balancing), and prints entity F1 against the target gold.

    python benchmarks/refine_ablation.py [--encoder /path/to/e5-small] [--langs de es] [--seed 1] [--write-docs]

--write-docs regenerates the refine-ablation block in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from projner.config import ProjectionConfig, load_config
from projner.io import read_conll
from projner.pipelines import align_corpus, benchmark_projection

from docblock import replace_block

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "off": False,
    "on (default)": True,
    "no trimming": {"trim_function_words": False},
    "no relabelling": {"adjective_label": None},
    "no brackets": {"balance_brackets": False},
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--encoder", default=None, help="encoder folder: also run configs/neural-vote.yaml")
    ap.add_argument("--langs", nargs="+", default=["de", "es"])
    ap.add_argument("--methods", nargs="+", default=["heuristic", "bipartite", "ilp"])
    ap.add_argument("--seed", type=int, default=None, help="seed eflomal (identical reruns)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    ep = Path(args.data) / "europarl_ner"
    if not ep.exists():
        print(f"no Europarl-NER data in {ep}", file=sys.stderr)
        return 2
    configs = [("eflomal+lexical (default)", ProjectionConfig(seed=args.seed))]
    if args.encoder:
        cfg = load_config(ROOT / "configs" / "neural-vote.yaml", {"encoder": args.encoder, "seed": args.seed})
        configs.append(("neural-vote", cfg))
    src = list(read_conll(ep / "en-europarl.test.conll02"))
    rows = []
    for lang in args.langs:
        gold = list(read_conll(ep / f"{lang}-europarl.test.conll02"))
        targets = [t.with_spans(()) for t in gold]
        for name, cfg in configs:
            t0 = time.perf_counter()
            aligns = align_corpus(src, targets, cfg)
            t_align = time.perf_counter() - t0
            for method in args.methods:
                f1 = {}
                for variant, refine in VARIANTS.items():
                    run = cfg.model_copy(update={"method": method, "projection": {"refine": refine}})
                    report, _ = benchmark_projection(src, gold, run, aligns)
                    f1[variant] = report.overall.f1
                rows.append((lang, name, method, f1))
                print(f"{lang} | {name:26s} | {method:9s} | " + " | ".join(f"{v} {f:.4f}" for v, f in f1.items())
                      + f" | align {t_align:.1f}s", flush=True)
    if args.write_docs:
        write_docs(rows)
    return 0


def write_docs(rows) -> None:
    lines = ["| lang | aligner | method | " + " | ".join(VARIANTS) + " |",
             "|---|---|---|" + "---:|" * len(VARIANTS)]
    for lang, name, method, f1 in rows:
        lines.append(f"| {lang} | {name} | {method} | " + " | ".join(f"{f:.3f}" for f in f1.values()) + " |")
    replace_block(ROOT / "docs" / "benchmarks.md", "refine-ablation", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
