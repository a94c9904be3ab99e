"""CTranslate2 int8 vs transformers on a CPU: same tiny model, same inputs.

Builds a small Marian model (no download; default d_model 128, 2+2 layers) and
trains it to convergence on a deterministic synthetic "translation" task: every
word of a sentence over a 41-word English vocabulary is replaced by its made-up
target word from a fixed lexicon (names and places are copied unchanged, the
first word stays capitalised, the final full stop is kept). The model thus
learns a real sequence-to-sequence mapping with attention alignment and, like
a real translation model, has confident output distributions and stops by
itself. Recipe: AdamW (lr 2e-3, 100 warm-up steps, cosine decay), batch 32,
no label smoothing, no dropout, 2000 steps on fresh random sentences of 2-36
words (about 3 minutes on one thread). The trained model is cached under
~/.cache/projner/ct2-bench/ (keyed by the training settings) and reused on
reruns (``--retrain`` trains again, ``--train-steps 0`` gives a random model).

The model is converted with CTranslate2's TransformersConverter (int8, int16,
float32); the same held-out sentences (8-30 words, excluded from training)
are translated with projner's HFTranslator and CT2Translator. The script
reports sentences per second (best of ``--repeat`` runs), the speed-up, how many
outputs are identical to transformers' and the task accuracy (outputs equal
to the expected target sentence).

    python benchmarks/ct2_speed.py --sentences 200 --threads 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the commission said on thursday it would meet ministers in brussels next week to discuss "
         "new rules for banks and markets while the government in berlin and madrid denied reports "
         "john smith maria garcia peter blackburn visited paris london vienna rome with siemens reuters").split()
NAMES = set("john smith maria garcia peter blackburn brussels berlin madrid paris london vienna rome siemens reuters".split())
TASK_VERSION = 3  # bump when the task, lexicon or training recipe changes (invalidates the cache)


def lexicon(seed: int = 7) -> dict[str, str]:
    """Source word -> made-up target word (names copied unchanged); deterministic."""
    rng = random.Random(seed)
    cons, vows = "bdfgklmnprstvz", "aeiou"
    out: dict[str, str] = {}
    used = set(WORDS)
    for w in dict.fromkeys(WORDS):
        if w in NAMES:
            out[w] = w
            continue
        while True:
            t = "".join(rng.choice(cons) + rng.choice(vows) for _ in range(rng.randint(2, 3)))
            if t not in used:
                used.add(t)
                out[w] = t
                break
    return out


def sentences(n: int, seed: int = 0, min_words: int = 8, max_words: int = 30) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(min_words, max_words)
        toks = [rng.choice(WORDS) for _ in range(k)]
        toks[0] = toks[0].capitalize()
        out.append(" ".join(toks) + " .")
    return out


def target(sentence: str, lex: dict[str, str]) -> str:
    """The expected translation of a synthetic sentence."""
    out = []
    for i, w in enumerate(sentence.split()):
        if w == ".":
            out.append(w)
            continue
        t = lex[w.lower()]
        out.append(t.capitalize() if i == 0 else t)
    return " ".join(out)


def train(model_dir: str, pairs_fn, steps: int, batch: int, lr: float, warmup: int, seed: int,
          log_every: int = 250, **config) -> float:
    """Train the Marian model on (source, target) batches from ``pairs_fn(rng, batch)``:
    AdamW, linear warm-up then cosine decay, no label smoothing, gradient clipping 1.0;
    ``config`` overrides model settings (e.g. ``dropout``, ``scale_embedding``) and is saved."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    torch.manual_seed(seed)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir, **config)
    model.train()
    emb, pad = model.get_input_embeddings().weight, model.config.pad_token_id
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    rng = random.Random(10_000 + seed)  # not the stream of the evaluation sentences (seed 0)
    t0 = time.perf_counter()
    avg = float("nan")
    for step in range(steps):
        src, tgt = pairs_fn(rng, batch)
        enc = tok(src, text_target=tgt, return_tensors="pt", padding=True)
        enc["labels"][enc["labels"] == tok.pad_token_id] = -100
        loss = model(**enc).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():  # Marian's decoder starts from a zero embedding (the <pad> row), which the
            emb[pad].zero_()   # tied output projection would otherwise train; CTranslate2 assumes zero
        sched.step()
        opt.zero_grad()
        value = loss.item()
        avg = value if step == 0 else 0.95 * avg + 0.05 * value
        if log_every and (step + 1) % log_every == 0:
            print(f"  step {step + 1}/{steps}: loss {avg:.4f} ({time.perf_counter() - t0:.0f}s)", flush=True)
    model.eval()
    model.save_pretrained(model_dir)
    if steps:
        print(f"trained {steps} steps in {time.perf_counter() - t0:.0f}s, final training loss {avg:.4f}", flush=True)
    return avg


def snap_to_int8(model_dir: str) -> None:
    """Make every weight matrix exactly representable with int8 and one scale per
    row (the layout CTranslate2 uses), like a quantisation-aware trained model:
    int8 conversion then loses nothing on the weights, and only the dynamic
    quantisation of activations differs from float32."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                scale = p.abs().amax(dim=1, keepdim=True).clamp_min(1e-8) / 127.0
                p.copy_(torch.round(p / scale) * scale)
    model.save_pretrained(model_dir)


def timed(fn, texts, repeat):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(texts)
        best = min(best, time.perf_counter() - t0)
    return out, best


def trained_model(args, eval_texts: list[str], lex: dict[str, str], scratch: Path) -> tuple[str, str]:
    """Path of the trained model (from the cache when possible; in ``scratch`` with ``--no-cache``)
    and a note on where it came from."""
    from projner.translate.tiny import build_marian

    settings = {"task": TASK_VERSION, "d_model": args.d_model, "layers": args.layers, "ffn": args.ffn,
                "heads": args.heads, "steps": args.train_steps, "batch": args.train_batch, "lr": args.lr,
                "warmup": args.warmup, "seed": args.seed, "train_words": [args.train_min_words, args.train_max_words]}
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    cache = Path(args.cache_dir) / f"marian-{key}"
    if (cache / "config.json").exists() and not args.retrain:
        return str(cache), f"trained model reused from {cache}"
    held_out = set(eval_texts)
    # SentencePiece text: both word lists (lower case and capitalised) plus 50 sentence pairs give about
    # one piece per word and no <unk> on both sides (sentences alone give character-like pieces here)
    corpus_src = sentences(50, seed=1)
    words = sorted(set(WORDS) | set(lex.values()))
    corpus = words + [w.capitalize() for w in words] + corpus_src + [target(s, lex) for s in corpus_src]

    def pairs(rng: random.Random, n: int):
        src = []
        while len(src) < n:
            k = rng.randint(args.train_min_words, args.train_max_words)
            toks = [rng.choice(WORDS) for _ in range(k)]
            toks[0] = toks[0].capitalize()
            s = " ".join(toks) + " ."
            if s not in held_out:  # never train on this run's evaluation sentences (other random
                src.append(s)      # 8-30-word sentences coincide with a training one practically never)
                continue
        return src, [target(s, lex) for s in src]

    if not args.no_cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = scratch if args.no_cache else Path(tempfile.mkdtemp(prefix="marian-", dir=cache.parent))
    try:
        model = build_marian(tmp / "marian", d_model=args.d_model, layers=args.layers, ffn=args.ffn,
                             heads=args.heads, vocab_size=800, seed=args.seed, sentences=corpus)
        if args.train_steps:
            print(f"training Marian d_model={args.d_model} layers={args.layers} on the lexicon task "
                  f"({args.train_steps} steps, batch {args.train_batch}, lr {args.lr}) ...", flush=True)
        # no dropout (the data are unlimited), embeddings scaled by sqrt(d_model) as in Opus-MT models
        train(model, pairs, args.train_steps, args.train_batch, args.lr, args.warmup, args.seed,
              dropout=0.0, scale_embedding=True)
        if args.no_cache:
            return model, "trained now (not cached)"
        if cache.exists():
            shutil.rmtree(cache)
        shutil.move(model, cache)
        (cache / "projner_bench.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
        return str(cache), f"trained now, cached in {cache}"
    finally:
        if not args.no_cache:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=200, help="held-out sentences to translate")
    ap.add_argument("--min-words", type=int, default=8, help="shortest evaluation sentence (words)")
    ap.add_argument("--max-words", type=int, default=30, help="longest evaluation sentence (words)")
    ap.add_argument("--train-min-words", type=int, default=2, help="shortest training sentence (words)")
    ap.add_argument("--train-max-words", type=int, default=36, help="longest training sentence (words)")
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=None, help="feed-forward size (default 4 x d_model)")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--train-steps", type=int, default=2000, help="training steps (0 = untrained random model)")
    ap.add_argument("--train-batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3, help="peak AdamW learning rate")
    ap.add_argument("--warmup", type=int, default=100, help="linear warm-up steps")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--snap", action=argparse.BooleanOptionalAction, default=False,
                    help="round the trained weights to int8-representable values before converting (default off)")
    ap.add_argument("--cache-dir", default=os.path.join(os.path.expanduser("~"), ".cache", "projner", "ct2-bench"))
    ap.add_argument("--retrain", action="store_true", help="train even if a cached model exists")
    ap.add_argument("--no-cache", action="store_true", help="neither read nor write the model cache")
    ap.add_argument("--beam-size", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for training and both backends")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per backend (best is reported)")
    ap.add_argument("--show-wrong", type=int, default=0, help="print this many task errors of transformers")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    args.ffn = args.ffn or 4 * args.d_model
    if args.no_cache:
        args.retrain = True

    import torch

    torch.set_num_threads(args.threads)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    from projner.translate.ct2 import CT2Translator, convert_model
    from projner.translate.hf import HFTranslator

    lex = lexicon()
    texts = sentences(args.sentences, seed=0, min_words=args.min_words, max_words=args.max_words)
    expected = [target(s, lex) for s in texts]
    with tempfile.TemporaryDirectory(prefix="projner-ct2-") as tmp:
        model, origin = trained_model(args, texts, lex, Path(tmp))
        print(origin, flush=True)
        if args.snap:  # on a copy: the cached model stays as trained
            model = shutil.copytree(model, Path(tmp) / "snapped")
            snap_to_int8(model)
            model = str(model)
        common = dict(beam_size=args.beam_size, max_length=args.max_length, batch_size=args.batch_size)
        hf = HFTranslator(model, **common)
        variants = []
        for quant, ctype in (("int8", "int8"), ("int16", "int16"), (None, "float32")):
            path = convert_model(model, Path(tmp) / f"ct2-{ctype}", quantization=quant)
            variants.append((f"CTranslate2 {ctype}", CT2Translator(path, compute_type=ctype, threads=args.threads, **common)))
        hf.translate(texts[:8])
        for _, tr in variants:
            tr.translate(texts[:8])  # warm up
        ref, t_hf = timed(hf.translate, texts, args.repeat)
        results = []
        for name, tr in variants:
            out, t = timed(tr.translate, texts, args.repeat)
            same = sum(a == b for a, b in zip(ref, out))
            words = sum(sum(x == y for x, y in zip(a.split(), b.split())) for a, b in zip(ref, out))
            correct = sum(a == b for a, b in zip(expected, out))
            results.append((name, t, same, words, correct))
    n = len(texts)
    n_words = sum(len(a.split()) for a in ref)
    hf_correct = sum(a == b for a, b in zip(expected, ref))
    print(f"{n} held-out sentences ({args.min_words}-{args.max_words} words), Marian d_model={args.d_model} "
          f"layers={args.layers} ffn={args.ffn}, "
          f"{f'trained {args.train_steps} steps on the lexicon task' if args.train_steps else 'untrained (random)'}"
          f"{', int8-representable weights' if args.snap else ''}; beam {args.beam_size}, "
          f"max_length {args.max_length}, batch {args.batch_size}, {args.threads} thread(s)")
    print("| backend | seconds | sentences/s | speed-up | identical to transformers | identical words | correct (task) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| transformers float32 | {t_hf:.2f} | {n / t_hf:.1f} | 1.00x | reference | reference | {hf_correct}/{n} |")
    for name, t, same, words, correct in results:
        share = f"{words / n_words:.1%}" if n_words else "n/a (empty outputs)"
        print(f"| {name} | {t:.2f} | {n / t:.1f} | {t_hf / t:.2f}x | {same}/{n} | {share} | {correct}/{n} |")
    wrong = [(src, exp, got) for src, exp, got in zip(texts, expected, ref) if exp != got]
    for src, exp, got in wrong[:args.show_wrong]:
        print(f"transformers wrong ({len(src.split())} words): {src!r}\n  expected {exp!r}\n  got      {got!r}")
    if args.json:
        args.json.write_text(json.dumps({
            "sentences": n, "args": {k: str(v) for k, v in vars(args).items()}, "model": origin,
            "transformers_seconds": t_hf, "transformers_correct": hf_correct,
            "ct2": [{"backend": a, "seconds": t, "identical": s, "identical_words": w / max(n_words, 1), "correct": c}
                    for a, t, s, w, c in results]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
