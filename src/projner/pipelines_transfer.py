"""Data- and model-transfer pipelines: translate-train, translate-test and the
model-transfer baseline, plus tagger training.

The functions over sentences (:func:`translate_train`, :func:`translate_test`,
:func:`model_transfer`) are pure glue over translators, taggers, aligners and
projectors. :func:`run_translate_train` / :func:`run_translate_test` run them
as resumable steps in a run folder (:class:`projner.runs.RunDir`) after
validating the whole configuration and opening every model and input, so a bad
input fails before anything is written.

Configuration (YAML/TOML; unknown keys are errors)::

    # translate-train.yaml
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

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

from .config import ProjectionConfig
from .errors import ConfigError, InputError
from .evaluate import Report, evaluate
from .types import Alignment, Sentence

Progress = Callable[[int], None]

__all__ = [
    "TranslatorConfig",
    "TaggerConfig",
    "TranslateTrainConfig",
    "TranslateTestConfig",
    "make_translator",
    "translate_sentences",
    "translate_train",
    "translate_test",
    "model_transfer",
    "train_tagger",
    "run_translate_train",
    "run_translate_test",
]


# -- configuration ------------------------------------------------------------
class TranslatorConfig(BaseModel):
    """How to translate. ``backend``: ``hf`` (transformers), ``ct2`` (CTranslate2),
    ``file`` (pre-computed: ``path``, translation i for source sentence i; ``format``
    ``auto`` (detected), ``text`` (one per line, split by ``tokenize``), ``conll`` or
    ``jsonl`` (already tokenised: the tokens are used as they are, labels ignored)).
    ``cache``: an SQLite file for the on-disk translation cache (``default`` =
    ~/.cache/projner)."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["hf", "ct2", "file"] = "hf"
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

    @model_validator(mode="after")
    def _needs(self):
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
        if isinstance(data, dict) and data.get("format") == "auto":
            data.pop("format")
        return data


class TaggerConfig(BaseModel):
    """A tagger to train: ``crf`` (CPU; c1, c2, max_iterations, window) or ``hf``
    (fine-tune ``base_model``; epochs, learning_rate, batch_size, max_length, device)."""

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

    @model_validator(mode="after")
    def _needs(self):
        if self.kind == "hf" and not self.base_model:
            raise ValueError("kind 'hf' needs base_model (an encoder directory to fine-tune)")
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


def load_transfer_config(model: type[BaseModel], path: str | os.PathLike | None, overrides: dict[str, Any]) -> Any:
    """Read YAML/TOML/JSON (if given), merge non-None CLI ``overrides`` (nested
    dicts merge), validate with unknown keys rejected — before any work."""
    from .config import load_mapping

    data: dict[str, Any] = {}
    text = None
    base = None
    if path is not None:
        data = load_mapping(path)
        text = Path(path).read_text(encoding="utf-8")
        base = Path(path).parent
    _merge(data, overrides)
    cfg = _validate(model, data, path, text)
    if base is not None:
        _resolve_paths(cfg, base)
    return cfg


def _nested_model(model: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel]:
    import typing

    cls = model
    for part in loc:
        f = cls.model_fields.get(str(part)) if isinstance(part, str) else None
        if f is None:
            break
        ann = f.annotation
        cands = [a for a in (typing.get_args(ann) or (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not cands:
            break
        cls = cands[0]
    return cls


def _validate(model: type[BaseModel], data: dict, path: Any, text: str | None) -> Any:
    """Validate; the first problem becomes one ConfigError naming the file, the
    line of the offending key and, for an unknown key, the keys allowed there."""
    import re

    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [x for x in err["loc"] if not isinstance(x, int)]
        dotted = ".".join(str(x) for x in err["loc"])
        line = None
        if text:
            keys = [str(x) for x in loc] or []
            # the line of the deepest key we can find, searching after its parent's line
            start = 0
            lines = text.splitlines()
            for key in keys:
                for i in range(start, len(lines)):
                    if re.match(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]", lines[i]) or \
                            re.match(rf"^\s*\[\s*{re.escape(key)}\s*\]", lines[i]):
                        line, start = i + 1, i + 1
                        break
        if err["type"] == "extra_forbidden":
            known = ", ".join(_nested_model(model, loc[:-1]).model_fields)
            msg = f"unknown key {dotted!r} (known keys here: {known})"
        elif err["type"] == "missing":
            msg = f"missing key {dotted!r}"
        else:
            why = err["msg"].removeprefix("Value error, ")
            msg = f"{dotted}: {why}" if dotted else why
        raise ConfigError(msg, path, line) from None


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


# -- components -----------------------------------------------------------------
def make_translator(cfg: TranslatorConfig, progress: bool = False):
    """Build (and load) the translator; model and language problems raise here."""
    from . import translate as _t  # noqa: F401  (registers the backends)
    from .registry import create

    if cfg.backend == "file":
        tr = create("translator", "file", path=cfg.path, format=cfg.format)
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
        from .translate.cache import CachedTranslator, default_cache_path

        tr = CachedTranslator(tr, default_cache_path() if cfg.cache == "default" else os.path.expanduser(cfg.cache))
    return tr


def _tokenizer(kind: str) -> Callable[[str], list[str]]:
    from .text.tokenize import tokenize, whitespace_tokenize

    return whitespace_tokenize if kind == "whitespace" else tokenize


def _file_translator(translator: Any) -> Any:
    inner = getattr(translator, "inner", translator)
    return inner if hasattr(inner, "lines") and hasattr(inner, "path") else None


def _effective_tokenize(translator: Any, tokenize: str) -> str:
    """Already tokenised translations (CoNLL/JSONL files) are split on white space only."""
    inner = getattr(translator, "inner", translator)
    return "whitespace" if getattr(inner, "pretokenized", False) else tokenize


def translate_sentences(
    sentences: Sequence[Sentence], translator: Any, tokenize: str = "word"
) -> tuple[list[str], list[Sentence]]:
    """Detokenise, translate and re-tokenise: (raw translations, tokenised sentences)."""
    from .text.tokenize import detokenize

    texts = [detokenize(list(s.tokens)) for s in sentences]
    outs = translator.translate(texts)
    if len(outs) != len(texts):
        raise InputError(f"translator returned {len(outs)} translations for {len(texts)} sentences")
    split = _tokenizer(_effective_tokenize(translator, tokenize))
    return list(outs), [Sentence(split(o)) for o in outs]


@dataclass
class TransferResult:
    """What a transfer pipeline produced; ``predictions`` are on the target words."""

    translations: list[str]
    translated: list[Sentence]
    alignments: list[Alignment]
    predictions: list[Sentence]
    report: Report | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def translate_train(
    sources: Sequence[Sentence], translator: Any, config: ProjectionConfig, tokenize: str = "word"
) -> TransferResult:
    """Labelled source → translate → tokenise → align → project: labelled target sentences."""
    from .pipelines import project_corpus

    t0 = time.perf_counter()
    translations, targets = translate_sentences(sources, translator, tokenize)
    t1 = time.perf_counter()
    projected, aligns = project_corpus(list(sources), targets, config)
    t2 = time.perf_counter()
    return TransferResult(translations, targets, aligns, projected, seconds={"translate": t1 - t0, "project": t2 - t1})


def translate_test(
    targets: Sequence[Sentence],
    translator: Any,
    tagger: Any,
    config: ProjectionConfig,
    tokenize: str = "word",
    gold: Sequence[Sentence] | None = None,
) -> TransferResult:
    """Target sentences → translate into the source language → tag → align →
    project back onto the original target words; scored against ``gold``."""
    from .ner.base import tag_sentences
    from .pipelines import project_corpus

    t0 = time.perf_counter()
    translations, translated = translate_sentences(targets, translator, tokenize)
    t1 = time.perf_counter()
    tagged = tag_sentences(tagger, translated)
    t2 = time.perf_counter()
    plain = [t.with_spans(()) for t in targets]
    predictions, aligns = project_corpus(tagged, plain, config)
    t3 = time.perf_counter()
    report = None
    if gold is not None:
        report = evaluate(list(gold), predictions, label_map=config.label_map, ignore=config.ignore_labels)
    return TransferResult(
        translations, tagged, aligns, predictions, report,
        seconds={"translate": t1 - t0, "tag": t2 - t1, "project": t3 - t2},
    )


def model_transfer(targets: Sequence[Sentence], tagger: Any, gold: Sequence[Sentence] | None = None) -> tuple[list[Sentence], Report | None]:
    """The baseline: a tagger applied directly to the target text."""
    from .ner.base import tag_sentences

    preds = tag_sentences(tagger, [t.with_spans(()) for t in targets])
    return preds, (evaluate(list(gold), preds) if gold is not None else None)


def train_tagger(cfg: TaggerConfig, train: Sequence[Sentence], output: str | os.PathLike,
                 dev: Sequence[Sentence] | None = None) -> Any:
    """Train a tagger of ``cfg.kind`` and save it to the folder ``output`` (atomically)."""
    if cfg.kind == "crf":
        from .ner.crf import CRFTagger

        tagger = CRFTagger(c1=cfg.c1, c2=cfg.c2, max_iterations=cfg.max_iterations, window=cfg.window)
        tagger.fit(list(train), list(dev) if dev else None)
        tagger.save(output)
        return tagger
    from .ner.hf import HFTagger

    return HFTagger.fit(
        cfg.base_model, list(train), output, dev=dev, epochs=cfg.epochs, learning_rate=cfg.learning_rate,
        batch_size=cfg.batch_size, max_length=cfg.max_length, device=cfg.device,
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


# -- run folders ------------------------------------------------------------------
def _read(path: str, fmt: str, labels: bool) -> list[Sentence]:
    from .io import read_sentences

    out = list(read_sentences(path, fmt, labels=labels))
    if not out:
        raise InputError("no sentences in file", path)
    return out


def _check_run_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise InputError("run folder path exists and is a file", root)
    parent = root.parent if str(root.parent) else Path(".")
    if not root.exists() and not parent.is_dir():
        raise InputError("parent folder of the run folder does not exist", parent)


def _write_lines(path: Path, lines: Sequence[str]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line.replace("\n", " ") + "\n")


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _pre_check_file_translator(translator: Any, n: int, reference: str | None = None, reference_format: str = "auto") -> None:
    """Check the number of pre-computed translations before anything is written.

    ``reference``: the file the ``n`` sentences were read from. When it and the
    translations are both CoNLL, the translations follow the reference's
    ``-DOCSTART-`` positions (see :meth:`FileTranslator.follow_docstarts`)."""
    inner = _file_translator(translator)
    if inner is None:
        return
    if reference and getattr(inner, "format", None) == "conll" and hasattr(inner, "follow_docstarts"):
        from .io import detect_format, read_conll

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


def run_translate_train(cfg: TranslateTrainConfig, root: str | os.PathLike, progress: bool = False,
                        log: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """Run translate-train into the run folder ``root``; returns a summary dict.

    Steps (each resumable): ``translate`` (translations.txt, target.txt),
    ``project`` (projected.conll|jsonl, alignments.talp), ``train`` (model/ and
    train.json), ``evaluate`` (scores.json)."""
    from .io import format_talp, read_sentences, write_sentences
    from .runs import RunDir

    root = Path(root)
    if not cfg.source:
        raise ConfigError("no source corpus: give SOURCE or 'source:' in the config")
    _check_run_root(root)
    for b in cfg.projection.bitext:
        for p in b:
            if not Path(p).is_file():
                raise InputError("bitext file not found", p)
    sources = _read(cfg.source, cfg.source_format, labels=True)
    dev = _read(cfg.dev, "auto", labels=True) if cfg.dev else None
    gold = _read(cfg.eval, "auto", labels=True) if cfg.eval else None
    if gold is not None and cfg.train is None:
        raise ConfigError("eval needs a tagger to train: add 'train:' (e.g. --train crf)")
    if cfg.train and cfg.train.kind == "hf":
        from .translate._hf_common import check_model_location

        check_model_location(cfg.train.base_model, "base encoder")
    translator = make_translator(cfg.translate, progress=progress)
    _pre_check_file_translator(translator, len(sources), cfg.source, cfg.source_format)
    tokenize = _effective_tokenize(translator, cfg.translate.tokenize)

    inputs = {"source": cfg.source}
    for name in ("dev", "eval"):
        if getattr(cfg, name):
            inputs[name] = getattr(cfg, name)
    if cfg.translate.backend == "file":
        inputs["translations"] = cfg.translate.path
    run = RunDir(root, cfg.model_dump(mode="json"), inputs)
    summary: dict[str, Any] = {"run": str(root), "sentences": len(sources)}
    ext = "jsonl" if cfg.output_format == "jsonl" else "conll"

    def do_translate(tmp):
        t0 = time.perf_counter()
        outs, _ = translate_sentences(sources, translator, tokenize)
        _write_lines(tmp["translations.txt"], outs)
        split = _tokenizer(tokenize)
        _write_lines(tmp["target.txt"], [" ".join(split(o)) for o in outs])
        summary["translate_seconds"] = round(time.perf_counter() - t0, 2)

    log(f"translating {len(sources)} sentences ({getattr(translator, 'name', cfg.translate.backend)})")
    paths = run.step("translate", ["translations.txt", "target.txt"], do_translate,
                     depends=["input:source", "config:translate"] + (["input:translations"] if "translations" in inputs else []))
    targets = list(read_sentences(paths["target.txt"], "text", labels=False))
    if len(targets) != len(sources):
        raise InputError(f"{len(targets)} translated sentences for {len(sources)} sources", paths["target.txt"])

    def do_project(tmp):
        from .pipelines import project_corpus

        t0 = time.perf_counter()
        projected, aligns = project_corpus(sources, targets, cfg.projection)
        write_sentences(tmp[f"projected.{ext}"], projected, ext)
        _write_lines(tmp["alignments.talp"], [format_talp(a).rstrip("\n") for a in aligns])
        summary["project_seconds"] = round(time.perf_counter() - t0, 2)

    log(f"aligning and projecting ({cfg.projection.aligner}, {cfg.projection.method})")
    paths = run.step("project", [f"projected.{ext}", "alignments.talp"], do_project,
                     depends=["step:translate", "input:source", "config:projection"])
    projected = list(read_sentences(paths[f"projected.{ext}"], ext, labels=True))
    summary["projected"] = str(paths[f"projected.{ext}"])
    summary["source_entities"] = sum(len(s.spans) for s in sources)
    summary["projected_entities"] = sum(len(s.spans) for s in projected)

    if cfg.train is not None:
        model_dir = root / "model"

        def do_train(tmp):
            t0 = time.perf_counter()
            train_tagger(cfg.train, projected, model_dir, dev)
            _write_json(tmp["train.json"], {"kind": cfg.train.kind, "seconds": round(time.perf_counter() - t0, 2),
                                            "sentences": len(projected), "model": str(model_dir)})

        log(f"training a {cfg.train.kind} tagger on {len(projected)} projected sentences")
        run.step("train", ["train.json"], do_train,
                 depends=["step:project", "config:train"] + (["input:dev"] if dev else []))
        summary["model"] = str(model_dir)
        if gold is not None:
            def do_eval(tmp):
                from .ner import load_tagger

                tagger = load_tagger(model_dir)
                preds, _ = model_transfer(gold, tagger)
                # scored like benchmark-projection: the projection's label map and ignored labels on both sides
                report = evaluate(list(gold), preds, label_map=cfg.projection.label_map,
                                  ignore=cfg.projection.ignore_labels)
                _write_json(tmp["scores.json"], report.as_dict())

            log(f"evaluating on {cfg.eval}")
            p = run.step("evaluate", ["scores.json"], do_eval, depends=["step:train", "input:eval"])
            summary["scores"] = json.loads(Path(p["scores.json"]).read_text(encoding="utf-8"))
    summary["ran"], summary["skipped"] = list(run.ran), list(run.skipped)
    return summary


def run_translate_test(cfg: TranslateTestConfig, root: str | os.PathLike, progress: bool = False,
                       log: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """Run translate-test into ``root``: translations.txt, source.txt (translated,
    tokenised), tagged.conll (source-language predictions), alignments.talp,
    predictions.conll (on the original target words), scores.json (with gold);
    ``baseline`` (a target-language tagger) adds baseline.conll and its scores."""
    from .io import detect_format, format_talp, read_sentences, write_sentences
    from .ner import load_tagger
    from .runs import RunDir

    root = Path(root)
    if not cfg.input:
        raise ConfigError("no input: give INPUT or 'input:' in the config")
    if not cfg.tagger:
        raise ConfigError("no source-language tagger: give --tagger or 'tagger:' in the config")
    _check_run_root(root)
    fmt = cfg.input_format if cfg.input_format != "auto" else detect_format(cfg.input)
    has_labels = fmt in ("conll", "jsonl")
    score = cfg.evaluate == "yes" or (cfg.evaluate == "auto" and has_labels)
    if score and not has_labels:
        raise ConfigError("evaluate: yes needs labelled input (CoNLL or JSONL gold)")
    targets = _read(cfg.input, fmt, labels=has_labels)
    gold = targets if score else None
    tagger = load_tagger(cfg.tagger, cfg.tagger_kind)
    baseline = load_tagger(cfg.baseline) if cfg.baseline else None
    translator = make_translator(cfg.translate, progress=progress)
    _pre_check_file_translator(translator, len(targets), cfg.input, fmt)
    tokenize = _effective_tokenize(translator, cfg.translate.tokenize)

    inputs = {"input": cfg.input}
    if Path(cfg.tagger).exists():  # a spaCy package name is not a path
        inputs["tagger"] = cfg.tagger
    if cfg.translate.backend == "file":
        inputs["translations"] = cfg.translate.path
    run = RunDir(root, cfg.model_dump(mode="json"), inputs)
    ext = "jsonl" if cfg.output_format == "jsonl" else "conll"
    summary: dict[str, Any] = {"run": str(root), "sentences": len(targets)}

    def do_translate(tmp):
        outs, _ = translate_sentences(targets, translator, tokenize)
        _write_lines(tmp["translations.txt"], outs)
        split = _tokenizer(tokenize)
        _write_lines(tmp["source.txt"], [" ".join(split(o)) for o in outs])

    log(f"translating {len(targets)} sentences")
    paths = run.step("translate", ["translations.txt", "source.txt"], do_translate,
                     depends=["input:input", "config:translate"] + (["input:translations"] if "translations" in inputs else []))
    translated = list(read_sentences(paths["source.txt"], "text", labels=False))

    def do_tag(tmp):
        from .ner.base import tag_sentences

        write_sentences(tmp[f"tagged.{ext}"], tag_sentences(tagger, translated), ext)

    log("tagging the translations")
    paths = run.step("tag", [f"tagged.{ext}"], do_tag,
                     depends=["step:translate", "config:tagger", "config:tagger_kind"]
                     + (["input:tagger"] if "tagger" in inputs else []))
    tagged = list(read_sentences(paths[f"tagged.{ext}"], ext, labels=True))

    def do_project(tmp):
        from .pipelines import project_corpus

        plain = [t.with_spans(()) for t in targets]
        preds, aligns = project_corpus(tagged, plain, cfg.projection)
        write_sentences(tmp[f"predictions.{ext}"], preds, ext)
        _write_lines(tmp["alignments.talp"], [format_talp(a).rstrip("\n") for a in aligns])

    log(f"projecting back ({cfg.projection.aligner}, {cfg.projection.method})")
    paths = run.step("project", [f"predictions.{ext}", "alignments.talp"], do_project,
                     depends=["step:tag", "input:input", "config:projection"])
    summary["predictions"] = str(paths[f"predictions.{ext}"])
    if gold is not None:
        preds = list(read_sentences(paths[f"predictions.{ext}"], ext, labels=True))

        def do_score(tmp):
            rep = evaluate(gold, preds, label_map=cfg.projection.label_map, ignore=cfg.projection.ignore_labels)
            _write_json(tmp["scores.json"], rep.as_dict())

        p = run.step("evaluate", ["scores.json"], do_score, depends=["step:project", "input:input"])
        summary["scores"] = json.loads(Path(p["scores.json"]).read_text(encoding="utf-8"))
    if baseline is not None:
        def do_baseline(tmp):
            preds_b, rep = model_transfer(targets, baseline, gold)
            write_sentences(tmp[f"baseline.{ext}"], preds_b, ext)
            _write_json(tmp["baseline_scores.json"], rep.as_dict() if rep else {})

        log("model-transfer baseline")
        p = run.step("baseline", [f"baseline.{ext}", "baseline_scores.json"], do_baseline,
                     depends=["input:input", "config:baseline"])
        if gold is not None:
            summary["baseline_scores"] = json.loads(Path(p["baseline_scores.json"]).read_text(encoding="utf-8"))
    summary["ran"], summary["skipped"] = list(run.ran), list(run.skipped)
    return summary
