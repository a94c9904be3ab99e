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


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_by_process() -> dict[str, float]:
    """CPU seconds (user + system) of every process but this one, by name (``comm``)."""
    out: dict[str, float] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmd = ""
        if name.startswith("python") and ("/ray/" in cmd or "ray/" in cmd):
            name = "ray-python"  # dashboard / runtime-env agents, log monitor
        fields = raw[raw.rindex(")") + 2:].split()
        out[f"{d}:{name}"] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def _cpu_report(before: dict[str, float], after: dict[str, float], driver: float, wall: float) -> str:
    """Where the CPU went during one run: this process (the driver), Ray's shard workers, Ray's own processes."""
    groups: dict[str, float] = {"driver": driver}
    for key, cpu in after.items():
        delta = cpu - before.get(key, 0.0)
        if delta <= 0:
            continue
        name = key.split(":", 1)[1]
        group = ("shard workers" if name.startswith("ray::") else
                 "Ray system (raylet, GCS, agents)" if any(k in name for k in ("raylet", "gcs", "ray"))
                 else "other processes")
        groups[group] = groups.get(group, 0.0) + delta
    parts = ", ".join(f"{k} {v:.1f}" for k, v in groups.items())
    return f"CPU seconds over {wall:.1f}s wall (2 cores = {2 * wall:.1f}): {parts}"


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
                before, self0 = _cpu_by_process(), time.process_time()
                two.append(_timed(cli, [*common, "-o", str(d / f"ray{k}.conll"), "--engine", "ray",
                                        "--shard-size", str(args.shard_size)]))
                cpu = _cpu_report(before, _cpu_by_process(), time.process_time() - self0, two[-1])
                print(f"ray, {args.nodes} nodes x 1 CPU, {'warm-up' if not k else f'run {k}'}: {args.pairs:,} pairs "
                      f"in {two[-1]:.1f}s = {args.pairs / two[-1]:,.0f} pairs/s (load {os.getloadavg()[0]:.1f}); {cpu}",
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
