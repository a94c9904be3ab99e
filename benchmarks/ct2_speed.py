"""CTranslate2 int8 vs transformers on a CPU: same tiny model, same inputs.

Builds a small randomly initialised Marian model (no download), converts it with
CTranslate2's TransformersConverter (int8 and float32), translates the same
sentences with projner's HFTranslator and CT2Translator, and reports sentences
per second, the speed-up and how many outputs are identical.

    python benchmarks/ct2_speed.py --sentences 200 --threads 1
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the commission said on thursday it would meet ministers in brussels next week to discuss "
         "new rules for banks and markets while the government in berlin and madrid denied reports "
         "john smith maria garcia peter blackburn visited paris london vienna rome with siemens reuters").split()


def sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(8, 30)
        toks = [rng.choice(WORDS) for _ in range(k)]
        toks[0] = toks[0].capitalize()
        out.append(" ".join(toks) + " .")
    return out


def train_copy(model_dir: str, texts: list[str], steps: int, batch: int = 16, lr: float = 1e-3) -> float:
    """Briefly train the random model to copy its input, so that its output
    distributions are peaked and it stops (as a real translation model does);
    a purely random model has near-ties everywhere that any quantisation flips."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    rng = random.Random(0)
    t0 = time.perf_counter()
    loss = float("nan")
    for _ in range(steps):
        chunk = rng.sample(texts, batch)
        enc = tok(chunk, text_target=chunk, return_tensors="pt", padding=True, truncation=True, max_length=64)
        enc["labels"][enc["labels"] == tok.pad_token_id] = -100
        out = model(**enc)
        out.loss.backward()
        opt.step()
        opt.zero_grad()
        loss = float(out.loss)
    model.eval()
    model.save_pretrained(model_dir)
    print(f"copy-trained {steps} steps in {time.perf_counter() - t0:.0f}s, final loss {loss:.3f}", flush=True)
    return loss


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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=200)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--beam-size", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for both backends")
    ap.add_argument("--repeat", type=int, default=2, help="timed runs per backend (best is reported)")
    ap.add_argument("--snap", action=argparse.BooleanOptionalAction, default=True,
                    help="make the random weights int8-representable (default on)")
    ap.add_argument("--train-steps", type=int, default=0, help="copy-task steps before timing (0 = random model)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    from projner.translate.ct2 import CT2Translator, convert_model
    from projner.translate.hf import HFTranslator
    from projner.translate.tiny import build_marian

    texts = sentences(args.sentences)
    with tempfile.TemporaryDirectory(prefix="projner-ct2-") as tmp:
        corpus = sentences(400, seed=1)
        model = build_marian(Path(tmp) / "marian", d_model=args.d_model, layers=args.layers,
                             ffn=4 * args.d_model, heads=4, vocab_size=800, sentences=corpus)
        if args.train_steps:
            train_copy(model, corpus, args.train_steps)
        if args.snap:
            snap_to_int8(model)
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
            results.append((name, t, same, words))
    n = len(texts)
    n_words = sum(len(a.split()) for a in ref)
    print(f"{n} sentences, Marian d_model={args.d_model} layers={args.layers} "
          f"({'copy-trained ' + str(args.train_steps) + ' steps' if args.train_steps else 'random'}"
          f"{', int8-representable weights' if args.snap else ''}), beam {args.beam_size}, "
          f"max_length {args.max_length}, batch {args.batch_size}, {args.threads} thread(s)")
    print("| backend | seconds | sentences/s | speed-up | identical outputs | identical words |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| transformers float32 | {t_hf:.2f} | {n / t_hf:.1f} | 1.00x | reference | reference |")
    for name, t, same, words in results:
        print(f"| {name} | {t:.2f} | {n / t:.1f} | {t_hf / t:.2f}x | {same}/{n} | {words / max(n_words, 1):.1%} |")
    if args.json:
        args.json.write_text(json.dumps({
            "sentences": n, "args": {k: str(v) for k, v in vars(args).items()}, "transformers_seconds": t_hf,
            "ct2": [{"backend": a, "seconds": t, "identical": s, "identical_words": w / max(n_words, 1)}
                    for a, t, s, w in results]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
