#!/usr/bin/env python3
"""Every projection configuration on every human-projection benchmark, in one table (issue 14).

Benchmarks (source gold projected onto the target tokens, exact span F1 against the target gold):
  europarl-de / europarl-es  Europarl-NER: English gold onto the human translations (names, 799 pairs)
  abstrct-es                 AbstRCT neoplasm dev: argument components (clauses, 15-40 tokens) onto
                             the DeepL Spanish, scored against the manual revision
  absa-es / absa-fr          SemEval-2016 ABSA restaurants test: opinion targets onto the DeepL
                             translations, scored against the manual projections
Configurations, all through the CLI: `projner align` once per benchmark and configuration (the links
are kept in --out, so a rerun after a projection change only projects; delete them to realign), then
`projner benchmark-projection --alignment`:
  default            no options, plus extra bitext (the benchmark's own train-split translations
                     where there are some, and every en-X bitext in the data folder)
  default, pairs only   no options, no extra bitext (eflomal learns from the pairs alone)
  neural-vote        configs/neural-vote.yaml --encoder DIR, no extra bitext
  neural-vote + extra bitext   the same with the default's extra bitext (its eflomal member reads it)
The published projections of the same translations (awesome-align, SimAlign, mgiza, fast_align)
are scored with `projner evaluate` as reference rows.

    python benchmarks/projection_table.py --encoder /work/cache/e5-small [--seed 1] [--write-docs]

--write-docs puts the table into docs/benchmarks.md (block projection-table).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from docblock import replace_block
from europarl_projection import extra_bitext

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("europarl-de", "europarl-es", "abstrct-es", "absa-es", "absa-fr")
CONFIGS = ("default", "default, pairs only", "neural-vote", "neural-vote + extra bitext")


def benchmarks(data: Path) -> dict[str, dict]:
    """name -> source gold, target gold, language, own train-split bitext, published projections."""
    ep, ab, absa = data / "europarl_ner", data / "abstrct_projections", data / "easy_label_projection_absa"
    out = {}
    for lang in ("de", "es"):
        out[f"europarl-{lang}"] = dict(src=ep / "en-europarl.test.conll02", tgt=ep / f"{lang}-europarl.test.conll02",
                                       lang=lang, own=[], published={})
    out["abstrct-es"] = dict(
        src=ab / "EN/neoplasm/dev.tsv.gz", tgt=ab / "ES/manual_revision/dev.tsv.gz", lang="es",
        own=[(ab / "EN/neoplasm/train.tsv.gz", ab / "ES/manual_revision/train.tsv.gz")],
        published={"awesome-align": ab / "ES/awesome_automatic/dev.tsv.gz"})
    manual = {"es": "en2es/DeepL.Iker", "fr": "en2fr/Nayla.DeepL"}
    for lang, stem in manual.items():
        auto = absa / "automatic_projections" / f"en2{lang}"
        out[f"absa-{lang}"] = dict(
            src=absa / "original/en/en.absa.test.tsv.gz", tgt=absa / f"manual_projections/{stem}.test.tsv.gz", lang=lang,
            own=[(absa / "original/en/en.absa.train.tsv.gz", absa / f"manual_projections/{stem}.train.tsv.gz")],
            published={name: auto / f"DeepL.50000.{key}.test.tsv.gz" for name, key in
                       (("awesome-align", "awesome"), ("SimAlign", "simalign"), ("mgiza", "mgiza"),
                        ("fast_align", "fast_align"))})
    return out


def run_cli(args: list[str], out: Path) -> dict:
    cmd = ["projner", *args, "--json", str(out)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        print(" ".join(cmd), res.stderr[-2000:], sep="\n", file=sys.stderr)
        return {}
    rep = json.loads(out.read_text())
    rep["wall"] = time.perf_counter() - t0
    return rep


def config_args(name: str, bench: dict, data: Path, encoder: str | None, seed: int | None) -> list[str] | None:
    args = [] if seed is None else ["--seed", str(seed)]
    if name in ("default", "neural-vote + extra bitext"):
        for s, t in bench["own"] + [tuple(map(Path, p)) for p in extra_bitext(data, bench["lang"])]:
            if s.exists() and t.exists():
                args += ["--bitext", str(s), str(t)]
    if name.startswith("neural-vote"):
        if not encoder:
            return None
        args += ["--config", str(ROOT / "configs" / "neural-vote.yaml"), "--encoder", encoder]
    return args


def f1(rep: dict) -> float | None:
    return rep.get("overall", {}).get("f1") if rep else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--encoder", default=None, help="encoder folder for neural-vote (row skipped without)")
    ap.add_argument("--seed", type=int, default=1, help="eflomal seed (-1: unseeded, multi-threaded)")
    ap.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS), choices=BENCHMARKS)
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "projection_table"))
    ap.add_argument("--reuse", action="store_true", help="only print/write the results already in --out (no alignment, no projection)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed = None if args.seed < 0 else args.seed
    benches = {k: v for k, v in benchmarks(data).items() if k in args.benchmarks and v["src"].exists()}
    if not benches:
        print(f"no benchmark data in {data}", file=sys.stderr)
        return 2
    table: dict[str, dict[str, str]] = {}
    for name in args.configs:
        for b, bench in benches.items():
            cargs = config_args(name, bench, data, args.encoder, seed)
            if cargs is None:
                continue
            stem = out / f"{b}.{name.replace(', ', '-').replace(' ', '-')}"
            talp = Path(f"{stem}.talp")
            if args.reuse and not Path(f"{stem}.json").exists():
                continue  # not measured: left out of the table
            t0 = time.perf_counter()
            if not talp.exists():  # align once (kept for reruns), project through the CLI
                res = subprocess.run(["projner", "align", str(bench["src"]), str(bench["tgt"]), "-o", str(talp),
                                      *cargs], capture_output=True, text=True)
                if res.returncode:
                    print(res.stderr[-2000:], file=sys.stderr)
                    continue
            align_s = time.perf_counter() - t0
            js = Path(f"{stem}.json")
            if args.reuse and js.exists():
                rep = json.loads(js.read_text())
            else:
                rep = run_cli(["benchmark-projection", str(bench["src"]), str(bench["tgt"]), *cargs,
                               "--alignment", str(talp)], js)
            score = f1(rep)
            table.setdefault(name, {})[b] = "failed" if score is None else f"{score:.3f}"
            print(f"{name:22s} {b:12s} F1 {table[name][b]}  (align {align_s:.0f} s, project "
                  f"{rep.get('wall', 0):.0f} s)", flush=True)
    for b, bench in benches.items():
        for pub, path in bench["published"].items():
            js = out / f"{b}.{pub}.json"
            if args.reuse and js.exists():
                table.setdefault(f"{pub} (published)", {})[b] = f"{f1(json.loads(js.read_text())):.3f}"
            elif path.exists():
                rep = run_cli(["evaluate", str(bench["tgt"]), str(path), "--scheme", "iob1"], out / f"{b}.{pub}.json")
                table.setdefault(f"{pub} (published)", {})[b] = "failed" if f1(rep) is None else f"{f1(rep):.3f}"
    cols = list(benches)
    lines = ["| configuration | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for name, row in table.items():
        lines.append(f"| {name} | " + " | ".join(row.get(c, "–") for c in cols) + " |")
    block = "\n".join(lines)
    print(block)
    if args.write_docs:
        replace_block(ROOT / "docs" / "benchmarks.md", "projection-table", block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
