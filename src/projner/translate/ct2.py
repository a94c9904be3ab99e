"""Translation with CTranslate2 converted models: the fast path on a CPU (int8).

``model`` is a directory written by ``ct2-transformers-converter`` (or
:func:`convert_model`); the transformers tokenizer is read from ``tokenizer``
(default: the same directory — convert with ``--copy_files`` for the tokenizer
files, or pass the original model directory).

    tr = CT2Translator("models/opus-mt-en-de-ct2", tokenizer="models/opus-mt-en-de")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, ModelError
from ._hf_common import LanguageSetup, check_model_location, decode, load_tokenizer, translate_with_splitting

__all__ = ["CT2Translator", "convert_model"]


class CT2Translator:
    """Parameters: ``model`` (converted directory), ``tokenizer`` (directory with the
    transformers tokenizer; default ``model``), ``src_lang``/``tgt_lang`` (as for
    :class:`projner.translate.hf.HFTranslator`), ``batch_size``, ``beam_size``,
    ``max_length``, ``max_input_tokens``, ``device`` (``cpu``/``cuda``/``auto``),
    ``compute_type`` (``int8`` on CPU by default; ``default`` keeps the saved type),
    ``threads`` (intra-op threads, 0 = all cores), ``progress``."""

    def __init__(
        self,
        model: str,
        tokenizer: str | None = None,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        batch_size: int = 32,
        beam_size: int = 4,
        max_length: int = 256,
        max_input_tokens: int | None = None,
        device: str = "cpu",
        compute_type: str | None = None,
        threads: int = 0,
        progress: bool = False,
        offline: bool = True,
    ) -> None:
        if batch_size < 1 or beam_size < 1 or max_length < 1:
            raise ConfigError("batch_size, beam_size and max_length must be positive")
        path = check_model_location(model, "CTranslate2 model")
        if not Path(path).is_dir():
            raise ModelError(f"CTranslate2 model not found: no directory {os.fspath(model)!r}", model)
        if not (Path(path) / "model.bin").exists():
            raise ModelError(
                "not a CTranslate2 model (no model.bin); convert it first, e.g. "
                "ct2-transformers-converter --model DIR --output_dir OUT --quantization int8 --copy_files ...",
                path,
            )
        try:
            import ctranslate2
        except ImportError as exc:  # pragma: no cover
            raise ModelError(f"the ctranslate2 package is needed (pip install 'projner[translate]'): {exc}")
        self.model_path = path
        self.name = f"ct2:{Path(path).name}"
        self.batch_size, self.beam_size, self.max_length = batch_size, beam_size, max_length
        self.max_input_tokens = max_input_tokens or _position_limit(Path(path), tokenizer) - 2
        self.progress = progress
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        tok_path = check_model_location(tokenizer, "tokenizer") if tokenizer else path
        self.tokenizer = load_tokenizer(tok_path, offline=offline, what="tokenizer")
        tok_max = getattr(self.tokenizer, "model_max_length", None) or 512
        self.max_input_tokens = int(min(self.max_input_tokens, tok_max - 2))
        self.lang = LanguageSetup(self.tokenizer, src_lang, tgt_lang, path)
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        if device not in ("cpu", "cuda"):
            raise ConfigError(f"unknown device {device!r} for CTranslate2 (use cpu, cuda or auto)")
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise ConfigError("device 'cuda' requested but no CUDA GPU is available")
        self.compute_type = compute_type or ("int8" if device == "cpu" else "default")
        try:
            self.translator = ctranslate2.Translator(
                path, device=device, compute_type=self.compute_type, intra_threads=threads
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load CTranslate2 model: {str(exc).splitlines()[0][:300]}", path) from None
        self.target_prefix = [self.lang.forced_bos] if self.lang.forced_bos else None

    def cache_key(self) -> dict[str, Any]:
        from .hf import _model_identity

        return {
            "backend": "ct2",
            "model": _model_identity(self.model_path),
            "compute_type": self.compute_type,
            "src_lang": self.src_lang,
            "tgt_lang": self.tgt_lang,
            "beam_size": self.beam_size,
            "max_length": self.max_length,
            "max_input_tokens": self.max_input_tokens,
        }

    def _source_tokens(self, text: str) -> list[str]:
        ids = self.tokenizer(self.lang.prefix + text, add_special_tokens=True)["input_ids"]
        return self.tokenizer.convert_ids_to_tokens(ids)

    def n_tokens(self, text: str) -> int:
        return len(self._source_tokens(text))

    def _batch(self, texts: list[str]) -> list[str]:
        source = [self._source_tokens(t) for t in texts]
        prefix = [list(self.target_prefix) for _ in texts] if self.target_prefix else None
        results = self.translator.translate_batch(
            source,
            target_prefix=prefix,
            beam_size=self.beam_size,
            max_decoding_length=max(1, self.max_length - 1),  # transformers counts the end token, CTranslate2 does not
            max_input_length=self.max_input_tokens + 2,
        )
        out = []
        for r in results:
            toks = r.hypotheses[0]
            if self.target_prefix and toks[:1] == self.target_prefix:
                toks = toks[1:]
            ids = self.tokenizer.convert_tokens_to_ids(toks)
            out.append(decode(self.tokenizer, ids, self.lang.lang_ids))
        return out

    def translate(self, texts: Sequence[str]) -> list[str]:
        return translate_with_splitting(
            list(texts), self._batch, self.n_tokens, self.max_input_tokens, self.batch_size, self.progress,
            f"translating ({self.name})",
        )


def _position_limit(ct2_dir: Path, tokenizer_dir: str | None) -> int:
    """The model's position limit from convert_model's note or the original config (default 512)."""
    import json

    for cand in (ct2_dir / "projner_ct2.json", Path(tokenizer_dir or "") / "config.json"):
        try:
            data = json.loads(cand.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        n = data.get("max_position_embeddings")
        if isinstance(n, int) and n > 2:
            return min(n, 512)
    return 512


def convert_model(model_dir: str | os.PathLike, output_dir: str | os.PathLike, quantization: str | None = "int8") -> str:
    """Convert a transformers seq2seq model directory for CTranslate2, copying the
    tokenizer files beside it so that the output directory is self-contained."""
    from ctranslate2.converters import TransformersConverter

    src = Path(model_dir)
    if not src.is_dir():
        raise ModelError(f"model not found: no directory {os.fspath(model_dir)!r}", model_dir)
    copy = [
        f.name
        for f in src.iterdir()
        if f.is_file()
        and not f.name.endswith((".safetensors", ".bin", ".pt", ".h5", ".msgpack"))
        and f.name not in ("config.json",)
    ]
    try:
        TransformersConverter(str(src), copy_files=copy).convert(str(output_dir), quantization=quantization, force=True)
    except (ValueError, RuntimeError, NotImplementedError, OSError) as exc:
        raise ModelError(f"cannot convert model for CTranslate2: {str(exc).splitlines()[0][:300]}", model_dir) from None
    try:
        import json

        cfg = json.loads((src / "config.json").read_text(encoding="utf-8"))
        note = {"source": str(src.resolve()), "max_position_embeddings": cfg.get("max_position_embeddings")}
        (Path(output_dir) / "projner_ct2.json").write_text(json.dumps(note), encoding="utf-8")
    except (OSError, ValueError):
        pass
    return os.fspath(output_dir)
