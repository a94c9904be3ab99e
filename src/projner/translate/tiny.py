"""Tiny randomly initialised translation models for tests and benchmarks.

They exercise the real loading and inference code (tokenizer files, model
config, generation, CTranslate2 conversion) in a second, without downloads.
Their output is meaningless but deterministic.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Sequence

CORPUS = [
    "John Smith lives in Berlin and works for Siemens .",
    "Maria Garcia visited Madrid on Monday .",
    "The European Commission said on Thursday it disagreed with German advice .",
    "Peter Blackburn reports from Brussels .",
    "Johann Schmidt wohnt in Berlin und arbeitet für Siemens .",
    "María García visitó Madrid el lunes .",
    "Die Europäische Kommission hat am Donnerstag widersprochen .",
    "the cat sat on the mat , and the dog did not .",
]


def _train_spm(folder: Path, sentences: Sequence[str], vocab_size: int) -> Path:
    import sentencepiece as spm

    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(list(sentences) * 20) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "sp"), vocab_size=vocab_size, hard_vocab_limit=False,
        minloglevel=2, character_coverage=1.0, num_threads=1,
    )
    corpus.unlink()
    return folder / "sp.model"


def _spm_pieces(model: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def build_marian(folder: str | os.PathLike, d_model: int = 32, layers: int = 1, ffn: int = 64, heads: int = 2,
                 vocab_size: int = 120, seed: int = 0, sentences: Sequence[str] = CORPUS,
                 max_positions: int = 128) -> str:
    """A Marian/Opus-MT style model (shared SentencePiece vocabulary) saved with its tokenizer."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out = Path(folder)
    work = out.parent / f".{out.name}.spm"
    work.mkdir(parents=True, exist_ok=True)
    sp = _train_spm(work, sentences, vocab_size)
    vocab = {"</s>": 0, "<unk>": 1}
    for p in _spm_pieces(sp):
        vocab.setdefault(p, len(vocab))
    vocab["<pad>"] = len(vocab)  # Marian convention: <pad> is the last entry
    shutil.copy(sp, work / "source.spm")
    shutil.copy(sp, work / "target.spm")
    (work / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tok = MarianTokenizer(str(work / "source.spm"), str(work / "target.spm"), str(work / "vocab.json"))
    pad = vocab["<pad>"]
    cfg = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
        forced_eos_token_id=0, share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(cfg).eval()
    model.save_pretrained(out)
    tok.save_pretrained(out)
    shutil.rmtree(work, ignore_errors=True)
    return str(out)


def build_m2m100(folder: str | os.PathLike, d_model: int = 32, layers: int = 1, ffn: int = 64, heads: int = 2,
                 vocab_size: int = 120, seed: int = 0, languages: Sequence[str] = ("en", "de", "es"),
                 sentences: Sequence[str] = CORPUS) -> str:
    """An M2M100 style multilingual model with language tokens ``__en__``, ``__de__``, ..."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    out = Path(folder)
    work = out.parent / f".{out.name}.spm"
    work.mkdir(parents=True, exist_ok=True)
    sp = _train_spm(work, sentences, vocab_size)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for p in _spm_pieces(sp):
        vocab.setdefault(p, len(vocab))
    (work / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    shutil.copy(sp, work / "sentencepiece.bpe.model")
    codes = list(languages)
    tok = M2M100Tokenizer(
        str(work / "vocab.json"), str(work / "sentencepiece.bpe.model"), src_lang=codes[0], tgt_lang=codes[1],
        language_codes="m2m100",
    )
    # language tokens follow the SentencePiece vocabulary (100 M2M100 codes, 8 made-up words)
    ids = list(tok.get_vocab().values()) + list(getattr(tok, "lang_token_to_id", {}).values())
    n_vocab = max(max(ids) + 1, len(vocab) + 108)
    cfg = M2M100Config(
        vocab_size=n_vocab, d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
        max_position_embeddings=128, pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(cfg).eval()
    model.save_pretrained(out)
    tok.save_pretrained(out)
    shutil.rmtree(work, ignore_errors=True)
    return str(out)
