#!/usr/bin/env python3
"""Scale benchmark (issue 16): `projner project`, default configuration, on 10k / 100k / 1M pairs.

Corpus: the Hansards en–fr bitext in ../shared/data/parallel_text (first 100,000
pairs of the 36th Parliament, tokenised). Sizes above 100,000 **replicate** it
(1M = the 100k pairs ten times). English entity labels come from a
**capitalised-word heuristic** (not a trained tagger): a maximal run of tokens
starting with an upper-case letter (a single capitalised word at the start of a
sentence does not count) is an entity; its label is one of PER/ORG/LOC/MISC by a
CRC32 of its words. Source: CoNLL; target: whitespace-tokenised French text.

Each size runs the same code as `projner project SRC TGT -o OUT` without
--alignment (`pipelines_scale.project_sharded` + the CoNLL writer): eflomal+lexical,
two eflomal runs voted, ILP projection with refinement, shards of 100,000 pairs
with eflomal priors learnt once from a 50,000-pair sample when the corpus is
larger than one shard; with more than one shard the alignment runs in a background
thread, one shard ahead of the projection (the pipelined run of
`pipelines_scale.project_sharded`). Printed per stage: seconds and peak resident memory
(this process plus its eflomal child processes, sampled every 0.2 s):
setup (building the projector and aligner: imports), read (both passes over the
files), priors, align, project, write (the CoNLL writer's time); the stages are the
main thread's wall time (they add up to the total), so in a pipelined run priors and
align are what the main thread waited for; the worker thread's busy seconds are
printed after them.

    python benchmarks/scale.py [--sizes 10000 100000] [--workdir /tmp/projner-scale]
    python benchmarks/scale.py --extrapolate 100000   # estimate 1M from a measured size
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("PER", "ORG", "LOC", "MISC")
PAGE = os.sysconf("SC_PAGE_SIZE")


def tag(tokens: list[str]) -> list[str]:
    tags = ["O"] * len(tokens)
    i = 0
    while i < len(tokens):
        if tokens[i][:1].isupper() and any(c.isalpha() for c in tokens[i]):
            j = i + 1
            while j < len(tokens) and tokens[j][:1].isupper():
                j += 1
            if i > 0 or j - i > 1:
                lab = LABELS[zlib.crc32(" ".join(tokens[i:j]).encode()) % 4]
                tags[i:j] = [f"B-{lab}"] + [f"I-{lab}"] * (j - i - 1)
            i = j
        else:
            i += 1
    return tags


def build(data: Path, n: int, out: Path) -> tuple[Path, Path]:
    src, tgt = out / f"en.{n}.conll", out / f"fr.{n}.txt"
    if src.exists() and tgt.exists():
        return src, tgt
    h = data / "parallel_text" / "hansards_enfr_train_subset"
    with gzip.open(h / "hansards36.train.first100k.en.gz", "rt", encoding="utf-8") as fe, \
            gzip.open(h / "hansards36.train.first100k.fr.gz", "rt", encoding="utf-8") as ff:
        pairs = [(e.split(), f.split()) for e, f in zip(fe, ff)]
    pairs = [(e, f) for e, f in pairs if e and f]
    out.mkdir(parents=True, exist_ok=True)
    with open(src.with_suffix(".tmp"), "w", encoding="utf-8") as fs, open(tgt.with_suffix(".tmp"), "w",
                                                                         encoding="utf-8") as ft:
        for k in range(n):
            e, f = pairs[k % len(pairs)]
            fs.write("".join(f"{w}\t{t}\n" for w, t in zip(e, tag(e))) + "\n")
            ft.write(" ".join(f) + "\n")
    os.replace(src.with_suffix(".tmp"), src)
    os.replace(tgt.with_suffix(".tmp"), tgt)
    return src, tgt


def _rss_tree(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


def run(src: Path, tgt: Path, out: Path) -> dict:
    from projner.config import load_config
    from projner.io import read_sentences, write_sentences
    from projner.pipelines_scale import project_sharded

    cfg = load_config(None, {})
    st: dict = {"stage": "read"}
    peaks: dict[str, int] = {}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            stage = st.get("stage", "read")
            peaks[stage] = max(peaks.get(stage, 0), _rss_tree(os.getpid()))
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t0 = time.perf_counter()
    stream = project_sharded(lambda: (read_sentences(src, "conll"), read_sentences(tgt, "text", labels=False)),
                             cfg, stats=st, paths=(src, tgt))
    write_sentences(out, stream, "conll")
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    secs = dict(st["seconds"])
    return {"pairs": st["pairs"], "shards": st["shards"], "priors": st["priors"], "entities": st["source_entities"],
            "pipelined": st["pipelined"], "worker_seconds": dict(st["worker"]),
            "projected": st["projected"], "wall": wall, "seconds": secs,
            "peak_mb": {k: round(v / 2**20) for k, v in peaks.items() if k != "done"},
            "load": os.getloadavg()}


def extrapolate(m: dict, target: int = 1_000_000) -> dict:
    """1M from a measured single-shard size: linear stages scale with pairs; eflomal's
    cost is pairs x iterations, and 1M runs 10 shards with the iterations eflomal picks
    for 1M, plus one priors run on a 50k sample at that sample's own iterations."""
    from projner.align.sharded import corpus_iterations

    n = m["pairs"]
    f = target / n
    it = lambda k: sum(corpus_iterations(k))  # noqa: E731
    secs = {k: v * f for k, v in m["seconds"].items() if k in ("read", "project", "write")}
    secs["setup"] = m["seconds"].get("setup", 0.0)
    secs["align"] = m["seconds"]["align"] * f * it(target) / it(n)
    secs["priors"] = m["seconds"]["align"] / 2 * (50_000 / n) * it(50_000) / it(n)  # one run, not two
    return {"pairs": target, "seconds": secs, "wall": sum(secs.values()), "from": n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--workdir", default="/tmp/projner-scale")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "out" / "scale.json"))
    ap.add_argument("--extrapolate", type=int, help="also estimate 1M pairs from this measured size")
    args = ap.parse_args()
    data, work = Path(args.data), Path(args.workdir)
    if not (data / "parallel_text" / "hansards_enfr_train_subset").exists():
        print(f"no Hansards bitext under {data}/parallel_text", file=sys.stderr)
        return 2
    rows = json.loads(Path(args.json).read_text()) if Path(args.json).exists() else []
    for n in args.sizes:
        src, tgt = build(data, n, work)
        r = run(src, tgt, work / f"out.{n}.conll")
        rows = [x for x in rows if x.get("pairs") != n or x.get("estimate")] + [r]
        s = r["seconds"]
        print(f"{n:>9,} pairs: {r['wall']:7.1f}s total | setup {s['setup']:.1f}s  read {s['read']:.1f}s  priors {s['priors']:.1f}s  "
              f"align {s['align']:.1f}s  project {s['project']:.1f}s  write {s['write']:.1f}s | "
              f"peak MB {r['peak_mb']} | {r['shards']} shard(s), priors {r['priors']}"
              + (" | pipelined, worker busy: priors {priors:.1f}s align {align:.1f}s".format(**r["worker_seconds"])
                 if r["pipelined"] else "") + " | "
              f"{r['projected']:,}/{r['entities']:,} entities | load {r['load'][0]:.1f}", flush=True)
    if args.extrapolate:
        m = next(x for x in rows if x["pairs"] == args.extrapolate and not x.get("estimate"))
        e = extrapolate(m)
        s = e["seconds"]
        print(f"ESTIMATE (extrapolated from {m['pairs']:,} measured pairs, not run): 1,000,000 pairs "
              f"{e['wall'] / 60:.1f} min | read {s['read']:.0f}s  priors {s['priors']:.0f}s  align {s['align']:.0f}s  "
              f"project {s['project']:.0f}s  write {s['write']:.0f}s", flush=True)
        rows.append({**e, "estimate": True})
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
