"""Loading a transformers encoder for word alignment, and the pure helpers of
:class:`~projner.align.encoder.Encoder`: sub-word pieces of words, windows of
whole words for long sentences, dtype resolution.

torch and transformers are imported only inside :func:`load_model`.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from ..errors import ConfigError, ModelError

__all__ = ["Loaded", "load_model", "word_pieces", "word_windows", "check_location", "cpu_has_bf16", "resolve_dtype"]

Tokens = Sequence[str]


class Loaded:
    """A loaded model and tokenizer with the facts about its input layout."""

    def __init__(self, model: Any, tokenizer: Any, device: str, max_length: int | None) -> None:
        self.model, self.tokenizer, self.device = model, tokenizer, device
        cfg, tok = model.config, tokenizer
        limit = max_length or getattr(cfg, "max_position_embeddings", 512) or 512
        limit = min(int(limit), int(getattr(tok, "model_max_length", limit) or limit))
        # RoBERTa-style position ids start after the padding index
        if getattr(cfg, "model_type", "") in ("roberta", "xlm-roberta", "camembert") and not max_length:
            limit = min(limit, int(cfg.max_position_embeddings) - 2)
        probe = tok([["a"]], is_split_into_words=True, add_special_tokens=True)
        ids, wids = probe["input_ids"][0], probe.word_ids(0)
        inside = [k for k, w in enumerate(wids) if w is not None]
        first, last = (inside[0], inside[-1]) if inside else (len(ids), len(ids) - 1)
        self.prefix_ids = list(ids[:first])
        self.suffix_ids = list(ids[last + 1:])
        self.prefix = len(self.prefix_ids)
        self.window = max(8, limit - len(self.prefix_ids) - len(self.suffix_ids))
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
        # SentencePiece tokenizers (XLM-R, e5...) often split a word into a bare word-boundary
        # piece '▁' plus the word's pieces; the bare piece carries no meaning of the word and is
        # left out of pooling (it stays in the model input)
        space = tok.convert_tokens_to_ids("\u2581") if "\u2581" in tok.get_vocab() else None
        self.space_id = space if space != getattr(tok, "unk_token_id", None) else None


def word_pieces(tokenizer: Any, sentences: Sequence[Tokens]) -> list[list[list[int]]]:
    """Sub-word ids of every word of every sentence (no special tokens)."""
    enc = tokenizer([list(s) for s in sentences], is_split_into_words=True, add_special_tokens=False)
    out = []
    for b, sent in enumerate(sentences):
        pieces: list[list[int]] = [[] for _ in sent]
        ids = enc["input_ids"][b]
        for pos, w in enumerate(enc.word_ids(b)):
            if w is not None:
                pieces[w].append(ids[pos])
        out.append(pieces)
    return out


def word_windows(lens: Sequence[int], window: int) -> list[tuple[int, int, int, int]]:
    """Windows ``(ctx_start, core_start, core_end, ctx_end)`` over words of ``lens``
    sub-words each, at most ``window`` sub-words; context fills both sides, alternating."""
    total = sum(lens)
    n = len(lens)
    if total <= window:
        return [(0, 0, n, n)]
    ctx = window // 8
    core_budget = window - 2 * ctx
    out = []
    start = 0
    while start < n:
        end, used = start, 0
        while end < n and (used + lens[end] <= core_budget or end == start):
            used += lens[end]
            end += 1
        left, right, budget = start, end, window - used
        grew = True
        while grew:
            grew = False
            if left > 0 and lens[left - 1] <= budget:
                left -= 1
                budget -= lens[left]
                grew = True
            if right < n and lens[right] <= budget:
                budget -= lens[right]
                right += 1
                grew = True
        out.append((left, start, end, right))
        start = end
    return out


def load_model(name: str, layers: Sequence[int], dtype: str, device: str | None, max_length: int | None,
               num_threads: int | None) -> Loaded:
    """Load the tokenizer and the model (layers above the highest used dropped)."""
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ModelError(
            f"the embedding aligner needs torch and transformers ({exc}); pip install 'projner[neural]'"
        ) from None
    if num_threads:
        torch.set_num_threads(int(num_threads))
    check_location(name)
    try:
        tok = AutoTokenizer.from_pretrained(name, use_fast=True)
    except Exception as exc:  # noqa: BLE001 - any loading failure is a user-facing model error
        raise ModelError(f"cannot load the tokenizer of {name!r}: {exc}") from None
    if not getattr(tok, "is_fast", False):
        raise ModelError(f"{name!r}: a fast (Rust) tokenizer is needed for word alignment")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
    except Exception:  # noqa: BLE001 - quieter logs are optional
        pass
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        model = AutoModel.from_pretrained(name, dtype=getattr(torch, resolve_dtype(dtype, device)))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"cannot load the encoder {name!r}: {exc}") from None
    top = max(layers)
    n_layers = getattr(model.config, "num_hidden_layers", None)
    if n_layers is not None and top > n_layers:
        raise ConfigError(f"embedding aligner: layer {top} but {name!r} has {n_layers} layers")
    _truncate_layers(model, top)
    model.eval().to(device)
    return Loaded(model, tok, device, max_length)


def check_location(name: str) -> None:
    """A name that looks like a local folder must be one (no silent hub lookup for a typo'd path)."""
    if (name.startswith((".", "/", "~")) or os.sep in name.strip(os.sep) and name.count("/") > 1) \
            and not os.path.isdir(os.path.expanduser(name)):
        raise ModelError(f"encoder folder not found: {name} (give a local model folder, or a hub name "
                         "on a machine that can download it)")


def cpu_has_bf16() -> bool:
    """True when the CPU has native bfloat16 matrix instructions (AMX or AVX512-BF16)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"amx_bf16", "avx512_bf16"})
    except OSError:
        pass
    return False


def resolve_dtype(dtype: str, device: str) -> str:
    """The torch dtype name for ``dtype`` (``auto``: bfloat16 on a CPU with native support)."""
    if dtype != "auto":
        if dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"embedding aligner: unknown dtype {dtype!r} (use float32, bfloat16, float16 or auto)")
        return dtype
    if str(device).startswith("cpu") and cpu_has_bf16():
        return "bfloat16"
    return "float32"


def _truncate_layers(model: Any, keep: int) -> None:
    """Drop encoder layers above ``keep`` (they do not influence the layers used)."""
    import torch

    for path in ("encoder.layer", "transformer.layer", "encoder.layers", "layers"):
        obj = model
        parent, attr = None, None
        ok = True
        for part in path.split("."):
            if not hasattr(obj, part):
                ok = False
                break
            parent, attr, obj = obj, part, getattr(obj, part)
        if ok and isinstance(obj, torch.nn.ModuleList) and keep < len(obj):
            setattr(parent, attr, torch.nn.ModuleList(list(obj)[: max(keep, 0)]))
            if hasattr(model.config, "num_hidden_layers"):
                model.config.num_hidden_layers = max(keep, 0)
            return
