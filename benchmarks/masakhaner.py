"""MasakhaNER 2.0 translate-train: projner's projection vs T-Projection, and model transfer.

For each language (hau, swa, yor, zul; any folder of ``masakhaner_translate_train``):

1. project the English CoNLL train gold (MISC dropped) onto its NLLB translations with
   projner's default configuration and the recommended one (``configs/neural-vote.yaml``,
   needs ``--encoder``); alignments are seeded (``--seed``), so reruns are identical;
2. train the same tagger (``--tagger crf``: the CRF; ``transformer``: fine-tuned with
   :class:`projner.ner.hf.HFTagger` from the encoder, or with ``--init en-model`` from the
   English NER model, continuing its training: translate-train's usual recipe) on each
   projection and on T-Projection's labels of the same translations (``--mix-english N``:
   plus the first N English gold sentences);
3. with ``--tagger transformer``, also apply the English model (``--en-model``) to the
   target text (model transfer);
4. score on MasakhaNER 2.0 (``--split test``; ``dev`` for tuning) with PER/ORG/LOC
   (DATE ignored), and print one table: F1, paired-bootstrap 95% intervals of each
   difference to T-Projection's row, projection time and agreement with T-Projection
   (entity-level F1 of projner's projection against T-Projection's labels).

Gold is read the seqeval way (an ``I-X`` after ``O`` begins an entity).

    python benchmarks/masakhaner.py --encoder /work/cache/e5-small --cache /work/cache/masakhaner
    python benchmarks/masakhaner.py --langs zul --no-recommended --split dev
    python benchmarks/masakhaner.py --tagger transformer --encoder DIR --en-model DIR --limit 4000
    python benchmarks/masakhaner.py --tagger transformer --encoder DIR --en-model DIR --init en-model \
        --no-tproj --no-recommended --split dev

Alignments and trained taggers are cached under ``--cache`` (keyed by the inputs and
settings), so a rerun after a change to the projection only redoes what changed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from projner.config import load_config
from projner.evaluate import evaluate
from projner.pipelines import fit_projector, make_projector, prepare_source
from projner.project.quality import SentenceFilter, filter_corpus
from projner.types import Alignment, Sentence, Span, iob_to_spans

LABELS = ("PER", "ORG", "LOC")
LANGS = ("hau", "swa", "yor", "zul")
ROOT = Path(__file__).resolve().parents[1]


def read_tagged(path: Path, keep=LABELS) -> list[Sentence]:
    """``TOKEN<sep>TAG`` lines (tab or space), blank line between sentences; lenient IOB."""
    out, toks, tags = [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in list(fh) + [""]:
            line = line.rstrip("\n")
            if not line.strip():
                if toks:
                    spans = [s for s in iob_to_spans(tags) if s.label in keep]
                    out.append(Sentence(toks, spans))
                toks, tags = [], []
                continue
            parts = line.rsplit("\t", 1) if "\t" in line else line.rsplit(" ", 1)
            toks.append(parts[0].strip() or "_")
            tags.append(parts[1].strip() if len(parts) == 2 else "O")
    return out


def read_lang(data: Path, lang: str, split: str, limit: int | None, attach: bool = False):
    base = data / "masakhaner_translate_train" / lang
    english = read_tagged(base / "en.conll.gz", keep=LABELS + ("MISC",))
    with gzip.open(base / "tgt.txt.gz", "rt", encoding="utf-8") as fh:
        targets = [Sentence(line.split() or ["_"]) for line in fh]
    tproj = read_tagged(base / "tproj.conll.gz")
    if not len(english) == len(targets) == len(tproj):
        raise SystemExit(f"{lang}: {len(english)} English, {len(targets)} translations, {len(tproj)} T-Projection")
    for i, (t, p) in enumerate(zip(targets, tproj)):
        if t.tokens != p.tokens:  # T-Projection's tokens are the reference
            targets[i] = Sentence(p.tokens)
    if attach:  # tone marks glued back onto their letters, on the translations and T-Projection's labels alike
        from projner.text.marks import attach_marks_sentence

        targets = [attach_marks_sentence(t) for t in targets]
        tproj = [attach_marks_sentence(t) for t in tproj]
    gold = read_tagged(data / "masakhaner2" / lang / f"{split}.txt.gz")
    if limit:
        english, targets, tproj = english[:limit], targets[:limit], tproj[:limit]
    return english, targets, tproj, gold


def digest(*parts) -> str:
    h = hashlib.sha1()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def code_key(*folders: str) -> str:
    """Hash of projner's source under ``folders`` (a cached result is only reused by the same code)."""
    h = hashlib.sha1()
    pkg = Path(__import__("projner").__file__).parent
    for folder in folders:
        for path in sorted((pkg / folder).rglob("*.py")) if (pkg / folder).is_dir() else [pkg / folder]:
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def corpus_key(sents) -> str:
    h = hashlib.sha1()
    for s in sents:
        h.update(("\x01".join(s.tokens) + "\x02" + " ".join(s.tags()) + "\n").encode())
    return h.hexdigest()[:16]


class CachedAligner:
    """An aligner whose links are kept in ``folder/KEY.npz`` (KEY: inputs and settings)."""

    def __init__(self, inner, folder: Path | None, key: str) -> None:
        self.inner, self.folder, self.key = inner, folder, key
        self.name = getattr(inner, "name", "?")
        self.seconds = self.wall = 0.0

    def align(self, src, tgt):
        t0 = time.perf_counter()
        try:
            return self._align(src, tgt)
        finally:
            self.wall = time.perf_counter() - t0

    def _align(self, src, tgt):
        path = None if self.folder is None else self.folder / f"align-{self.key}-{digest(src, tgt)}.npz"
        if path is not None and path.exists():
            z = np.load(path)
            self.seconds = float(z["seconds"])
            cuts = z["cuts"]
            return [Alignment(z["links"][a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
        t0 = time.perf_counter()
        out = self.inner.align(src, tgt)
        self.seconds = time.perf_counter() - t0
        if path is not None:
            links = [a.links.reshape(-1, 2) for a in out]
            cuts = np.concatenate([[0], np.cumsum([len(x) for x in links])])
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, links=np.concatenate(links).astype(np.int32), cuts=cuts, seconds=self.seconds)
            os.replace(tmp, path)
        return out


def cached_aligner(config, cache: Path | None):
    """The configuration's aligner with its non-lexical members cached (lexical links are
    recomputed, so a change to lexical linking is measured without re-running eflomal)."""
    from projner.align.combine import CombinedAligner
    from projner.pipelines import make_aligner

    aligner = make_aligner(config)
    # the key of a member: its options with the run's lowercase and seed, and projner's align/ code
    opts = {n: {**config.aligner_options.get(n, {}), "lowercase": config.lowercase, "seed": config.seed}
            for n in ("eflomal", "embedding", "simalign")}
    if isinstance(aligner, CombinedAligner):
        names = [p.strip() for p in config.aligner.replace("|", "+").replace("&", "+").split("+")]
        code = code_key("align")  # eflomal's input and priors are built by projner's code: new code, new links
        aligner.members = [m if n == "lexical" else CachedAligner(m, cache, digest(n, opts.get(n), config.seed,
                                                                                 config.lowercase, config.encoder, code))
                           for n, m in zip(names, aligner.members)]
        return aligner
    if config.aligner == "lexical":
        return aligner
    return CachedAligner(aligner, cache, digest(config.aligner, config.aligner_options, config.seed,
                                                config.lowercase, config.encoder, code_key("align")))


def project(english, targets, config, cache):
    """Align (cached) and project (cached, keyed by projner's code); returns (projected
    targets, seconds for align + project, sources)."""
    sources = [prepare_source(s, config) for s in english]
    path = None if cache is None else cache / f"projected-{digest(code_key('.'), str(config), corpus_key(english), corpus_key(targets))}.json.gz"
    if path is not None and path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        projected = [Sentence(t, [Span(a, b, lab, sc) for a, b, lab, sc in sp])
                     for t, sp in zip(data["tokens"], data["spans"])]
        return projected, data["seconds"], sources
    projected, seconds = _project(sources, targets, config, cache)
    if path is not None:
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            json.dump({"seconds": seconds, "tokens": [list(p.tokens) for p in projected],
                       "spans": [[[x.start, x.end, x.label, x.score] for x in p.spans] for p in projected]}, fh)
        os.replace(tmp, path)
    return projected, seconds, sources


def _project(sources, targets, config, cache):
    t0 = time.perf_counter()
    aligner = cached_aligner(config, cache)
    aligns = aligner.align([s.tokens for s in sources], [t.tokens for t in targets])
    t_align = time.perf_counter() - t0
    members = [m for m in getattr(aligner, "members", [aligner]) if isinstance(m, CachedAligner)]
    t1 = time.perf_counter()
    projector = make_projector(config)
    fit_projector(projector, sources, targets)
    projected = [projector(s, t, a) for s, t, a in zip(sources, targets, aligns)]
    t_proj = time.perf_counter() - t1
    # time as if nothing had been cached: the recorded time of cached members replaces their load time
    seconds = t_align + t_proj + sum(m.seconds - m.wall for m in members)
    return projected, seconds


def train_tagger(name: str, train, args, cache: Path | None):
    """Train (or load from the cache) a tagger on ``train``; returns an object with ``predict``."""
    key = digest(name, args.tagger, corpus_key(train), code_key("ner", "text"),
                 args.crf if args.tagger == "crf" else {**args.hf, "base": args.base})
    folder = None if cache is None else cache / f"{args.tagger}-{key}"
    from projner.ner import load_tagger

    if folder is not None and folder.exists():
        return load_tagger(folder)
    t0 = time.perf_counter()
    if args.tagger == "crf":
        from projner.ner.crf import CRFTagger

        tagger = CRFTagger(**args.crf).fit(train)
        if folder is not None:
            tagger.save(folder)
    else:
        from projner.ner.hf import HFTagger

        out = folder or Path(args.tmp) / f"hf-{key}"
        tagger = HFTagger.fit(args.base, train, out, **args.hf, log=lambda m: print(f"    {m}", flush=True))
    print(f"    trained {name} in {time.perf_counter() - t0:.0f}s", flush=True)
    return tagger


def counts(gold, pred) -> np.ndarray:
    """Per sentence: (correct, predicted, gold) entity counts."""
    out = np.zeros((len(gold), 3), dtype=np.int64)
    for i, (g, p) in enumerate(zip(gold, pred)):
        gs = {(s.start, s.end, s.label) for s in g.spans}
        ps = {(s.start, s.end, s.label) for s in p}
        out[i] = len(gs & ps), len(ps), len(gs)
    return out


def f1_of(c: np.ndarray) -> np.ndarray:
    """F1 from summed counts along the last-but-one axis (vectorised over resamples)."""
    correct, pred, gold = c[..., 0], c[..., 1], c[..., 2]
    return np.where(pred + gold > 0, 2 * correct / np.maximum(pred + gold, 1), 0.0)


def bootstrap_diff(a: np.ndarray, b: np.ndarray, n: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """F1(a) − F1(b) and its paired-bootstrap 95% interval (sentences resampled)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n, len(a)))
    diffs = f1_of(a[idx].sum(axis=1)) - f1_of(b[idx].sum(axis=1))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(f1_of(a.sum(0)) - f1_of(b.sum(0))), float(lo), float(hi)


def parse_filter(spec: str) -> SentenceFilter:
    """``drop_incomplete``, ``min_span_score=0.5`` or both joined by ``,``."""
    kw: dict = {}
    for part in spec.split(","):
        key, _, val = part.partition("=")
        kw[key.strip()] = float(val) if val else True
    return SentenceFilter(**kw)


def configurations(args) -> list[tuple[str, object]]:
    base = {"ignore_labels": ["MISC"], "seed": args.seed}
    extra = json.loads(args.projection) if args.projection else None
    out = [("projner default", load_config(None, {**base, "projection": extra}))]
    if args.recommended and args.encoder:
        out.append(("projner recommended", load_config(ROOT / "configs" / "neural-vote.yaml",
                                                       {**base, "encoder": args.encoder, "projection": extra})))
    for path in args.config or []:
        out.append((f"projner {Path(path).stem}", load_config(path, {**base, "encoder": args.encoder,
                                                                      "projection": extra})))
    return out


def run_language(lang: str, args) -> dict:
    english, targets, tproj, gold = read_lang(args.data, lang, args.split, args.limit, args.attach_marks)
    print(f"== {lang}: {len(english)} train pairs, {len(gold)} {args.split} sentences", flush=True)
    cache = None if args.cache is None else args.cache / lang
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    rows, train_sets = [], []
    for name, config in configurations(args):
        projected, seconds, sources = project(english, targets, config, cache)
        agree = evaluate(tproj, projected).overall
        n_src = sum(len(s.spans) for s in sources)
        n_proj = sum(len(s.spans) for s in projected)
        print(f"  {name}: {n_proj}/{n_src} entities, {seconds:.0f}s, agreement with T-Projection "
              f"F1 {agree.f1 * 100:.1f}", flush=True)
        train_sets.append((name, projected, {"seconds": round(seconds, 1), "agreement": round(agree.f1 * 100, 2),
                                             "projected": n_proj, "source_entities": n_src}))
        _, incomplete = filter_corpus(sources, projected, SentenceFilter(drop_incomplete=True))
        scores = np.array([sp.score for t in projected for sp in t.spans if sp.score is not None])
        print(f"    {incomplete} sentences with an entity not projected; span score quartiles "
              f"{np.round(np.percentile(scores, [25, 50, 75]), 3).tolist() if len(scores) else []}", flush=True)
        for spec in args.filter or []:
            kept, dropped = filter_corpus(sources, projected, parse_filter(spec))
            print(f"    filter {spec}: {len(kept)} sentences kept, {dropped} dropped", flush=True)
            train_sets.append((f"{name} [{spec}]", kept, {"sentences": len(kept)}))
    if args.projection_only:
        return {"lang": lang, "rows": [{"name": n, **info} for n, _, info in train_sets]}
    if args.tproj:
        train_sets.append(("T-Projection", tproj, {}))
    preds = {}
    english_gold = [Sentence(s.tokens, [x for x in s.spans if x.label in LABELS]) for s in english[:args.mix_english]]
    for name, train, info in train_sets:
        tagger = train_tagger(name, list(train)[:args.train_limit] + english_gold, args, cache)
        preds[name] = tagger.predict([g.tokens for g in gold])
        rows.append({"name": name, **info})
    if args.tagger == "transformer" and args.en_model:
        from projner.ner import load_tagger

        preds[MT] = load_tagger(args.en_model).predict([g.tokens for g in gold])
        rows.append({"name": MT})
    score_rows(rows, preds, gold, args.bootstrap)
    return {"lang": lang, "rows": rows}


MT = "model transfer (en)"
REFS = (("diff", "T-Projection"), ("diff_mt", MT))


def score_rows(rows, preds, gold, n_boot) -> None:
    """F1 of every row (PER/ORG/LOC predictions only) and its paired-bootstrap difference
    to T-Projection's row and to model transfer's row, where those exist."""
    c = {name: counts(gold, [[sp for sp in p if sp.label in LABELS] for p in pr]) for name, pr in preds.items()}
    for row in rows:
        row["f1"] = round(float(f1_of(c[row["name"]].sum(0))) * 100, 2)
        text = f"  {row['name']:<24} F1 {row['f1']:6.2f}"
        for key, ref in REFS:
            if ref in c and row["name"] not in (ref, MT if key == "diff" else ""):
                d, lo, hi = bootstrap_diff(c[row["name"]], c[ref], n_boot)
                row[key] = [round(d * 100, 2), round(lo * 100, 2), round(hi * 100, 2)]
                text += f"  vs {ref} {row[key][0]:+.2f} [{row[key][1]:+.2f}, {row[key][2]:+.2f}]"
        print(text, flush=True)


def _ci(diff) -> str:
    return f"{diff[0]:+.2f} [{diff[1]:+.2f}, {diff[2]:+.2f}]" if diff else "–"


def table(results: list[dict], split: str) -> str:
    lines = [f"| language | training data | {split} F1 | − T-Projection [95% CI] | − model transfer [95% CI] | "
             "projection s | agreement with T-Projection |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for row in r["rows"]:
            lines.append(f"| {r['lang']} | {row['name']} | {row.get('f1', '–')} | {_ci(row.get('diff'))} | "
                         f"{_ci(row.get('diff_mt'))} | {row.get('seconds', '–')} | {row.get('agreement', '–')} |")
    names = [row["name"] for row in results[0]["rows"]] if results else []
    for name in names:
        vals = [row["f1"] for r in results for row in r["rows"] if row["name"] == name and "f1" in row]
        if len(vals) == len(results) and vals:
            lines.append(f"| mean | {name} | {sum(vals) / len(vals):.2f} | | | | |")
    return "\n".join(lines)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="folder holding masakhaner_translate_train and "
                    "masakhaner2 (default: $PROJNER_DATA or ../shared/data)")
    ap.add_argument("--langs", nargs="+", default=list(LANGS))
    ap.add_argument("--tagger", choices=("crf", "transformer"), default="crf")
    ap.add_argument("--split", choices=("dev", "test"), default="test", help="MasakhaNER split scored (tune on dev)")
    ap.add_argument("--encoder", default=None, help="encoder folder (recommended projection; transformer base)")
    ap.add_argument("--no-recommended", dest="recommended", action="store_false",
                    help="skip the recommended (neural-vote) projection")
    ap.add_argument("--config", action="append", help="another projection configuration to compare (repeatable)")
    ap.add_argument("--filter", action="append", help="also train on projections filtered by SPEC "
                    "(drop_incomplete, min_span_score=X, or both joined by a comma; repeatable)")
    ap.add_argument("--attach-marks", action="store_true", help="glue combining-mark tokens (Yoruba tone marks) "
                    "onto the previous token in the translations and T-Projection's labels (projner.text.marks)")
    ap.add_argument("--projection", default=None, help="JSON projection options added to every configuration")
    ap.add_argument("--en-model", default=None, help="English tagger for model transfer (transformer)")
    ap.add_argument("--no-tproj", dest="tproj", action="store_false",
                    help="do not train a tagger on T-Projection's labels (differences to model transfer only)")
    ap.add_argument("--marks", choices=("keep", "attach", "split", "auto"), default="keep",
                    help="tagger setting for combining marks written as tokens (projner.text.marks)")
    ap.add_argument("--seed", type=int, default=1, help="eflomal seed")
    ap.add_argument("--projection-only", action="store_true", help="project and report agreement only")
    ap.add_argument("--limit", type=int, default=None, help="first N training pairs only (smoke runs)")
    ap.add_argument("--train-limit", type=int, default=None,
                    help="train the taggers on the first N sentences (the projection still reads every pair)")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--max-iterations", type=int, default=100, help="CRF L-BFGS iterations")
    ap.add_argument("--epochs", type=int, default=1, help="transformer epochs")
    ap.add_argument("--init", choices=("encoder", "en-model"), default="encoder",
                    help="transformer: fine-tune from --encoder (new head) or continue from --en-model (its head "
                    "kept for PER/ORG/LOC, MISC dropped)")
    ap.add_argument("--mix-english", type=int, default=0, metavar="N",
                    help="add the first N English gold sentences (PER/ORG/LOC) to every tagger's training data")
    ap.add_argument("--cache", type=Path, default=None, help="cache folder for alignments and trained taggers")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.data is None:
        args.data = Path(os.environ.get("PROJNER_DATA") or ROOT.parent / "shared" / "data")
    args.crf = {"max_iterations": args.max_iterations, "c1": 0.05, "c2": 0.05, "marks": args.marks}
    args.hf = {"epochs": args.epochs, "marks": args.marks}
    args.tmp = None
    if args.tagger == "transformer" and not args.encoder:
        ap.error("--tagger transformer needs --encoder (the base encoder to fine-tune)")
    if args.init == "en-model" and not args.en_model:
        ap.error("--init en-model needs --en-model")
    args.base = args.en_model if args.init == "en-model" else args.encoder
    return args


def main(argv=None) -> int:
    import tempfile

    args = parse_args(argv)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="projner-masakhaner-") as tmp:
        args.tmp = tmp
        results = [run_language(lang, args) for lang in args.langs]
    out = table(results, args.split)
    print()
    print(out)
    print(f"\ntotal {time.perf_counter() - t0:.0f}s; tagger {args.tagger}; load {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "table": out,
                                         "args": {k: str(v) for k, v in vars(args).items()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
