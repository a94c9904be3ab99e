"""Fine-tuning a transformers encoder for token classification, fast on a CPU.

What makes it practical on a few CPU cores (measured in docs/low-resource.md):

- the word-embedding matrix is frozen (``freeze_embeddings``): in multilingual
  encoders it holds most parameters (e5-small: 96M of 118M), so AdamW's update and
  state shrink about five-fold, and a few thousand sentences cannot retrain 250k
  vocabulary rows anyway;
- bfloat16 autocast (``bf16``: ``auto`` uses it when the CPU has native bf16, e.g.
  AVX512-BF16 or AMX; master weights and the optimiser stay float32);
- sentences are tokenised once; batches hold sentences of similar length
  (``bucket``: sorted within shuffled chunks of 50 batches) and are padded only to
  their longest sentence (dynamic padding), so little compute goes to padding;
- ``threads`` sets torch's intra-op threads (default: all cores of this process's
  CPU affinity).

Only the first sub-word of each word carries a label (the others are ignored by
the loss), as at inference.
"""

from __future__ import annotations

import math
import os
import random
import re
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from ..types import Sentence


@dataclass(frozen=True)
class TrainOptions:
    epochs: int = 3
    learning_rate: float = 5e-5
    batch_size: int = 16
    max_length: int = 128
    warmup: float = 0.1
    freeze_embeddings: bool = True
    bf16: str = "auto"  # auto | on | off
    bucket: bool = True
    threads: int | None = None
    seed: int = 13


def use_bf16(setting: str | bool) -> bool:
    import torch

    if setting in (True, "on", "true"):
        return True
    if setting in (False, "off", "false"):
        return False
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # pragma: no cover - old torch
        return False


def encode(tok, sents: Sequence[Sentence], label2id: dict[str, int], max_length: int) -> list[tuple[list[int], list[int]]]:
    """Sub-word ids and labels (-100 except on each word's first sub-word), once per sentence."""
    out = []
    for k in range(0, len(sents), 256):
        chunk = sents[k : k + 256]
        enc = tok([list(s.tokens) for s in chunk], is_split_into_words=True, truncation=True, max_length=max_length)
        for r, s in enumerate(chunk):
            tags = s.tags()
            labels, prev = [], None
            for wid in enc.word_ids(r):
                labels.append(label2id.get(tags[wid], 0) if wid is not None and wid != prev else -100)
                prev = wid
            out.append((enc["input_ids"][r], labels))
    return out


def batches(lengths: Sequence[int], batch_size: int, bucket: bool, rng: random.Random) -> list[list[int]]:
    """Index batches for one epoch: shuffled; with ``bucket``, sorted by length inside
    chunks of 50 batches so that a batch holds sentences of similar length."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if bucket:
        chunk = batch_size * 50
        order = [i for k in range(0, len(order), chunk)
                 for i in sorted(order[k : k + chunk], key=lambda i: lengths[i])]
    out = [order[k : k + batch_size] for k in range(0, len(order), batch_size)]
    rng.shuffle(out)
    return out


def collate(items, pad_id: int):
    import torch

    width = max(len(ids) for ids, _ in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    labels = torch.full((len(items), width), -100, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for r, (x, y) in enumerate(items):
        ids[r, : len(x)] = torch.tensor(x)
        labels[r, : len(y)] = torch.tensor(y)
        mask[r, : len(x)] = 1
    return ids, mask, labels


def freeze_word_embeddings(model) -> int:
    """Freeze the input word embeddings (and a tied output matrix); returns the frozen count."""
    emb = model.get_input_embeddings()
    emb.weight.requires_grad_(False)
    return emb.weight.numel()


def train_loop(model, data, opt: TrainOptions, pad_id: int, device, log: Callable[[str], None] | None = None) -> dict:
    """Fine-tune ``model`` in place on encoded ``data``; returns timing statistics."""
    import torch

    if opt.threads:
        torch.set_num_threads(opt.threads)
    elif hasattr(os, "sched_getaffinity"):
        torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
    rng = random.Random(opt.seed)
    torch.manual_seed(opt.seed)
    frozen = freeze_word_embeddings(model) if opt.freeze_embeddings else 0
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=opt.learning_rate)
    per_epoch = math.ceil(len(data) / opt.batch_size)
    steps = max(1, opt.epochs * per_epoch)
    warm = int(opt.warmup * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: (s + 1) / max(warm, 1) if s < warm else max(0.0, (steps - s) / max(steps - warm, 1)))
    bf16 = use_bf16(opt.bf16) and device.type == "cpu"
    lengths = [len(ids) for ids, _ in data]
    model.train()
    t0, c0, step = time.perf_counter(), time.process_time(), 0
    for epoch in range(opt.epochs):
        for idx in batches(lengths, opt.batch_size, opt.bucket, rng):
            ids, mask, labels = collate([data[i] for i in idx], pad_id)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                out = model(input_ids=ids.to(device), attention_mask=mask.to(device), labels=labels.to(device))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optim.step()
            sched.step()
            optim.zero_grad(set_to_none=True)
            step += 1
            if log is not None and step % 100 == 0:
                rate = step / (time.perf_counter() - t0)
                log(f"step {step}/{steps} loss {out.loss.item():.3f} ({rate:.2f} steps/s, "
                    f"ETA {(steps - step) / rate / 60:.1f} min)")
    model.eval()
    return {"seconds": round(time.perf_counter() - t0, 1), "cpu_seconds": round(time.process_time() - c0, 1),
            "steps": step, "sentences": len(data),
            "epochs": opt.epochs, "bf16": bf16, "frozen_parameters": frozen,
            "trained_parameters": sum(p.numel() for p in params), "threads": torch.get_num_threads()}


def head_tags(config) -> list[str] | None:
    """The tag of each output row of a token-classification model; ``None`` for a bare
    encoder (no ``...ForTokenClassification`` architecture, or only ``LABEL_k`` names)."""
    archs = getattr(config, "architectures", None) or []
    if not any(str(a).endswith("ForTokenClassification") for a in archs):
        return None
    names = {int(k): str(v) for k, v in (getattr(config, "id2label", None) or {}).items()}
    tags = [names.get(i, "") for i in range(config.num_labels)]
    if all(re.fullmatch(r"LABEL_\d+", t) for t in tags):
        return None
    return tags


def iob_tag(tag: str) -> str:
    """A model's tag as IOB2: ``S-``/``U-`` → ``B-``, ``E-``/``L-`` → ``I-``, ``PER`` → ``I-PER``."""
    from .hf import _normalise_tag

    tag = _normalise_tag(tag)
    return {"S": "B", "E": "I"}.get(tag[0], tag[0]) + tag[1:] if tag != "O" else "O"


def adapt_head(model, old: Sequence[str], tagset: Sequence[str]) -> dict | None:
    """Give ``model``'s linear ``classifier`` one row per tag of ``tagset``: the row of the
    same tag in ``old`` (the model's tags, read as IOB2; the first of duplicates) where it
    has one, a new row (normal, std ``initializer_range``; bias 0) where not; rows of tags
    not in ``tagset`` are dropped. Returns ``{"kept", "new", "dropped"}`` (tags), or
    ``None`` when the model has no such head (the caller makes a new one)."""
    import torch

    lin = getattr(model, "classifier", None)
    if not isinstance(lin, torch.nn.Linear) or lin.out_features != len(old):
        return None
    index: dict[str, int] = {}
    for i, tag in enumerate(old):
        index.setdefault(iob_tag(tag), i)
    new = torch.nn.Linear(lin.in_features, len(tagset), bias=lin.bias is not None,
                          device=lin.weight.device, dtype=lin.weight.dtype)
    kept = []
    with torch.no_grad():
        new.weight.normal_(0.0, float(getattr(model.config, "initializer_range", 0.02)))
        if new.bias is not None:
            new.bias.zero_()
        for r, tag in enumerate(tagset):
            if tag in index:
                new.weight[r] = lin.weight[index[tag]]
                if new.bias is not None:
                    new.bias[r] = lin.bias[index[tag]]
                kept.append(tag)
    model.classifier = new
    model.num_labels = len(tagset)
    model.config.num_labels = len(tagset)
    model.config.id2label = dict(enumerate(tagset))
    model.config.label2id = {t: i for i, t in enumerate(tagset)}
    return {"kept": kept, "new": [t for t in tagset if t not in index],
            "dropped": [t for t in dict.fromkeys(iob_tag(t) for t in old) if t not in tagset]}
