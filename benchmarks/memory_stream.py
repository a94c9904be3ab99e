"""Streaming projection at scale: peak memory and throughput.

Projects N synthetic sentence pairs with precomputed alignments (talp lines,
parsed as a reader would) through the streaming path: a generator of pairs →
``projner.pipelines.project_pairs`` → ``projner.io.write_conll`` (atomic,
streamed to disk). Prints resident memory (current and peak, from /proc and
``resource.getrusage``) and throughput at 10k, 100k and every checkpoint up to N,
then whether memory grew by at most 10% between 100k and N pairs.

    python benchmarks/memory_stream.py                      # 1,000,000 pairs, heuristic
    python benchmarks/memory_stream.py -n 200000 --method ilp
    python benchmarks/memory_stream.py --checkpoints 100000,1000000 --out /tmp/proj.conll

No network, no data files: the corpus is generated from a fixed seed.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from projner.io import parse_talp_line, write_conll
from projner.pipelines import project_pairs
from projner.project import build_projector
from projner.types import Pair, Sentence, Span

VOCAB = ["the", "of", "and", "in", "Paris", "Berlin", "Obama", "Merkel", "European", "Union", "Parliament",
         "Müller", "東京", "😀", "said", "visited", "met", ",", "."]
LABELS = ["PER", "LOC", "ORG", "MISC"]


def synthetic_pairs(n: int, seed: int = 0):
    """Yield ``n`` pairs lazily; alignments go through the talp parser."""
    rng = np.random.default_rng(seed)
    block = 1000
    for start in range(0, n, block):
        m = min(block, n - start)
        lens = rng.integers(5, 30, size=m)
        for k in range(m):
            ns = int(lens[k])
            nt = max(1, ns + int(rng.integers(-3, 4)))
            src = [VOCAB[i] for i in rng.integers(0, len(VOCAB), ns)]
            tgt = [VOCAB[i] for i in rng.integers(0, len(VOCAB), nt)]
            spans, i = [], int(rng.integers(0, 4))
            while i < ns - 1:
                j = min(ns, i + int(rng.integers(1, 4)))
                spans.append(Span(i, j, LABELS[int(rng.integers(0, len(LABELS)))]))
                i = j + int(rng.integers(1, 6))
            diag = np.minimum(np.arange(ns) * nt // ns + rng.integers(-1, 2, ns), nt - 1).clip(0)
            talp = " ".join(f"{a}-{b}" for a, b in zip(range(ns), diag.tolist()) if rng.random() < 0.9)
            yield Pair(Sentence(src, spans), Sentence(tgt), parse_talp_line(talp))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000, help="number of pairs (default 1,000,000)")
    ap.add_argument("--method", default="heuristic", help="heuristic | greedy | bipartite | ilp")
    ap.add_argument("--checkpoints", default="10000,100000,250000,500000,1000000")
    ap.add_argument("--out", help="output CoNLL file (default: a temporary file, removed afterwards)")
    args = ap.parse_args(argv)
    checkpoints = sorted({c for c in map(int, args.checkpoints.split(",")) if c <= args.n} | {args.n})
    projector = build_projector(args.method)
    tmpdir = None
    if args.out:
        out = Path(args.out)
    else:
        tmpdir = tempfile.TemporaryDirectory(prefix="projner-mem-")
        out = Path(tmpdir.name) / "projected.conll"
    seen = {"n": 0, "entities": 0}
    rows = []
    t0 = time.perf_counter()
    base = rss_mb()
    print(f"projecting {args.n:,} synthetic pairs ({args.method}) → {out}")
    print(f"start: rss {base:.0f} MB")
    print(f"{'pairs':>10} {'rss MB':>8} {'peak MB':>8} {'pairs/s':>9} {'elapsed s':>9}")

    def counted(stream):
        for sent in stream:
            seen["n"] += 1
            seen["entities"] += len(sent.spans)
            yield sent
            if seen["n"] in checkpoints:
                el = time.perf_counter() - t0
                rows.append((seen["n"], rss_mb(), peak_mb(), seen["n"] / el, el))
                print(f"{seen['n']:>10,} {rows[-1][1]:>8.0f} {rows[-1][2]:>8.0f} {rows[-1][3]:>9.0f} {el:>9.1f}", flush=True)

    written = write_conll(out, counted(project_pairs(synthetic_pairs(args.n), projector)))
    size = out.stat().st_size
    if tmpdir is not None:
        tmpdir.cleanup()
    assert written == args.n
    print(f"wrote {written:,} sentences, {seen['entities']:,} entities, {size / 2**20:.0f} MB")
    by_n = {r[0]: r for r in rows}
    if 100_000 in by_n and args.n > 100_000:
        a, b = by_n[100_000], by_n[args.n]
        growth = (b[2] - a[2]) / a[2] * 100
        print(f"peak RSS at 100k: {a[2]:.0f} MB, at {args.n:,}: {b[2]:.0f} MB, growth {growth:+.1f}% "
              f"({'OK' if growth <= 10 else 'FAIL'}: limit +10%); under 1 GB: {'OK' if b[2] < 1024 else 'FAIL'}")
        return 0 if growth <= 10 and b[2] < 1024 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
