"""A tiny randomly initialised XLM-R style token classifier (for tests and
benchmarks): a WordPiece fast tokenizer trained on a few sentences and a
one-layer encoder with a CoNLL tag set, saved to a folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC")


def build_token_classifier(folder: str | os.PathLike, sentences: Sequence[str] = (), hidden: int = 32,
                           layers: int = 1, vocab_size: int = 200, max_positions: int = 130, seed: int = 0) -> str:
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForTokenClassification

    from ..translate.tiny import CORPUS

    text = list(sentences) or list(CORPUS)
    tk = Tokenizer(models.WordPiece(unk_token="<unk>"))
    tk.normalizer = normalizers.NFC()
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tk.train_from_iterator(text * 5, trainers.WordPieceTrainer(
        vocab_size=vocab_size, special_tokens=["<pad>", "<s>", "</s>", "<unk>", "<mask>"]))
    tk.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", tk.token_to_id("<s>")), ("</s>", tk.token_to_id("</s>"))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                   unk_token="<unk>", mask_token="<mask>", cls_token="<s>", sep_token="</s>")
    cfg = XLMRobertaConfig(
        vocab_size=fast.vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=2,
        intermediate_size=hidden * 2, max_position_embeddings=max_positions, pad_token_id=0, bos_token_id=1,
        eos_token_id=2, num_labels=len(TAGS), id2label=dict(enumerate(TAGS)), label2id={t: i for i, t in enumerate(TAGS)},
    )
    torch.manual_seed(seed)
    model = XLMRobertaForTokenClassification(cfg).eval()
    out = Path(folder)
    model.save_pretrained(out)
    fast.save_pretrained(out)
    return str(out)
