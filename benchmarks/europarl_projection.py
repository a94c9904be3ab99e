#!/usr/bin/env python3
"""Europarl-NER en→de / en→es projection benchmark (issue 2).

Projects the English gold onto the human German/Spanish sentences and scores
against their gold, for every combination of
  bitext:   the 799 pairs alone | + extra bitext from ../shared/data
  aligner:  eflomal, one run, grow-diag-final-and | two runs (surface + 4-char
            stems) symmetrised by voting (the default) | each + lexical links
  method:   heuristic | greedy | bipartite | ilp
and prints F1 overall / per type and the time. eflomal runs twice per
(language, bitext); the other variants reuse those runs' links.

    python benchmarks/europarl_projection.py [--data DIR] [--langs de es] [--write-docs]

--write-docs regenerates the table block in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from projner.align import EflomalAligner, LexicalAligner, augment, symmetrize
from projner.align.symmetrize import symmetrize_votes
from projner.config import ProjectionConfig
from projner.io import bitext_sources, read_conll
from projner.pipelines import benchmark_projection

from docblock import replace_block

ROOT = Path(__file__).resolve().parent.parent


def extra_bitext(data: Path, lang: str) -> list[tuple[str, str]]:
    """Every parallel en–lang resource in the shared data folder."""
    out = []
    elp = data / "easy_label_projection_ner"
    for split in ("train", "dev", "test"):
        src = elp / "original" / "en" / f"en.conll.{split}.tsv.gz"
        tgt = elp / "automatic_projections" / f"en2{lang}" / f"DeepL.50000.awesome.{split}.tsv.gz"
        if src.exists() and tgt.exists():
            out.append((str(src), str(tgt)))
    code3 = {"de": "deu", "es": "spa", "it": "ita", "fr": "fra", "nl": "nld"}.get(lang, lang)
    tat = data / "parallel_text" / "tatoeba_laser"
    if (tat / f"tatoeba.{code3}-eng.eng").exists():
        out.append((str(tat / f"tatoeba.{code3}-eng.eng"), str(tat / f"tatoeba.{code3}-eng.{code3}")))
    m30 = data / "multi30k" / "task1" / "raw"
    for split in ("train", "val"):
        if (m30 / f"{split}.{lang}.gz").exists():
            out.append((str(m30 / f"{split}.en.gz"), str(m30 / f"{split}.{lang}.gz")))
    onmt = data / "parallel_text" / "opennmt_ende_sample"
    if lang == "de" and onmt.exists():
        out.append((str(onmt / "src-train.txt.gz"), str(onmt / "tgt-train.txt.gz")))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--langs", nargs="+", default=["de", "es"])
    ap.add_argument("--methods", nargs="+", default=["heuristic", "greedy", "bipartite", "ilp"])
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "out" / "europarl_projection.json"))
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    data = Path(args.data)
    ep = data / "europarl_ner"
    if not ep.exists():
        print(f"no Europarl-NER data in {ep}", file=sys.stderr)
        return 2
    src = list(read_conll(ep / "en-europarl.test.conll02"))
    rows = []
    for lang in args.langs:
        tgt = list(read_conll(ep / f"{lang}-europarl.test.conll02"))
        for bt_name, bitext in (("799 pairs", []), ("+ extra bitext", extra_bitext(data, lang))):
            # one eflomal run per stem length; "1 run" uses the surface run alone,
            # the default votes over surface + 4-character-stem runs
            ef = EflomalAligner(bitext=bitext_sources(bitext), prefix_len=(0, 4))
            src_t, tgt_t = [s.tokens for s in src], [t.tokens for t in tgt]
            t0 = time.perf_counter()
            run0 = ef.directional(src_t, tgt_t, 0)
            t_run0 = time.perf_counter() - t0
            run4 = ef.directional(src_t, tgt_t, 4)
            t_both = time.perf_counter() - t0
            single = [symmetrize(f, r, "grow-diag-final-and") for f, r in zip(*run0)]
            voted = [symmetrize_votes([run0[0][k], run0[1][k], run4[0][k], run4[1][k]]) for k in range(len(src))]
            t0 = time.perf_counter()
            lex = LexicalAligner().align(src_t, tgt_t)
            t_lex = time.perf_counter() - t0
            variants = (
                ("eflomal (1 run)", single, t_run0),
                ("eflomal+lexical (1 run)", [augment(a, b) for a, b in zip(single, lex)], t_run0 + t_lex),
                ("eflomal (2 runs, vote)", voted, t_both),
                ("eflomal+lexical (default)", [augment(a, b) for a, b in zip(voted, lex)], t_both + t_lex),
            )
            for al_name, aligns, t_al in variants:
                for method in args.methods:
                    cfg = ProjectionConfig(method=method, bitext=bitext)
                    report, _ = benchmark_projection(src, tgt, cfg, aligns)
                    r = report.as_dict()
                    row = {
                        "lang": lang, "bitext": bt_name, "bitext_files": len(bitext), "aligner": al_name,
                        "method": method, "f1": r["overall"]["f1"], "precision": r["overall"]["precision"],
                        "recall": r["overall"]["recall"],
                        "per_type": {k: v["f1"] for k, v in r["per_type"].items()},
                        "align_seconds": round(t_al, 2), "project_seconds": r["project_seconds"],
                        "pairs_per_second": r["pairs_per_second_projection"],
                        "projection_ratio": r.get("projection_ratio"),
                    }
                    rows.append(row)
                    pt = " ".join(f"{k}={v:.3f}" for k, v in sorted(row["per_type"].items()))
                    print(f"{lang} | {bt_name:15s} | {al_name:26s} | {method:9s} | F1 {row['f1']:.4f} "
                          f"(P {row['precision']:.3f} R {row['recall']:.3f}) | {pt} | align {t_al:.1f}s | "
                          f"project {row['project_seconds']:.2f}s ({row['pairs_per_second']:.0f} pairs/s)", flush=True)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(rows, indent=1))
    if args.write_docs:
        write_docs(rows)
    return 0


def write_docs(rows: list[dict]) -> None:
    lines = ["| lang | bitext | aligner | method | F1 | P | R | PER | ORG | LOC | MISC | align s | project s | pairs/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        pt = r["per_type"]
        lines.append(
            f"| {r['lang']} | {r['bitext']} | {r['aligner']} | {r['method']} | **{r['f1']:.3f}** | {r['precision']:.3f} | "
            f"{r['recall']:.3f} | {pt.get('PER', 0):.3f} | {pt.get('ORG', 0):.3f} | {pt.get('LOC', 0):.3f} | "
            f"{pt.get('MISC', 0):.3f} | {r['align_seconds']:.1f} | {r['project_seconds']:.2f} | {r['pairs_per_second']:.0f} |"
        )
    replace_block(ROOT / "docs" / "benchmarks.md", "europarl-projection", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
