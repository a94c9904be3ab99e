"""Translation with transformers sequence-to-sequence models (NLLB-200, M2M100,
Marian/Opus-MT, mBART-50): a local directory or a hub name already in the local
cache (projner never downloads unless ``offline=False``).

    tr = HFTranslator("models/m2m100_418M", src_lang="en", tgt_lang="de", beam_size=4)
    tr.translate(["John lives in Berlin."])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, ModelError
from ..hub import pick_device as _pick_device
from ._hf_common import LanguageSetup, _load_message, decode, check_model_location, load_tokenizer, translate_with_splitting

__all__ = ["HFTranslator"]


class HFTranslator:
    """A transformers seq2seq translator.

    Parameters: ``model`` (path or cached hub name), ``src_lang``/``tgt_lang``
    (model language codes: ``en``/``de`` for M2M100, ``eng_Latn``/``deu_Latn``
    for NLLB, optional for bilingual Marian models), ``batch_size``,
    ``beam_size``, ``max_length`` (generated tokens), ``max_input_tokens``
    (longer inputs are split at sentence punctuation, then between words;
    default: the model's limit, at most 512), ``device`` (``cpu``, ``cuda``,
    ``auto``), ``progress`` (a rich progress bar), ``offline``.
    """

    def __init__(
        self,
        model: str,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        batch_size: int = 16,
        beam_size: int = 4,
        max_length: int = 256,
        max_input_tokens: int | None = None,
        device: str = "cpu",
        progress: bool = False,
        offline: bool = True,
        threads: int | None = None,
    ) -> None:
        if batch_size < 1 or beam_size < 1 or max_length < 1:
            raise ConfigError("batch_size, beam_size and max_length must be positive")
        self.model_name = check_model_location(model)
        self.name = f"hf:{Path(self.model_name).name}"
        self.batch_size, self.beam_size, self.max_length = batch_size, beam_size, max_length
        self.progress = progress
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.tokenizer = load_tokenizer(self.model_name, offline=offline)
        self.lang = LanguageSetup(self.tokenizer, src_lang, tgt_lang, self.model_name)

        import torch
        from transformers import AutoModelForSeq2SeqLM

        if threads:
            torch.set_num_threads(threads)
        self.device = _pick_device(device)
        try:
            self.model = AutoModelForSeq2SeqLM.from_pretrained(self.model_name, local_files_only=offline)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(_load_message(self.model_name, "translation model", exc, offline)) from None
        self.model.to(self.device).eval()
        limit = getattr(self.model.config, "max_position_embeddings", None) or 512
        tok_limit = getattr(self.tokenizer, "model_max_length", None) or limit
        self.max_input_tokens = max_input_tokens or int(min(limit, tok_limit, 512)) - 2
        self.forced_bos_token_id = (
            self.tokenizer.convert_tokens_to_ids(self.lang.forced_bos) if self.lang.forced_bos else None
        )

    # -- cache identity -------------------------------------------------
    def cache_key(self) -> dict[str, Any]:
        return {
            "backend": "hf",
            "model": _model_identity(self.model_name),
            "src_lang": self.src_lang,
            "tgt_lang": self.tgt_lang,
            "beam_size": self.beam_size,
            "max_length": self.max_length,
            "max_input_tokens": self.max_input_tokens,
        }

    def n_tokens(self, text: str) -> int:
        return len(self.tokenizer(self.lang.prefix + text, add_special_tokens=True)["input_ids"])

    def _batch(self, texts: list[str]) -> list[str]:
        import torch

        enc = self.tokenizer(
            [self.lang.prefix + t for t in texts],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self.max_input_tokens + 2,
        ).to(self.device)
        kwargs: dict[str, Any] = {"num_beams": self.beam_size, "max_new_tokens": self.max_length, "do_sample": False}
        if self.forced_bos_token_id is not None:
            kwargs["forced_bos_token_id"] = self.forced_bos_token_id
        with torch.inference_mode():
            out = self.model.generate(**enc, **kwargs)
        return [decode(self.tokenizer, row, self.lang.lang_ids) for row in out.tolist()]

    def translate(self, texts: Sequence[str]) -> list[str]:
        return translate_with_splitting(
            list(texts), self._batch, self.n_tokens, self.max_input_tokens, self.batch_size, self.progress,
            f"translating ({self.name})",
        )


def _model_identity(model: str) -> str:
    """Path plus the weights' size and mtime, so a retrained model gets new cache keys."""
    p = Path(model)
    if not p.is_dir():
        return model
    stamp = []
    for f in sorted(p.iterdir()):
        if f.suffix in (".bin", ".safetensors", ".json", ".spm", ".model"):
            st = f.stat()
            stamp.append(f"{f.name}:{st.st_size}:{int(st.st_mtime)}")
    return str(p.resolve()) + "|" + ",".join(stamp)
