#!/usr/bin/env python3
"""Europarl-NER en→de / en→es projection: aligner × projection method (issue 3).

Projects the English gold onto the human German/Spanish sentences and scores
against their gold (the lead's ``benchmark_projection`` pipeline, same scoring as
``projner benchmark-projection``), for every combination of

  aligner: embedding (ArgMax, IterMax, Match, softmax over cosine), each + lexical;
           eflomal grow-diag-final-and (799 pairs alone, or + extra bitext with
           --extra-bitext); ensembles: weighted vote of eflomal + neural methods,
           eflomal filtered by neural similarity; each + lexical
  method:  heuristic | greedy | bipartite | ilp

The encoder runs once per sentence; every neural variant reuses the vectors.
Throughput is the embedding pass (empty cache) + extraction, in sentence pairs/s.

    python benchmarks/neural_projection.py --encoder /work/cache/e5-small [--langs de es]
        [--layer 6 7] [--extra-bitext] [--json benchmarks/out/neural_projection.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from projner.align import EflomalAligner, LexicalAligner, augment
from projner.align.embedding import EmbeddingAligner
from projner.align.ensemble import confirmed, rescue, vote
from projner.config import ProjectionConfig
from projner.io import bitext_sources, read_conll
from projner.pipelines import benchmark_projection
from projner.types import Alignment

ROOT = Path(__file__).resolve().parent.parent


def no_scores(aligns):
    return [Alignment(a.links) for a in aligns]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--encoder", required=True)
    ap.add_argument("--layer", type=int, nargs="+", default=[6, 7])
    ap.add_argument("--langs", nargs="+", default=["de", "es"])
    ap.add_argument("--methods", nargs="+", default=["heuristic", "greedy", "bipartite", "ilp"])
    ap.add_argument("--extra-bitext", action="store_true", help="eflomal also trains on the extra bitext (slow)")
    ap.add_argument("--no-eflomal", action="store_true")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "out" / "neural_projection.json"))
    ap.add_argument("--speed-only", action="store_true",
                    help="only time the encoder + ArgMax on the 799 en-LANG pairs in float32 and bfloat16")
    args = ap.parse_args()
    if args.speed_only:
        return speed(args)
    data = Path(args.data)
    ep = data / "europarl_ner"
    src = list(read_conll(ep / "en-europarl.test.conll02"))
    src_t = [s.tokens for s in src]
    emb = EmbeddingAligner(args.encoder, layer=args.layer)
    emb.load()
    rows = []
    for lang in args.langs:
        tgt = list(read_conll(ep / f"{lang}-europarl.test.conll02"))
        tgt_t = [t.tokens for t in tgt]
        n = len(src)
        emb.clear_cache()
        t0, c0 = time.perf_counter(), time.process_time()
        emb.embed(src_t)
        emb.embed(tgt_t)
        t_embed, c_embed = time.perf_counter() - t0, time.process_time() - c0
        aligners: dict[str, tuple[list[Alignment], float]] = {}
        variants = {m: emb.with_method(m) for m in ("argmax", "itermax", "match")}
        variants["softmax"] = emb.with_method("softmax", temperature=0.05, threshold=0.3)
        neural = {}
        for m, al in variants.items():
            t0 = time.perf_counter()
            neural[m] = al.align(src_t, tgt_t)
            aligners[f"embedding {m}"] = (neural[m], t_embed + time.perf_counter() - t0)
        print(f"{lang}: embedding pass {t_embed:.1f}s wall = {n / t_embed:.1f} pairs/s "
              f"(argmax incl. extraction {n / aligners['embedding argmax'][1]:.1f} pairs/s); "
              f"{c_embed:.1f} CPU-s = {2 * n / c_embed:.1f} pairs/s on 2 idle cores", flush=True)
        lex = LexicalAligner().align(src_t, tgt_t)
        for m in ("argmax", "itermax", "softmax"):
            a, t = aligners[f"embedding {m}"]
            aligners[f"embedding {m}+lexical"] = ([augment(x, y) for x, y in zip(a, lex)], t)
        if not args.no_eflomal:
            bitext = []
            if args.extra_bitext:
                sys.path.insert(0, str(ROOT / "benchmarks"))
                from europarl_projection import extra_bitext

                bitext = extra_bitext(data, lang)
            t0 = time.perf_counter()
            ef = EflomalAligner(bitext=bitext_sources(bitext)).align(src_t, tgt_t)
            t_ef = time.perf_counter() - t0
            aligners["eflomal"] = (ef, t_ef)
            aligners["eflomal+lexical"] = ([augment(x, y) for x, y in zip(ef, lex)], t_ef)
            sims = emb.similarities(src_t, tgt_t)
            t_both = t_ef + aligners["embedding argmax"][1]
            for names, th in ((("ef", "argmax", "softmax"), 0.6), (("ef", "argmax", "itermax"), 0.5),
                              (("ef", "argmax", "itermax", "softmax"), 0.5),
                              (("ef", "confirmed", "argmax", "itermax", "softmax"), 0.4)):
                # "confirmed" = eflomal links with cosine >= 0.4 (VoteAligner confirm_similarity, the recommended config)
                pool = {"ef": ef, "confirmed": [confirmed(ef[k], sims[k], 0.4) for k in range(n)], **neural}
                v = [vote([pool[m][k] for m in names], [1.0] * len(names), th) for k in range(n)]
                name = f"vote {'+'.join(names)}>={th}"
                aligners[name] = (v, t_both)
                aligners[name + " +lexical"] = ([augment(x, y) for x, y in zip(v, lex)], t_both)
            r = [rescue(ef[k], neural["argmax"][k], sims[k], filter_threshold=0.3, rescue_threshold=0.5)
                 for k in range(n)]
            aligners["rescue eflomal/argmax +lexical"] = ([augment(x, y) for x, y in zip(r, lex)], t_both)
        for al_name, (aligns, t_al) in aligners.items():
            for method in args.methods:
                for scored in ((True, False) if method != "heuristic" else (True,)):
                    use = aligns if scored else no_scores(aligns)
                    report, _ = benchmark_projection(src, tgt, ProjectionConfig(method=method), use)
                    r = report.as_dict()
                    row = {"lang": lang, "aligner": al_name, "method": method, "link_scores": scored,
                           "f1": r["overall"]["f1"], "precision": r["overall"]["precision"],
                           "recall": r["overall"]["recall"],
                           "per_type": {k: v["f1"] for k, v in r["per_type"].items()},
                           "align_seconds": round(t_al, 2), "align_pairs_per_second": round(n / t_al, 1)}
                    rows.append(row)
                    pt = " ".join(f"{k}={v:.3f}" for k, v in sorted(row["per_type"].items()))
                    print(f"{lang} | {al_name:34s} | {method:9s} | scores={'y' if scored else 'n'} | F1 {row['f1']:.4f} "
                          f"(P {row['precision']:.3f} R {row['recall']:.3f}) | {pt} | align {t_al:.1f}s", flush=True)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


def speed(args) -> int:
    ep = Path(args.data) / "europarl_ner"
    src_t = [s.tokens for s in read_conll(ep / "en-europarl.test.conll02")]
    for lang in args.langs:
        tgt_t = [t.tokens for t in read_conll(ep / f"{lang}-europarl.test.conll02")]
        for dtype in ("float32", "bfloat16"):
            al = EmbeddingAligner(args.encoder, layer=args.layer, dtype=dtype)
            al.load()
            al.clear_cache()
            t0, c0 = time.perf_counter(), time.process_time()
            al.align(src_t, tgt_t)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            load = os.getloadavg()[0]
            print(f"en-{lang} {len(src_t)} pairs, {dtype}: {wall:.1f}s = {len(src_t) / wall:.1f} pairs/s "
                  f"({cpu:.1f} CPU-s; load average {load:.1f})", flush=True)
            al.encoder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
