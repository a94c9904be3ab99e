"""Translate-train benchmark on the DeepL translations of English CoNLL-2003.

For a target language L (de, es; it, nl when present) in
``easy_label_projection_ner``:

1. read the English gold train set and the DeepL en→L translations (the
   tokenised target side of ``automatic_projections/en2L/DeepL.50000.*.train.tsv``;
   sentences at English ``-DOCSTART-`` positions are dropped);
2. project the English gold onto the translations with projner's default
   configuration (``eflomal+lexical`` aligner, ``ilp`` candidate matching) —
   eflomal also trains on the DeepL dev/test translations as extra bitext
   (unlabelled text of the same corpus, as an aligner user would);
3. train the same CRF (same features, same settings) on: projner's projections,
   the published awesome-align, SimAlign and fast_align (+ mgiza with
   ``--mgiza``) projections of the same translations, and the target gold train
   set (upper bound);
4. evaluate every CRF on the target gold test set (entity-level micro F1,
   seqeval semantics) and print a table.

Labels that the target gold test set does not use (e.g. MISC for Italian) are
dropped from every training source alike.

    python benchmarks/translate_train.py --lang de --lang es
    python benchmarks/translate_train.py --lang it --json it.json
    python benchmarks/translate_train.py --lang de --lang es --projner-only \
        --config configs/neural-vote.yaml --encoder /path/to/e5-small
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from projner.config import ProjectionConfig, load_config
from projner.evaluate import evaluate
from projner.ner.crf import CRFTagger
from projner.pipelines import align_corpus, prepare_source, project_corpus
from projner.types import Sentence, iob_to_spans

PUBLISHED = ("awesome", "simalign", "fast_align")


def read_blocks(path: Path) -> list[list[tuple[str, str]]]:
    """Blank-line separated blocks of ``TOKEN TAG`` lines, DOCSTART blocks kept."""
    blocks: list[list[tuple[str, str]]] = []
    cur: list[tuple[str, str]] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                if cur:
                    blocks.append(cur)
                    cur = []
                continue
            parts = line.rsplit(" ", 1) if " " in line else line.rsplit("\t", 1)
            tok, tag = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "O")
            cur.append((tok.strip() or "_", tag.strip()))
    if cur:
        blocks.append(cur)
    return blocks


def is_docstart(block) -> bool:
    return len(block) == 1 and block[0][0] == "-DOCSTART-"


def to_sentence(block, keep: set[str] | None = None) -> Sentence:
    toks = [t.replace(" ", "_") for t, _ in block]
    spans = [s for s in iob_to_spans([g for _, g in block]) if keep is None or s.label in keep]
    return Sentence(toks, spans)


def gold_file(data: Path, lang: str, split: str) -> Path:
    hits = sorted((data / "original" / lang).glob(f"{lang}.*.{split}.tsv.gz"))
    if not hits:
        raise SystemExit(f"no {split} file for {lang} under {data / 'original' / lang}")
    return hits[0]


def mt_bitext(data: Path, lang: str, systems: list[str]) -> list[tuple[list[str], list[str]]]:
    """English CoNLL sentences with other MT systems' translations (unlabelled bitext for
    the statistical aligner); degenerate outputs (> 3x source length + 5) are skipped."""
    pairs: list[tuple[list[str], list[str]]] = []
    proj_dir = data / "automatic_projections" / f"en2{lang}"
    for system in systems:
        for split in ("train", "dev", "test"):
            en_path = data / "original" / "en" / f"en.conll.{split}.tsv.gz"
            tg_path = proj_dir / f"{system}.50000.awesome.{split}.tsv.gz"
            if not (en_path.exists() and tg_path.exists()):
                continue
            en_b, tg_b = read_blocks(en_path), read_blocks(tg_path)
            if len(en_b) != len(tg_b):
                continue
            for a, b in zip(en_b, tg_b):
                if not is_docstart(a) and len(b) <= 3 * len(a) + 5:
                    pairs.append(([t for t, _ in a], [t for t, _ in b]))
    return pairs


def load_language(data: Path, lang: str, limit: int | None, mgiza: bool):
    en_blocks = read_blocks(gold_file(data, "en", "train"))
    keep_idx = [i for i, b in enumerate(en_blocks) if not is_docstart(b)]
    test = [to_sentence(b) for b in read_blocks(gold_file(data, lang, "test")) if not is_docstart(b)]
    labels = {s.label for t in test for s in t.spans}
    english = [to_sentence(en_blocks[i], labels) for i in keep_idx]
    proj_dir = data / "automatic_projections" / f"en2{lang}"
    published: dict[str, list[Sentence]] = {}
    for aligner in PUBLISHED + (("mgiza",) if mgiza else ()):
        path = proj_dir / f"DeepL.50000.{aligner}.train.tsv.gz"
        if not path.exists():
            print(f"  (no published {aligner} projection: {path} is missing; skipped)", flush=True)
            continue
        blocks = read_blocks(path)
        if len(blocks) != len(en_blocks):
            raise SystemExit(f"{aligner}: {len(blocks)} sentences, English has {len(en_blocks)}")
        published[aligner] = [to_sentence(blocks[i], labels) for i in keep_idx]
    if not published:
        raise SystemExit(f"no DeepL projections under {proj_dir}")
    # target tokens for projner: a non-awesome file if any (awesome glues a few "):" tokens)
    tok_source = next((a for a in ("simalign", "fast_align", "mgiza") if a in published), next(iter(published)))
    targets = [s.with_spans(()) for s in published[tok_source]]
    # extra bitext: DeepL dev/test translations with their English sources (no labels used)
    bitext: list[tuple[list[str], list[str]]] = []
    for split in ("dev", "test"):
        en_path = data / "original" / "en" / f"en.conll.{split}.tsv.gz"
        tg_path = proj_dir / f"DeepL.50000.{tok_source}.{split}.tsv.gz"
        if not (en_path.exists() and tg_path.exists()):
            continue
        en_b = read_blocks(en_path)
        tg_b = read_blocks(tg_path)
        if len(en_b) == len(tg_b):
            bitext += [([t for t, _ in a], [t for t, _ in b]) for a, b in zip(en_b, tg_b) if not is_docstart(a)]
    gold_train = [to_sentence(b) for b in read_blocks(gold_file(data, lang, "train")) if not is_docstart(b)]
    if limit:
        english, targets = english[:limit], targets[:limit]
        published = {k: v[:limit] for k, v in published.items()}
        gold_train = gold_train[:limit]
    return english, targets, published, gold_train, test, bitext, labels


def write_bitext(pairs, folder: str) -> tuple[str, str]:
    src, tgt = os.path.join(folder, "bitext.en"), os.path.join(folder, "bitext.tgt")
    with open(src, "w", encoding="utf-8") as fs, open(tgt, "w", encoding="utf-8") as ft:
        for a, b in pairs:
            fs.write(" ".join(a) + "\n")
            ft.write(" ".join(b) + "\n")
    return src, tgt


def train_eval(name: str, train: list[Sentence], test: list[Sentence], args) -> dict:
    t0 = time.perf_counter()
    crf = CRFTagger(max_iterations=args.max_iterations, c1=args.c1, c2=args.c2).fit(train)
    t_train = time.perf_counter() - t0
    pred_spans = crf.predict([s.tokens for s in test])
    pred = [s.with_spans(p) for s, p in zip(test, pred_spans)]
    rep = evaluate(test, pred).as_dict()
    row = {
        "source": name,
        "f1": rep["overall"]["f1"],
        "precision": rep["overall"]["precision"],
        "recall": rep["overall"]["recall"],
        "per_type": {k: v["f1"] for k, v in rep.get("per_type", {}).items()},
        "train_sentences": len(train),
        "train_entities": sum(len(s.spans) for s in train),
        "train_seconds": round(t_train, 1),
    }
    print(f"  {name:<22} F1 {row['f1'] * 100:6.2f}  (P {row['precision'] * 100:.1f} R {row['recall'] * 100:.1f}) "
          f"entities {row['train_entities']:>6}  train {t_train:6.1f}s", flush=True)
    return row


def run_language(lang: str, args) -> dict:
    print(f"== en -> {lang}", flush=True)
    english, targets, published, gold_train, test, bitext, labels = load_language(
        args.data, lang, args.limit, args.mgiza
    )
    if args.extra_mt:
        bitext += mt_bitext(args.data, lang, args.extra_mt.split(","))
    print(f"  {len(english)} train pairs, {len(test)} test sentences, labels {sorted(labels)}, "
          f"{len(bitext)} extra bitext pairs", flush=True)
    out = {"lang": lang, "rows": []}
    with tempfile.TemporaryDirectory(prefix="projner-bench-") as tmp:
        overrides = {"encoder": args.encoder}
        if not args.no_bitext and bitext:
            overrides["bitext"] = [list(write_bitext(bitext, tmp))]
        config = load_config(args.config, overrides)
        t0 = time.perf_counter()
        aligns = align_corpus([prepare_source(s, config) for s in english], targets, config)
        t_align = time.perf_counter() - t0
    print(f"  aligned with {config.aligner} in {t_align:.1f}s", flush=True)
    out["align_seconds"] = round(t_align, 1)
    n_src = sum(len(s.spans) for s in english)
    sources = []
    for method in args.method or [config.method]:
        cfg = config.model_copy(update={"method": method})
        t0 = time.perf_counter()
        projected, _ = project_corpus(english, targets, cfg, aligns)
        t_proj = time.perf_counter() - t0
        n_proj = sum(len(s.spans) for s in projected)
        default = " default" if method == ProjectionConfig().method else ""
        print(f"  projner {method}{default}: projected {n_proj}/{n_src} entities in {t_proj:.1f}s", flush=True)
        out.setdefault("projection", {})[method] = {"seconds": round(t_proj, 2), "ratio": round(n_proj / max(n_src, 1), 4)}
        sources.append((f"projner ({config.aligner}, {method}{default})", projected))
    if not args.projner_only:
        sources += [(name, sents) for name, sents in published.items()]
        sources.append(("target gold (upper)", gold_train))
    for name, train in sources:
        out["rows"].append(train_eval(name, train, test, args))
    return out


def markdown(results: list[dict], args) -> str:
    langs = [r["lang"] for r in results]
    names = list(dict.fromkeys(row["source"] for r in results for row in r["rows"]))
    lines = [
        "| training data | " + " | ".join(f"{l} F1" for l in langs) + " | " + " | ".join(f"{l} train s" for l in langs) + " |",
        "|---|" + "---:|" * (2 * len(langs)),
    ]
    for name in names:
        cells = []
        times = []
        for r in results:
            row = next((x for x in r["rows"] if x["source"] == name), None)
            cells.append(f"{row['f1'] * 100:.2f}" if row else "–")
            times.append(f"{row['train_seconds']:.0f}" if row else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(times) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="easy_label_projection_ner folder "
                    "(default: $PROJNER_DATA/easy_label_projection_ner or ../shared/data/...)")
    ap.add_argument("--lang", action="append", help="target language(s), default de and es")
    ap.add_argument("--max-iterations", type=int, default=100, help="CRF L-BFGS iterations (bounds training time)")
    ap.add_argument("--c1", type=float, default=0.05)
    ap.add_argument("--c2", type=float, default=0.05)
    ap.add_argument("--method", action="append", help="projection method(s) to compare, repeatable "
                    "(default: projner's default); the alignment is computed once")
    ap.add_argument("--no-bitext", action="store_true", help="align the train pairs alone (no DeepL dev/test bitext)")
    ap.add_argument("--extra-mt", default=None, help="comma-separated MT systems (MarianMT, m2m100, "
                    "Mbart_many2many) whose translations of English CoNLL are added as aligner bitext")
    ap.add_argument("--config", type=Path, default=None,
                    help="projection configuration for projner's row (default: the default configuration), "
                         "e.g. configs/neural-vote.yaml")
    ap.add_argument("--encoder", default=None, help="encoder folder for configs with an embedding aligner")
    ap.add_argument("--mgiza", action="store_true", help="also train on the published mgiza projections")
    ap.add_argument("--projner-only", action="store_true", help="train only on projner's projections (config search)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N training sentences (smoke runs)")
    ap.add_argument("--json", type=Path, default=None, help="write the results as JSON")
    args = ap.parse_args(argv)
    if args.data is None:
        base = Path(os.environ.get("PROJNER_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
        args.data = base / "easy_label_projection_ner"
    langs = args.lang or ["de", "es"]
    results = []
    t0 = time.perf_counter()
    for lang in langs:
        results.append(run_language(lang, args))
    table = markdown(results, args)
    print()
    print(table)
    print(f"\ntotal {time.perf_counter() - t0:.0f}s; CRF max_iterations={args.max_iterations} c1={args.c1} c2={args.c2}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "table": table, "args": {
            k: str(v) for k, v in vars(args).items()}}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
