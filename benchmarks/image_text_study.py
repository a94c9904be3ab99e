#!/usr/bin/env python3
"""Does image-text parallel data help cross-lingual NER projection? (issue 6)

Europarl-NER en→de: project the English gold onto the human German sentences and
score against the German gold, with the same aligner and projector everywhere
(eflomal grow-diag-final-and, augmented by the lexical aligner; ILP candidate
matching and the heuristic), varying only the alignment evidence:

  text      eflomal on the 799 pairs + the text bitext of the setting
  +a        + Multi30K task-1 caption translations (train + val, 30,014 pairs)
  +b        + Multi30K task-2 image-pivoted lexicon (train + val, 30,014 images):
            eflomal priors, plus lexicon links (union), plus a lexicon signal in
            candidate matching (ILP only); ablations b:prior / b:links / b:score
  +c        both (a) and (b)

Settings: ``low`` (text = the 799 pairs only) and ``rich`` (text = 799 pairs +
every en–de text bitext in the shared data except Multi30K: DeepL translations
of English CoNLL-2003, OpenNMT's WMT sample, Tatoeba; 31,744 pairs).

eflomal has no seed (it seeds from /dev/urandom), so every eflomal configuration
is run ``--repeats`` times; per-sentence counts are pooled over repeats, F1 gets a
95% bootstrap CI over sentences and a paired bootstrap test against ``text``
(same resampled sentences for both), and the run-to-run spread of F1 is reported.
Everything else (lexicon, bootstrap) is deterministic and seeded. Alignments are
cached under the output folder, so a rerun resumes and, with the cache kept,
reproduces the numbers exactly.

    python benchmarks/image_text_study.py [--data DIR] [--settings low rich] [--repeats 3]
           [--out benchmarks/out/image_text] [--write-docs]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from projner.align import EflomalAligner, LexicalAligner, combine_alignments
from projner.captions import CaptionLexiconAligner, Lexicon, LexiconScorer, caption_bitext, lexicon_from_corpus
from projner.captions.lexicon import write_eflomal_priors
from projner.io import bitext_sources, read_bitext, read_conll
from projner.project import build_projector
from projner.types import Alignment

from docblock import replace_block

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("PER", "ORG", "LOC", "MISC")
PRIOR_SCALE = 1.0      # one full-confidence lexicon entry = one observed link (fixed a priori, not tuned)
LINK_THRESHOLD = 0.2   # lexicon links: Dice >= 0.2 (fixed a priori)
SCORE_WEIGHT = 0.3     # lexicon signal weight in candidate matching (alignment weight is 1.0)
PREFIX_LEN = 0         # one surface-form eflomal run per configuration (the study's design; the core's
                       # default now also votes with a 4-character-stem run, which doubles the cost)


# ---------------------------------------------------------------------------
# data


def text_bitext(data: Path, lang: str = "de") -> list[tuple[str, str]]:
    """Every en–``lang`` text bitext in the shared data except Multi30K."""
    out = []
    elp = data / "easy_label_projection_ner"
    for split in ("train", "dev", "test"):
        src = elp / "original" / "en" / f"en.conll.{split}.tsv.gz"
        tgt = elp / "automatic_projections" / f"en2{lang}" / f"DeepL.50000.awesome.{split}.tsv.gz"
        if src.exists() and tgt.exists():
            out.append((str(src), str(tgt)))
    onmt = data / "parallel_text" / "opennmt_ende_sample"
    if lang == "de" and onmt.exists():
        out.append((str(onmt / "src-train.txt.gz"), str(onmt / "tgt-train.txt.gz")))
    code3 = {"de": "deu", "es": "spa", "it": "ita", "fr": "fra", "nl": "nld"}.get(lang, lang)
    tat = data / "parallel_text" / "tatoeba_laser"
    if (tat / f"tatoeba.{code3}-eng.eng").exists():
        out.append((str(tat / f"tatoeba.{code3}-eng.eng"), str(tat / f"tatoeba.{code3}-eng.{code3}")))
    return out


def load_tokens(pairs):
    src, tgt = [], []
    for a, b in pairs:
        s, t = read_bitext(a, b)
        src.extend(s)
        tgt.extend(t)
    return src, tgt


# ---------------------------------------------------------------------------
# alignment cache


def save_alignments(path: Path, aligns: list[Alignment]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for a in aligns:
            fh.write(" ".join(f"{i}-{j}" for i, j in a.pairs()) + "\n")
    os.replace(tmp, path)


def load_alignments(path: Path) -> list[Alignment]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [Alignment([tuple(map(int, x.split("-"))) for x in line.split()]) for line in fh]


# ---------------------------------------------------------------------------
# scoring


def sentence_counts(gold, pred) -> np.ndarray:
    """(sentences, types + 1, 3) array of [correct, predicted, gold]; the last type row is all types."""
    out = np.zeros((len(gold), len(TYPES) + 1, 3), dtype=np.int64)
    for k, (g, p) in enumerate(zip(gold, pred)):
        gs = {(s.start, s.end, s.label) for s in g.spans}
        ps = {(s.start, s.end, s.label) for s in p.spans}
        for t, lab in enumerate(TYPES):
            gl = {x for x in gs if x[2] == lab}
            pl = {x for x in ps if x[2] == lab}
            out[k, t] = (len(gl & pl), len(pl), len(gl))
        out[k, -1] = (len(gs & ps), len(ps), len(gs))
    return out


def f1_of(sums: np.ndarray) -> np.ndarray:
    """F1 from [..., 3] summed counts (vectorised)."""
    c, p, g = sums[..., 0].astype(float), sums[..., 1].astype(float), sums[..., 2].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(p + g > 0, 2 * c / (p + g), 0.0)
    return f


def bootstrap(counts: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """F1 per resample and type: counts (S, T, 3), idx (B, S) → (B, T)."""
    return f1_of(counts[idx].sum(axis=1))


# ---------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("PROJNER_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--settings", nargs="+", default=["low", "rich", "translate-train"],
                    choices=["low", "rich", "translate-train"])
    ap.add_argument("--tt-repeats", type=int, default=3, help="eflomal runs per condition in translate-train")
    ap.add_argument("--tt-limit", type=int, default=None, help="first N CoNLL train sentences (translate-train)")
    ap.add_argument("--crf-iterations", type=int, default=100)
    ap.add_argument("--lang", default="de", help="target language of Europarl-NER (en → LANG)")
    ap.add_argument("--translations", default=None,
                    help="caption translations (task 1): Multi30K folder or caption JSONL [DATA/multi30k]")
    ap.add_argument("--comparable", default=None,
                    help="comparable captions (task 2): Multi30K folder or caption JSONL [DATA/multi30k]")
    ap.add_argument("--caption-splits", nargs="+", default=["train", "val"], help="Multi30K splits to use")
    ap.add_argument("--repeats", type=int, default=3, help="eflomal runs per configuration (eflomal has no seed)")
    ap.add_argument("--bootstrap", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "image_text"),
                    help="cache and results folder (lexicon, alignments); use a fresh one for other caption data")
    ap.add_argument("--write-docs", action="store_true", help="regenerate the results block of docs/image-text.md")
    args = ap.parse_args()
    data = Path(args.data)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ep = data / "europarl_ner"
    m30_t1 = Path(args.translations) if args.translations else data / "multi30k"
    m30_t2 = Path(args.comparable) if args.comparable else data / "multi30k"
    lang = args.lang
    for need in (ep, m30_t1, m30_t2):
        if not need.exists():
            print(f"missing data {need}", file=sys.stderr)
            return 2
    src_gold = list(read_conll(ep / "en-europarl.test.conll02"))
    tgt_gold = list(read_conll(ep / f"{lang}-europarl.test.conll02"))
    splits = tuple(args.caption_splits)
    src_tok = [list(s.tokens) for s in src_gold]
    tgt_tok = [list(t.tokens) for t in tgt_gold]
    targets = [t.with_spans(()) for t in tgt_gold]
    t_start = time.perf_counter()

    # (b) lexicon from task-2 comparable captions -------------------------------
    lex_path = out / f"lexicon.en-{lang}.tsv"
    if lex_path.exists():
        lexicon = Lexicon.load(lex_path)
    else:
        t0 = time.perf_counter()
        lexicon = lexicon_from_corpus(m30_t2, "en", lang, splits=splits, task=2)
        lexicon.save(lex_path)
        print(f"lexicon: {len(lexicon)} entries from task-2 captions in {time.perf_counter() - t0:.1f}s", flush=True)
    priors_path = out / f"priors.en-{lang}.txt"
    write_eflomal_priors(lexicon, priors_path, scale=PRIOR_SCALE)
    lex_links = CaptionLexiconAligner(lexicon, threshold=LINK_THRESHOLD).align(src_tok, tgt_tok)
    lexical_links = LexicalAligner().align(src_tok, tgt_tok)
    scorer = LexiconScorer(lexicon)
    euro_cov = sum(len(a) for a in lex_links)
    fired: dict[tuple[str, str], int] = {}
    fired_ent: dict[tuple[str, str], int] = {}
    for s, t, a in zip(src_gold, tgt_gold, lex_links):
        ent_tok = {i for sp in s.spans for i in range(sp.start, sp.end)}
        for i, j in a.pairs():
            key = (s.tokens[i].lower(), t.tokens[j].lower())
            fired[key] = fired.get(key, 0) + 1
            if i in ent_tok:
                fired_ent[key] = fired_ent.get(key, 0) + 1
    top_fired = sorted(fired.items(), key=lambda x: (-x[1], x[0]))[:25]
    top_fired_ent = sorted(fired_ent.items(), key=lambda x: (-x[1], x[0]))[:25]

    # (a) caption translations ------------------------------------------------
    cap_src, cap_tgt = caption_bitext(m30_t1, "en", lang, splits=splits)

    results = {"settings": {}, "lexicon": {
        "entries": len(lexicon), "images": lexicon.meta.get("images"), "europarl_links": euro_cov,
        "top": [e.__dict__ for e in lexicon.top(30)],
        "europarl_links_in_entities": sum(fired_ent.values()),
        "europarl_top": [[a, b, n, lexicon.score(a, b)] for (a, b), n in top_fired],
        "europarl_top_in_entities": [[a, b, n, lexicon.score(a, b)] for (a, b), n in top_fired_ent],
    }, "repeats": args.repeats, "bootstrap": args.bootstrap, "seed": args.seed, "lang": lang,
        "translations": str(m30_t1), "comparable": str(m30_t2), "caption_splits": list(splits)}
    rng = np.random.default_rng(args.seed)
    idx = rng.integers(0, len(src_gold), size=(args.bootstrap, len(src_gold)))

    heuristic = build_projector("heuristic")
    ilp = build_projector("ilp")
    ilp_lex = build_projector("ilp", extra=((SCORE_WEIGHT, scorer),))

    for setting in [x for x in args.settings if x != "translate-train"]:
        bt_files = text_bitext(data, lang) if setting == "rich" else []
        txt_src, txt_tgt = load_tokens(bt_files) if bt_files else ([], [])
        runs = {
            "text": dict(bitext=[(txt_src, txt_tgt)] if txt_src else [], priors=None),
            "a": dict(bitext=([(txt_src, txt_tgt)] if txt_src else []) + [(cap_src, cap_tgt)], priors=None),
            "b:prior": dict(bitext=[(txt_src, txt_tgt)] if txt_src else [], priors=str(priors_path)),
            "c:prior": dict(bitext=([(txt_src, txt_tgt)] if txt_src else []) + [(cap_src, cap_tgt)],
                            priors=str(priors_path)),
        }
        # conditions: (eflomal run, add lexicon links?, lexicon scorer?)
        conditions = {
            "text": ("text", False, False),
            "+a captions (task 1)": ("a", False, False),
            "+b lexicon (task 2)": ("b:prior", True, True),
            "+c both": ("c:prior", True, True),
            "b ablation: priors only": ("b:prior", False, False),
            "b ablation: links only": ("text", True, False),
            "b ablation: scorer only": ("text", False, True),
        }
        counts: dict[tuple[str, str], list[np.ndarray]] = {}
        run_f1: dict[tuple[str, str], list[float]] = {}
        align_seconds: dict[str, list[float]] = {}
        for r in range(args.repeats):
            stat: dict[str, list[Alignment]] = {}
            for run_name, opts in runs.items():
                tag = "" if lang == "de" else f"{lang}."
                cache = out / f"{tag}{setting}.{run_name.replace(':', '-')}.r{r}.talp.gz"
                if cache.exists():
                    stat[run_name] = load_alignments(cache)
                    continue
                t0 = time.perf_counter()
                al = EflomalAligner(bitext=bitext_sources(opts["bitext"]), priors=opts["priors"], prefix_len=PREFIX_LEN).align(src_tok, tgt_tok)
                dt = time.perf_counter() - t0
                align_seconds.setdefault(run_name, []).append(dt)
                save_alignments(cache, al)
                stat[run_name] = al
                print(f"[{setting}] eflomal {run_name} repeat {r}: {dt:.1f}s", flush=True)
            for cname, (run_name, links, score) in conditions.items():
                base = [combine_alignments([a, b], "augment") for a, b in zip(stat[run_name], lexical_links)]
                if links:
                    base = [a.union(b) for a, b in zip(base, lex_links)]
                for mname, proj in (("heuristic", heuristic), ("ilp", ilp_lex if score else ilp)):
                    if mname == "heuristic" and score and not links and run_name == "text":
                        continue  # the scorer does not act on the heuristic
                    pred = [proj(s, t, a) for s, t, a in zip(src_gold, targets, base)]
                    cnt = sentence_counts(tgt_gold, pred)
                    counts.setdefault((cname, mname), []).append(cnt)
                    run_f1.setdefault((cname, mname), []).append(float(f1_of(cnt.sum(axis=0))[-1]))
            print(f"[{setting}] repeat {r} done ({time.perf_counter() - t_start:.0f}s)", flush=True)

        rows = summarise(counts, run_f1, idx)
        results["settings"][setting] = {
            "text_bitext": [Path(a).name + " / " + Path(b).name for a, b in bt_files],
            "text_pairs": len(txt_src), "caption_pairs": len(cap_src),
            "align_seconds": {k: float(np.mean(v)) for k, v in align_seconds.items()},
            "rows": rows,
        }
        print_table(setting, rows)
    if "translate-train" in args.settings:
        if lang != "de":
            print("translate-train is set up for German only; skipped", file=sys.stderr)
        else:
            link_aligner = CaptionLexiconAligner(lexicon, threshold=LINK_THRESHOLD)
            res = translate_train(args, data, out, lexicon, priors_path, link_aligner.align, cap_src, cap_tgt, scorer)
            results["settings"]["translate-train"] = res
            print_table("translate-train", res["rows"])
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    try:
        import subprocess

        results["projner_commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                                                   text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        results["projner_commit"] = None
    (out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"wrote {out / 'results.json'} ({results['seconds']}s)")
    if args.write_docs:
        write_docs(results)
    return 0


def summarise(counts: dict, run_f1: dict, idx: np.ndarray) -> list[dict]:
    """F1 with bootstrap CIs per (condition, method), and paired differences to ``text``."""
    rows = []
    for (cname, mname), lst in counts.items():
        pooled = np.sum(lst, axis=0)  # (S, T+1, 3)
        point = f1_of(pooled.sum(axis=0))
        boot = bootstrap(pooled, idx)
        lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
        row = {"condition": cname, "method": mname, "f1": float(point[-1]),
               "ci": [float(lo[-1]), float(hi[-1])],
               "per_type": {t: {"f1": float(point[i]), "ci": [float(lo[i]), float(hi[i])]}
                            for i, t in enumerate(TYPES)},
               "runs": run_f1[(cname, mname)],
               "run_sd": float(np.std(run_f1[(cname, mname)], ddof=1)) if len(lst) > 1 else None}
        base_key = ("text", mname)
        if cname != "text" and base_key in counts:
            bpooled = np.sum(counts[base_key], axis=0)
            delta = boot - bootstrap(bpooled, idx)
            d_point = point - f1_of(bpooled.sum(axis=0))
            dlo, dhi = np.percentile(delta, [2.5, 97.5], axis=0)
            # two-sided paired bootstrap p-value; resamples with no difference count half (mid-p)
            d = delta[:, -1]
            ties = 0.5 * (d == 0).mean()
            p_two = 2 * min((d < 0).mean() + ties, (d > 0).mean() + ties)
            row["delta"] = {"f1": float(d_point[-1]), "ci": [float(dlo[-1]), float(dhi[-1])],
                            "p": float(min(1.0, p_two)),
                            "per_type": {t: {"f1": float(d_point[i]), "ci": [float(dlo[i]), float(dhi[i])]}
                                         for i, t in enumerate(TYPES)}}
            run_d = np.array(run_f1[(cname, mname)]) - np.array(run_f1[base_key])
            row["delta"]["runs"] = run_d.tolist()
        rows.append(row)
    return rows


def translate_train(args, data: Path, out: Path, lexicon, priors_path: Path, lex_links_fn, cap_src, cap_tgt,
                    scorer) -> dict:
    """CoNLL German translate-train: project English CoNLL-2003 train onto its DeepL German
    translation under each condition, train the same CRF, score on German CoNLL test."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from translate_train import load_language  # the translate-train benchmark's own data loading

    from projner.ner.crf import CRFTagger

    elp = data / "easy_label_projection_ner"
    english, targets, _published, _gold, test, bitext, labels = load_language(elp, "de", args.tt_limit, False)
    src_tok = [list(s.tokens) for s in english]
    tgt_tok = [list(t.tokens) for t in targets]
    bt = [([a for a, _ in bitext], [b for _, b in bitext])] if bitext else []
    lexical = LexicalAligner().align(src_tok, tgt_tok)
    lex_links = lex_links_fn(src_tok, tgt_tok)
    runs = {"text": (bt, None), "a": (bt + [(cap_src, cap_tgt)], None), "b:prior": (bt, str(priors_path)),
            "c:prior": (bt + [(cap_src, cap_tgt)], str(priors_path))}
    conditions = {"text": ("text", False, 0), "+a captions (task 1)": ("a", False, 0),
                  "+b lexicon (task 2)": ("b:prior", True, 0), "+c both": ("c:prior", True, 0),
                  }
    if args.tt_repeats == 1:
        # a second, independent eflomal run of the text condition: the noise floor of one run
        conditions["text, another eflomal run"] = ("text", False, 1)
    ilp = build_projector("ilp")
    ilp_lex = build_projector("ilp", extra=((SCORE_WEIGHT, scorer),))
    rng = np.random.default_rng(args.seed)
    idx = rng.integers(0, len(test), size=(args.bootstrap, len(test)))
    counts, run_f1 = {}, {}
    info = {"train_pairs": len(english), "test_sentences": len(test), "bitext_pairs": len(bitext),
            "labels": sorted(labels), "crf_iterations": args.crf_iterations, "seconds": {}}
    for r in range(args.tt_repeats):
        for cname, (run_name, with_lex, offset) in conditions.items():
            t0 = time.perf_counter()
            rr = r + offset * args.tt_repeats
            cache = out / f"tt.{run_name.replace(':', '-')}.r{rr}.talp.gz"
            slug = "".join(c if c.isalnum() else "-" for c in cname).strip("-")
            cnt_cache = out / f"tt.{slug}.r{rr}.counts-crf{args.crf_iterations}.npy"
            if cache.exists() and cnt_cache.exists():
                # CRF predictions scored earlier on these cached alignments (CRF training is deterministic)
                cnt = np.load(cnt_cache)
                counts.setdefault((cname, "ilp+CRF"), []).append(cnt)
                run_f1.setdefault((cname, "ilp+CRF"), []).append(float(f1_of(cnt.sum(axis=0))[-1]))
                continue
            if cache.exists():
                stat = load_alignments(cache)
            else:
                b, pri = runs[run_name]
                stat = EflomalAligner(bitext=bitext_sources(b), priors=pri, prefix_len=PREFIX_LEN).align(src_tok, tgt_tok)
                save_alignments(cache, stat)
            t1 = time.perf_counter()
            al = [combine_alignments([a, b], "augment") for a, b in zip(stat, lexical)]
            if with_lex:
                al = [a.union(b) for a, b in zip(al, lex_links)]
            proj = ilp_lex if with_lex else ilp
            projected = [proj(s, t, a) for s, t, a in zip(english, targets, al)]
            t2 = time.perf_counter()
            crf = CRFTagger(max_iterations=args.crf_iterations).fit(projected)
            pred = [s.with_spans(p) for s, p in zip(test, crf.predict([s.tokens for s in test]))]
            t3 = time.perf_counter()
            cnt = sentence_counts(test, pred)
            np.save(cnt_cache, cnt)
            counts.setdefault((cname, "ilp+CRF"), []).append(cnt)
            run_f1.setdefault((cname, "ilp+CRF"), []).append(float(f1_of(cnt.sum(axis=0))[-1]))
            info["seconds"][f"{cname} r{r}"] = [round(t1 - t0, 1), round(t2 - t1, 1), round(t3 - t2, 1)]
            print(f"[translate-train] {cname} repeat {r}: align {t1 - t0:.0f}s, project {t2 - t1:.0f}s, "
                  f"CRF {t3 - t2:.0f}s, F1 {100 * run_f1[(cname, 'ilp+CRF')][-1]:.2f}", flush=True)
    info["rows"] = summarise(counts, run_f1, idx)
    return info


def fmt_ci(v, ci) -> str:
    return f"{100 * v:.1f} [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def table(setting: str, rows: list[dict]) -> list[str]:
    lines = ["| condition | method | F1 [95% CI] | run sd | ΔF1 vs text [95% CI] | p | PER | ORG | LOC | MISC |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["method"], ORDER.index(r["condition"]))):
        d = r.get("delta")
        dtxt = f"{100 * d['f1']:+.1f} [{100 * d['ci'][0]:+.1f}, {100 * d['ci'][1]:+.1f}]" if d else "—"
        ptxt = f"{d['p']:.3f}" if d else "—"
        pt = r["per_type"]
        types = " | ".join(
            f"{100 * pt[t]['f1']:.1f}" + (f" ({100 * d['per_type'][t]['f1']:+.1f})" if d else "") for t in TYPES)
        sd = "—" if r["run_sd"] is None else f"{100 * r['run_sd']:.2f}"
        lines.append(f"| {r['condition']} | {r['method']} | {fmt_ci(r['f1'], r['ci'])} | {sd} | "
                     f"{dtxt} | {ptxt} | {types} |")
    return lines


ORDER = ["text", "+a captions (task 1)", "+b lexicon (task 2)", "+c both", "b ablation: priors only",
         "b ablation: links only", "b ablation: scorer only", "text, another eflomal run"]


def print_table(setting: str, rows: list[dict]) -> None:
    print(f"\n## setting: {setting}")
    print("\n".join(table(setting, rows)), flush=True)


def args_repeats(res: dict) -> int:
    return len(res["rows"][0]["runs"]) if res.get("rows") else 0


def write_docs(results: dict) -> None:
    doc = ROOT / "docs" / "image-text.md"
    parts = []
    for setting, res in results["settings"].items():
        if setting == "translate-train":
            parts.append(f"**Setting `translate-train`** — CoNLL-2003 English train ({res['train_pairs']:,} "
                         f"sentences) projected onto its DeepL German translation (eflomal also trains on "
                         f"{res['bitext_pairs']:,} DeepL dev/test pairs), ILP matching, CRF "
                         f"({res['crf_iterations']} iterations) trained on the projections, scored on German "
                         f"CoNLL test ({res['test_sentences']:,} sentences); {args_repeats(res)} eflomal run(s) "
                         f"per condition.\n")
            parts.extend(table(setting, res["rows"]))
            parts.append("")
            continue
        parts.append(f"**Setting `{setting}`** — text bitext: {res['text_pairs']:,} pairs "
                     f"({', '.join(res['text_bitext']) or 'none: the 799 Europarl pairs only'}); "
                     f"caption translations: {res['caption_pairs']:,} pairs.\n")
        parts.extend(table(setting, res["rows"]))
        parts.append("")
    lex = results["lexicon"]
    images = f"{lex['images']:,}" if lex.get("images") else "?"
    parts.append(f"Lexicon: {lex['entries']:,} entries from {images} images; "
                 f"{lex['europarl_links']:,} lexicon links in the 799 Europarl pairs, "
                 f"{lex['europarl_links_in_entities']:,} of them on source entity tokens.\n")
    parts.append(f"Most frequent lexicon links in Europarl (en → {results['lang']}, times linked, Dice): "
                 + ", ".join(f"{a} → {b} ({n}, {sc:.2f})" for a, b, n, sc in lex["europarl_top"][:15]) + ".\n")
    parts.append("Lexicon links on source entity tokens: "
                 + (", ".join(f"{a} → {b} ({n}, {sc:.2f})" for a, b, n, sc in lex["europarl_top_in_entities"][:15])
                    or "none") + ".\n")
    replace_block(doc, "image-text-results", "\n".join(parts), title="Image-text data")


if __name__ == "__main__":
    sys.exit(main())
