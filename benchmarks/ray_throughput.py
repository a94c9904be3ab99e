#!/usr/bin/env python3
"""Ray engine throughput on a projection-bound job (issue 16).

Synthetic pairs with precomputed alignments (benchmarks/memory_stream.py's
generator: 5-30 tokens, an entity every few words, near-diagonal links) are
written as source CoNLL, target text and talp links, then projected with ILP:

  one process:  `projner project SRC TGT --alignment LINKS -o OUT -m ilp` (streaming)
  ray, N nodes: the same through `--engine ray` on a local ray.cluster_utils.Cluster
                of N nodes with 1 CPU each (split + distributed projection + merge;
                the cluster's start-up is not counted)

and prints pairs/s of each and whether the outputs are byte-identical.

    python benchmarks/ray_throughput.py [--pairs 20000] [--nodes 2] [--shard-size 2000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=20_000)
    ap.add_argument("--nodes", type=int, default=2)
    ap.add_argument("--shard-size", type=int, default=2_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="projner-ray-bench-") as tmp:
        d = Path(tmp)
        src, tgt, links = write_corpus(d, args.pairs)
        common = [str(src), str(tgt), "--alignment", str(links), "-m", "ilp", "--target-format", "text"]
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "projner.cli", "project", *common, "-o", str(d / "one.conll")],
                       check=True, capture_output=True)
        one = time.perf_counter() - t0
        print(f"one process: {args.pairs:,} pairs in {one:.1f}s = {args.pairs / one:,.0f} pairs/s "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)

        import ray
        from ray.cluster_utils import Cluster

        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
        for _ in range(args.nodes - 1):
            cluster.add_node(num_cpus=1)
        ray.init(address=cluster.address, log_to_driver=False, logging_level="ERROR")
        try:
            from projner.cli import main as cli

            t0 = time.perf_counter()
            code = cli(["project", *common, "-o", str(d / "ray.conll"), "--engine", "ray",
                        "--shard-size", str(args.shard_size)])
            two = time.perf_counter() - t0
        finally:
            ray.shutdown()
            cluster.shutdown()
        same = code == 0 and (d / "one.conll").read_bytes() == (d / "ray.conll").read_bytes()
        print(f"ray, {args.nodes} nodes x 1 CPU: {args.pairs:,} pairs in {two:.1f}s = {args.pairs / two:,.0f} pairs/s "
              f"({one / two:.2f}x one process; byte-identical: {same}) (load {os.getloadavg()[0]:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
