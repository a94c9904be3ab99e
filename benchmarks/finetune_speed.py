"""Fine-tuning speed of the transformers tagger on English CoNLL-2003 (CPU).

Times ``--steps`` optimisation steps of :func:`projner.ner.hf_train.train_loop` for each
setting (frozen word embeddings or not, bf16 autocast or not, length buckets or not) and
extrapolates to one epoch over the training set; ``--full`` instead trains one full
epoch with the chosen setting and saves the model (``--save DIR``), scoring it on the
CoNLL test set. Report the machine load next to the numbers (printed).

    python benchmarks/finetune_speed.py --encoder /work/cache/e5-small --steps 40
    flock /work/heavy.lock nice -n 5 python benchmarks/finetune_speed.py --encoder DIR --full \\
        --save /work/cache/models/e5-en-conll
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from masakhaner import read_tagged  # noqa: E402

SETTINGS = {
    "plain (fp32, all weights, random batches)": dict(freeze_embeddings=False, bf16="off", bucket=False),
    "frozen embeddings": dict(freeze_embeddings=True, bf16="off", bucket=False),
    "frozen + buckets": dict(freeze_embeddings=True, bf16="off", bucket=True),
    "frozen + buckets + bf16 (default)": dict(freeze_embeddings=True, bf16="auto", bucket=True),
}


def conll(data: Path, split: str):
    sents = read_tagged(data / "original" / "en" / f"en.conll.{split}.tsv.gz", keep=("PER", "ORG", "LOC", "MISC"))
    return [s for s in sents if s.tokens != ["-DOCSTART-"]]


def probe(args, train) -> None:
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from projner.ner.hf_train import TrainOptions, encode, train_loop

    labels = sorted({s.label for x in train for s in x.spans})
    tagset = ["O"] + [f"{p}-{l}" for l in labels for p in ("B", "I")]
    label2id = {t: i for i, t in enumerate(tagset)}
    tok = AutoTokenizer.from_pretrained(args.encoder, local_files_only=True)
    data = encode(tok, train, label2id, 128)
    n = args.steps * args.batch_size
    for name, kw in SETTINGS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        model = AutoModelForTokenClassification.from_pretrained(args.encoder, local_files_only=True,
                                                                num_labels=len(tagset))
        opt = TrainOptions(epochs=1, batch_size=args.batch_size, **kw)
        # the first steps warm up kernels; time a slice of the shuffled corpus
        sample = [data[i] for i in torch.randperm(len(data), generator=torch.Generator().manual_seed(0))[:n].tolist()]
        st = train_loop(model, sample, opt, tok.pad_token_id, torch.device("cpu"))
        per_epoch = st["seconds"] / st["steps"] * (len(data) / args.batch_size) / 60
        print(f"{name:<40} {st['seconds'] / st['steps']:.3f} s/step  -> one epoch of {len(data)} sentences "
              f"~{per_epoch:.1f} min  (load {os.getloadavg()[0]:.2f})", flush=True)


def full(args, train, test) -> None:
    from projner.evaluate import evaluate
    from projner.ner.hf import HFTagger

    t0 = time.perf_counter()
    load0 = os.getloadavg()
    tagger = HFTagger.fit(args.encoder, train, args.save, epochs=args.epochs, batch_size=args.batch_size,
                          log=lambda m: print(" ", m, flush=True))
    secs = time.perf_counter() - t0
    pred = tagger.predict([s.tokens for s in test])
    rep = evaluate(test, [s.with_spans(p) for s, p in zip(test, pred)]).as_dict()
    print(json.dumps({"sentences": len(train), "seconds_total": round(secs, 1), "training": tagger.training,
                      "load_before": load0, "load_after": os.getloadavg(),
                      "test_f1": round(rep["overall"]["f1"] * 100, 2),
                      "per_type": {k: round(v["f1"] * 100, 2) for k, v in rep["per_type"].items()}}, indent=1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="easy_label_projection_ner folder")
    ap.add_argument("--encoder", required=True)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--only", nargs="*", help="probe only the settings whose name contains one of these")
    ap.add_argument("--limit", type=int, default=None, help="--full: first N training sentences only")
    ap.add_argument("--eval-limit", type=int, default=None, help="--full: score on the first N test sentences")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--save", default=None)
    args = ap.parse_args(argv)
    data = args.data or Path(os.environ.get("PROJNER_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
    if args.data is None:
        data = data / "easy_label_projection_ner"
    train = conll(data, "train")
    if args.limit:
        train = train[: args.limit]
    if args.full:
        if not args.save:
            ap.error("--full needs --save DIR")
        full(args, train, conll(data, "test")[: args.eval_limit])
    else:
        probe(args, train)
    return 0


if __name__ == "__main__":
    sys.exit(main())
