#!/usr/bin/env python3
"""Ray engine throughput on a projection-bound job (issue 16).

Synthetic pairs with precomputed alignments (benchmarks/memory_stream.py's
generator: 5-30 tokens, an entity every few words, near-diagonal links) are
written as source CoNLL, target text and talp links, then projected with ILP:

  one process:  `projner project SRC TGT --alignment LINKS -o OUT -m ilp` (streaming),
                run in this process (projner imported once, as for the Ray driver)
  ray, N nodes: the same through `--engine ray` on a local ray.cluster_utils.Cluster
                of N nodes with 1 CPU each (split + distributed projection + merge;
                the cluster's start-up is not counted)

each ``--repeats`` times after one untimed warm-up run (the first run pays for
imports in this process and for starting Ray's worker processes, like the cluster's
start-up), one arm after the other, and prints pairs/s of every run, the ratio of
the medians and whether all outputs are byte-identical.

    python benchmarks/ray_throughput.py [--pairs 20000] [--nodes 2] [--shard-size 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def write_corpus(d: Path, n: int) -> tuple[Path, Path, Path]:
    from memory_stream import synthetic_pairs

    from projner.io import write_sentences
    from projner.io.talp import format_talp

    src, tgt, links = d / "src.conll", d / "tgt.txt", d / "links.talp"
    pairs = list(synthetic_pairs(n))
    write_sentences(src, (p.source for p in pairs))
    tgt.write_text("".join(" ".join(p.target.tokens) + "\n" for p in pairs), encoding="utf-8")
    links.write_text("".join(format_talp(p.alignment) + "\n" for p in pairs), encoding="utf-8")
    return src, tgt, links


def _timed(cli, args: list[str]) -> float:
    t0 = time.perf_counter()
    if cli(args) != 0:
        raise SystemExit(f"projner {' '.join(args)} failed")
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=20_000)
    ap.add_argument("--nodes", type=int, default=2)
    ap.add_argument("--shard-size", type=int, default=2_000)
    ap.add_argument("--repeats", type=int, default=3, help="runs per arm (the median is compared)")
    args = ap.parse_args()
    from projner.cli import main as cli

    with tempfile.TemporaryDirectory(prefix="projner-ray-bench-") as tmp:
        d = Path(tmp)
        src, tgt, links = write_corpus(d, args.pairs)
        common = ["project", str(src), str(tgt), "--alignment", str(links), "-m", "ilp", "--target-format", "text"]
        one = []
        for k in range(args.repeats + 1):  # in this process, like the Ray driver below (no interpreter start-up)
            one.append(_timed(cli, [*common, "-o", str(d / f"one{k}.conll")]))
            print(f"one process, {'warm-up' if not k else f'run {k}'}: {args.pairs:,} pairs in {one[-1]:.1f}s = "
                  f"{args.pairs / one[-1]:,.0f} pairs/s (load {os.getloadavg()[0]:.1f})", flush=True)

        import ray
        from ray.cluster_utils import Cluster

        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
        for _ in range(args.nodes - 1):
            cluster.add_node(num_cpus=1)
        ray.init(address=cluster.address, log_to_driver=False, logging_level="ERROR")
        two = []
        try:
            for k in range(args.repeats + 1):  # a new output (and shard folder) each time: nothing resumed
                two.append(_timed(cli, [*common, "-o", str(d / f"ray{k}.conll"), "--engine", "ray",
                                        "--shard-size", str(args.shard_size)]))
                print(f"ray, {args.nodes} nodes x 1 CPU, {'warm-up' if not k else f'run {k}'}: {args.pairs:,} pairs "
                      f"in {two[-1]:.1f}s = {args.pairs / two[-1]:,.0f} pairs/s (load {os.getloadavg()[0]:.1f})",
                      flush=True)
        finally:
            ray.shutdown()
            cluster.shutdown()
        ref = (d / "one0.conll").read_bytes()
        same = all((d / f"{arm}{k}.conll").read_bytes() == ref for arm in ("one", "ray")
                   for k in range(args.repeats + 1))
        m1, m2 = statistics.median(one[1:]), statistics.median(two[1:])
        print(f"median of {args.repeats}: one process {args.pairs / m1:,.0f} pairs/s, ray {args.pairs / m2:,.0f} "
              f"pairs/s = {m1 / m2:.2f}x (all outputs byte-identical: {same})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
