#!/usr/bin/env python3
"""Quality cost of sharded eflomal with priors, on Europarl-NER en→de / en→es (issue 16).

The corpus is every en–X bitext in ../shared/data (as in europarl_projection.py:
DeepL translations of English CoNLL-2003, Tatoeba, and for de Multi30K and the
OpenNMT WMT sample) with the 799 Europarl-NER test pairs appended at the end. It is
aligned with the default aligner (eflomal+lexical: two eflomal runs voted, plus
lexical links) in two ways:

  one run:  a single shard over everything (what `projner project` did before),
  sharded:  ``--shards`` shards (the test pairs in the last one); eflomal priors
            learnt once from a fixed-seed sample of ``--sample`` pairs (default: the
            command line's default, 50,000, capped at the corpus; ``half`` = half a
            shard, a harder setting), each shard aligned
            on its own with them and the iterations eflomal would pick for the
            whole corpus (`projner.pipelines_scale.align_sharded`).

The 799 test pairs' links are then projected with ILP (refinement fitted on the 799
pairs, as in docs/benchmarks.md) and scored against the target gold. eflomal
samples randomly (runs differ by up to ~0.01 F1), so each arm runs ``--repeats``
times, alternating, and the mean and spread are printed.

    python benchmarks/sharded_eflomal.py [--langs de es] [--shards 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from projner.config import ProjectionConfig
from projner.io import read_bitext, read_conll
from projner.pipelines import benchmark_projection
from projner.pipelines_scale import align_sharded
from projner.types import Sentence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from europarl_projection import extra_bitext  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def corpus_for(data: Path, lang: str):
    ep = data / "europarl_ner"
    src = list(read_conll(ep / "en-europarl.test.conll02"))
    tgt = list(read_conll(ep / f"{lang}-europarl.test.conll02"))
    bs, bt = [], []
    for s_path, t_path in extra_bitext(data, lang):
        s, t = read_bitext(s_path, t_path)
        bs.extend(Sentence(x) for x in s)
        bt.extend(Sentence(x) for x in t)
    all_src = bs + [s.with_spans(()) for s in src]
    all_tgt = bt + [t.with_spans(()) for t in tgt]
    return src, tgt, all_src, all_tgt


def run_arm(all_src, all_tgt, shard_size: int, sample_size: int, n_test: int) -> tuple[list, float, dict]:
    cfg = ProjectionConfig()
    st: dict = {}
    t0 = time.perf_counter()
    aligns = list(align_sharded(lambda: (iter(all_src), iter(all_tgt)), cfg, shard_size=shard_size,
                                sample_size=sample_size, stats=st))
    return aligns[-n_test:], time.perf_counter() - t0, st


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--langs", nargs="+", default=["de", "es"])
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sample", default="50000", help="priors sample: a number of pairs, or 'half' (half a shard)")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "out" / "sharded_eflomal.json"))
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "europarl_ner").exists():
        print(f"no Europarl-NER data in {data}", file=sys.stderr)
        return 2
    results = []
    for lang in args.langs:
        src, tgt, all_src, all_tgt = corpus_for(data, lang)
        n = len(all_src)
        shard = -(-n // args.shards)
        sample = shard // 2 if args.sample == "half" else min(int(args.sample), n)
        print(f"{lang}: {n} pairs ({n - len(src)} bitext + {len(src)} test), {args.shards} shards of {shard}, "
              f"priors sample {sample}", flush=True)
        arms = {"one run": (n, 1), "sharded": (shard, sample)}
        scores: dict[str, list[float]] = {a: [] for a in arms}
        for rep in range(args.repeats):
            for arm, (size, sample) in arms.items():
                aligns, secs, st = run_arm(all_src, all_tgt, size, sample, len(src))
                report, _ = benchmark_projection(src, tgt, ProjectionConfig(), aligns)
                f1 = report.overall.f1
                scores[arm].append(f1)
                print(f"  {lang} {arm:8s} repeat {rep + 1}: F1 {f1:.4f}  align {secs:.0f}s  shards {st['shards']} "
                      f"priors {st['priors']}", flush=True)
        row = {"lang": lang, "pairs": n, "shards": args.shards, "shard_size": shard, "sample": sample,
               **{f"{a}_f1": v for a, v in scores.items()}}
        m1, m2 = statistics.mean(scores["one run"]), statistics.mean(scores["sharded"])
        print(f"{lang}: one run {m1:.4f} (min {min(scores['one run']):.4f} max {max(scores['one run']):.4f}) | "
              f"sharded {m2:.4f} (min {min(scores['sharded']):.4f} max {max(scores['sharded']):.4f}) | "
              f"difference {m2 - m1:+.4f}", flush=True)
        results.append(row)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
