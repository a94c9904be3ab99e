#!/usr/bin/env python3
"""Word-alignment quality of every aligner on the human gold sets (issue 3).

Gold: ../shared/data/word_alignment_gold/awesome_align_examples/{enfr,roen,jaen,zhen}
(``SRC ||| TGT`` text, 1-indexed talp gold with possible links; enfr = Hansards
WPT-2003 test, 447 pairs, 4,038 sure + 13,400 possible links).

Aligners: eflomal (grow-diag-final-and; for en-fr with the first N pairs of the
Hansards training bitext in ../shared/data/parallel_text), lexical, the
embedding aligner with every extraction method (one embedding pass shared by all
of them), and the ensembles (weighted vote, neural filter/rescue). Prints AER,
precision, recall, F1, and the embedding aligner's throughput in sentence pairs/s
(embedding pass with an empty cache + extraction).

    python benchmarks/alignment_gold.py --encoder /work/cache/e5-small [--data DIR]
        [--pairs enfr roen jaen zhen] [--layer 6 7] [--hansards-bitext 100000] [--json out.json]

No network; the encoder is a local folder (see ../shared/tools/e5_small_offline.py).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from projner.align import EflomalAligner, LexicalAligner
from projner.align.combine import augment
from projner.align.embedding import EmbeddingAligner
from projner.align.ensemble import rescue, vote
from projner.align.evaluation import score_alignments
from projner.io import bitext_sources
from projner.io.talp import read_talp


def load_pair(folder: Path, name: str):
    src, tgt = [], []
    for line in open(folder / f"{name}.src-tgt", encoding="utf-8"):
        a, _, b = line.rstrip("\n").partition(" ||| ")
        src.append(a.split())
        tgt.append(b.split())
    gold = list(read_talp(folder / f"{name}.gold", one_indexed=True))
    return src, tgt, gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data")))
    ap.add_argument("--encoder", required=True, help="encoder folder or name (e.g. /work/cache/e5-small)")
    ap.add_argument("--layer", type=int, nargs="+", default=[6, 7])
    ap.add_argument("--pairs", nargs="+", default=["enfr", "roen", "jaen", "zhen"])
    ap.add_argument("--hansards-bitext", type=int, default=100_000, help="Hansards training pairs for eflomal on enfr (0 = none)")
    ap.add_argument("--no-eflomal", action="store_true")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--json", help="write all results as JSON")
    args = ap.parse_args()
    data = Path(args.data)
    folder = data / "word_alignment_gold" / "awesome_align_examples"
    results = []

    def report(pair, name, alignments, seconds=None, n=None):
        s = score_alignments(gold, alignments)
        row = {"pair": pair, "aligner": name, "aer": s.aer, "precision": s.precision, "recall": s.recall, "f1": s.f1}
        if seconds is not None:
            row["pairs_per_second"] = n / seconds
        results.append(row)
        speed = f"  {row['pairs_per_second']:7.1f} pairs/s" if seconds is not None else ""
        print(f"{pair:5s} {name:52s} AER {s.aer:.4f}  P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}{speed}", flush=True)

    for pair in args.pairs:
        src, tgt, gold = load_pair(folder, pair)
        n = len(src)
        # neural: one embedding pass, every extraction method
        emb = EmbeddingAligner(args.encoder, layer=args.layer, batch_size=args.batch_size)
        emb.load()
        emb.clear_cache()
        t0, c0 = time.perf_counter(), time.process_time()
        emb.embed(src)
        emb.embed(tgt)
        t_embed, c_embed = time.perf_counter() - t0, time.process_time() - c0
        print(f"{pair:5s} embedding pass: {t_embed:.1f}s wall = {n / t_embed:.1f} pairs/s; {c_embed:.1f} CPU-s = "
              f"{2 * n / c_embed:.1f} pairs/s on 2 idle cores", flush=True)
        neural, secs = {}, {}
        variants = {m: emb.with_method(m) for m in ("argmax", "itermax", "match", "softmax")}
        variants["softmax-cos"] = emb.with_method("softmax", temperature=0.05, threshold=0.3)
        variants["softmax-cos centered+distortion"] = emb.with_method(
            "softmax", temperature=0.05, threshold=0.4, distortion=0.5, center="batch")
        variants["argmax centered+distortion"] = emb.with_method("argmax", distortion=0.5, center="batch")
        for m, al in variants.items():  # vectors are cached: this times extraction only
            t0 = time.perf_counter()
            neural[m] = al.align(src, tgt)
            secs[m] = t_embed + time.perf_counter() - t0
        sims = emb.similarities(src, tgt)
        layer = "+".join(map(str, args.layer))
        for m, r in neural.items():
            report(pair, f"embedding L{layer} {m}", r, secs[m], n)
        lex = LexicalAligner().align(src, tgt)
        report(pair, "lexical", lex)
        members = dict(neural)
        if not args.no_eflomal:
            bitext = []
            if pair == "enfr" and args.hansards_bitext:
                h = data / "parallel_text" / "hansards_enfr_train_subset"
                bitext = [(str(h / "hansards36.train.first100k.en.gz"), str(h / "hansards36.train.first100k.fr.gz"))]
            t0 = time.perf_counter()
            ef = EflomalAligner(bitext=bitext_sources(bitext), bitext_limit=args.hansards_bitext or None).align(src, tgt)
            t_ef = time.perf_counter() - t0
            tag = f" (+{args.hansards_bitext // 1000}k Hansards)" if bitext else " (test pairs only)"
            report(pair, "eflomal gdfa" + tag, ef, t_ef, n)
            report(pair, "eflomal gdfa + lexical", [augment(a, b) for a, b in zip(ef, lex)])
            members["eflomal"] = ef
            for names, th in ((("eflomal", "argmax", "softmax-cos"), 0.6), (("eflomal", "argmax", "itermax"), 0.5),
                              (("eflomal", "argmax", "softmax"), 0.6),
                              (("eflomal", "softmax-cos centered+distortion", "itermax"), 0.5),
                              (("eflomal", "argmax", "itermax", "softmax"), 0.5)):
                out = [vote([members[m][k] for m in names], [1.0] * len(names), th) for k in range(n)]
                report(pair, f"vote {'+'.join(names)} >= {th}", out)
            out = [rescue(ef[k], neural["argmax"][k], sims[k], filter_threshold=0.3, rescue_threshold=None)
                   for k in range(n)]
            report(pair, "eflomal filtered by similarity >= 0.3", out)
        out = [vote([members[m][k] for m in ("argmax", "softmax-cos", "itermax")], [1.0] * 3, 0.6) for k in range(n)]
        report(pair, "vote argmax+softmax-cos+itermax >= 0.6", out)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
