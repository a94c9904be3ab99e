"""translate-train and translate-test as resumable steps in a run folder
(:class:`projner.runs.RunDir`). The whole configuration is validated and every
model and input opened before the first step, so a bad input fails before
anything is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, InputError
from ..resolve import resolve
from ..types import Sentence
from .components import check_file_translator, effective_tokenize, make_translator
from .config import TranslateTestConfig, TranslateTrainConfig
from .steps import baseline_step, evaluate_step, project_step, read_json, score_step, tag_step, train_step, translate_step

__all__ = ["run_translate_train", "run_translate_test", "run_files"]

Log = Callable[[str], None]


def _read(path: str, fmt: str, labels: bool, cfg=None) -> list[Sentence]:
    """A whole input; labelled inputs under the run's tag-scheme policy (``cfg.scheme``, ``cfg.repair_tags``)."""
    from ..io import read_sentences

    policy = {"scheme": cfg.scheme, "repair": cfg.repair_tags} if cfg is not None else {}
    out = list(read_sentences(path, fmt, labels=labels, **policy))
    if not out:
        raise InputError("no sentences in file", path)
    return out


def _check_run_root(root: Path) -> None:
    from ..runs import check_run_folder

    if root.exists() and not root.is_dir():
        raise InputError("run folder path exists and is a file", root)
    check_run_folder(root)
    # missing parent folders are created with the run folder (-o runs/de without runs/);
    # the nearest existing ancestor must be a writable folder
    ancestor = root.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError("cannot create the run folder here: this is a file", ancestor)
    if not os.access(ancestor, os.W_OK):
        raise InputError("cannot create the run folder here: the folder is not writable", ancestor)


_TRAIN_FILES = ("translations.txt", "target.txt", "projected.EXT", "alignments.talp", "model", "train.json",
                "scores.json", "markers.json")
_TEST_FILES = ("translations.txt", "source.txt", "tagged.EXT", "predictions.EXT", "alignments.talp", "scores.json",
               "baseline.EXT", "baseline_scores.json", "refined.EXT", "backtranslation.json")


def run_files(cfg: TranslateTrainConfig | TranslateTestConfig, root: str | os.PathLike) -> tuple[dict, dict]:
    """``(inputs, outputs)`` of a run, by option name, for
    :func:`projner.io.outputs.check_outputs`: no file the run writes may be an input."""
    ext = "jsonl" if cfg.output_format == "jsonl" else "conll"
    train = isinstance(cfg, TranslateTrainConfig)
    names = (_TRAIN_FILES if train else _TEST_FILES) + ("manifest.json", ".lock")
    outputs = {f"run folder file {n.replace('EXT', ext)}": Path(root) / n.replace("EXT", ext) for n in names}
    if cfg.translate.cache and cfg.translate.cache != "default":  # the translation cache is written too
        outputs["--cache"] = cfg.translate.cache
    inputs = ({"SOURCE": cfg.source, "--dev": cfg.dev, "--eval": cfg.eval} if train
              else {"INPUT": cfg.input, "--tagger": cfg.tagger, "--baseline": cfg.baseline})
    inputs["--translations"] = cfg.translate.path if cfg.translate.backend == "file" else None
    inputs["--bitext"] = [p for pair in cfg.projection.bitext for p in pair]
    return inputs, outputs


def _check_files(cfg, root: Path) -> None:
    from ..io.outputs import check_outputs, check_outside

    inputs, outputs = run_files(cfg, root)
    check_outputs(inputs, outputs)
    model = next((p for n, p in outputs.items() if n.endswith(" model")), None)
    if model is not None:
        check_outside(inputs, model, "model/ of the run folder")


def _open_train_inputs(cfg: TranslateTrainConfig, root: Path):
    """Check and read everything translate-train needs: (sources, dev, gold)."""
    if not cfg.source:
        raise ConfigError("no source corpus: give SOURCE or 'source:' in the config")
    _check_run_root(root)
    _check_files(cfg, root)
    for b in cfg.projection.bitext:
        for p in b:
            if not Path(p).is_file():
                raise InputError("bitext file not found", p)
    sources = _read(cfg.source, cfg.source_format, labels=True, cfg=cfg)
    dev = _read(cfg.dev, "auto", labels=True, cfg=cfg) if cfg.dev else None
    gold = _read(cfg.eval, "auto", labels=True, cfg=cfg) if cfg.eval else None
    if gold is not None and cfg.train is None:
        raise ConfigError("eval needs a tagger to train: add 'train:' (e.g. --train crf)")
    if cfg.train and cfg.train.kind == "hf":
        from ..hub import check_model_location

        check_model_location(cfg.train.base_model, "base encoder")
    return sources, dev, gold


def run_translate_train(cfg: TranslateTrainConfig, root: str | os.PathLike, progress: bool = False,
                        log: Log = lambda m: None, engine: Callable | None = None) -> dict[str, Any]:
    """Run translate-train into the run folder ``root``; returns a summary dict.

    Steps (each resumable): ``translate`` (translations.txt, target.txt),
    ``project`` (projected.conll|jsonl, alignments.talp), ``train`` (model/ and
    train.json), ``evaluate`` (scores.json). ``engine`` runs the projection step
    elsewhere (:func:`ray_projection`)."""
    root = Path(root)
    sources, dev, gold = _open_train_inputs(cfg, root)
    with resolve(cfg.projection) as comps:  # aligner and projector built before any translation
        return _translate_train(cfg, root, sources, dev, gold, comps, progress, log, engine)


def ray_projection(root: str | os.PathLike, *, address: str | None, shard_size: int, sample_size: int,
                   progress=None) -> Callable:
    """translate-train's projection step on a Ray cluster (``--engine ray``): shards in
    ``ROOT/project.shards`` (kept while the step is unfinished, so a rerun resumes them)."""
    from ..ray_engine import project_lists

    def project(sources, targets, config):
        return project_lists(sources, targets, config, Path(root) / "project.shards", address=address,
                             shard_size=shard_size, sample_size=sample_size, progress=progress)

    return project


def _translate_train(cfg: TranslateTrainConfig, root: Path, sources, dev, gold, comps, progress: bool,
                     log: Log, engine: Callable | None = None) -> dict[str, Any]:
    from ..evaluate import normalise_spans
    from ..io import read_sentences
    from ..runs import RunDir

    translator = make_translator(cfg.translate, progress=progress)
    check_file_translator(translator, len(sources), cfg.source, cfg.source_format)
    tokenize = effective_tokenize(translator, cfg.translate.tokenize)
    inputs = {"source": cfg.source, **{n: getattr(cfg, n) for n in ("dev", "eval") if getattr(cfg, n)}}
    if cfg.translate.backend == "file":
        inputs["translations"] = cfg.translate.path
    run = RunDir(root, cfg.model_dump(mode="json"), inputs)
    summary: dict[str, Any] = {"run": str(root), "sentences": len(sources)}
    ext = "jsonl" if cfg.output_format == "jsonl" else "conll"

    projected, done = _labelled_targets(cfg, run, sources, translator, tokenize, inputs, ext, summary, log, comps,
                                        engine)
    # entities the projection could carry over: ignored labels do not count (as in 'projner project')
    summary["source_entities"] = sum(len(normalise_spans(s.spans, cfg.projection.label_map,
                                                         cfg.projection.ignore_labels)) for s in sources)
    summary["projected_entities"] = sum(len(s.spans) for s in projected)
    if cfg.train is not None:
        train_on = projected
        if "training_data" in summary:
            train_on = list(read_sentences(summary["training_data"], ext, labels=True))
            summary["filtered_out"] = len(projected) - len(train_on)
        log(f"training a {cfg.train.kind} tagger on {len(train_on)} projected sentences"
            + (f" ({summary['filtered_out']} left out by the filter)" if "training_data" in summary else ""))
        model_dir = train_step(run, cfg.train, train_on, dev,
                               [done, "config:train"] + (["input:dev"] if dev else []), summary)
        summary["model"] = str(model_dir)
        if gold is not None:
            log(f"evaluating on {cfg.eval}")
            summary["scores"] = evaluate_step(run, model_dir, gold, cfg.projection, ["step:train", "input:eval"])
    summary["ran"], summary["skipped"] = list(run.ran), list(run.skipped)
    return summary


def _labelled_targets(cfg: TranslateTrainConfig, run, sources, translator, tokenize: str, inputs: dict, ext: str,
                      summary: dict, log: Log, comps=None, engine=None) -> tuple[list[Sentence], str]:
    """Translate and project (or translate with markers): the labelled translations
    and the name of the step that made them."""
    from ..io import read_sentences

    name = getattr(translator, "name", cfg.translate.backend)
    if cfg.markers:
        from .mt import markers_step

        log(f"translating {len(sources)} sentences with entity markers ({name})")
        projected = markers_step(run, sources, translator, cfg.projection, tokenize, f"projected.{ext}",
                                 ["input:source", "config:translate", "config:projection", "config:markers"],
                                 summary)
        return projected, "step:translate-markers"
    log(f"translating {len(sources)} sentences ({name})")
    targets = translate_step(run, sources, translator, tokenize, "target.txt",
                             ["input:source", "config:translate"] + _translations_input(inputs), summary)
    if len(targets) != len(sources):
        raise InputError(f"{len(targets)} translated sentences for {len(sources)} sources",
                         run.path("target.txt"))
    log(f"aligning and projecting ({cfg.projection.aligner}, {cfg.projection.method})")
    out, train_file = project_step(run, sources, targets, cfg.projection, f"projected.{ext}",
                                   ["step:translate", "input:source", "config:projection"], summary, comps,
                                   engine=engine)
    summary["projected"] = str(out)
    if train_file != out:  # filter.*: the tagger trains on the kept sentences
        summary["training_data"] = str(train_file)
    return list(read_sentences(out, ext, labels=True)), "step:project"


def _translations_input(inputs: dict) -> list[str]:
    return ["input:translations"] if "translations" in inputs else []


def run_translate_test(cfg: TranslateTestConfig, root: str | os.PathLike, progress: bool = False,
                       log: Log = lambda m: None) -> dict[str, Any]:
    """Run translate-test into ``root``: translations.txt, source.txt (translated,
    tokenised), tagged.conll (source-language predictions), alignments.talp,
    predictions.conll (on the original target words), scores.json (with gold);
    ``baseline`` (a target-language tagger) adds baseline.conll and its scores."""
    root = Path(root)
    targets, gold, fmt = _open_test_input(cfg, root)
    with resolve(cfg.projection) as comps:  # aligner and projector built before any translation
        return _translate_test(cfg, root, targets, gold, fmt, comps, progress, log)


def _translate_test(cfg: TranslateTestConfig, root: Path, targets, gold, fmt: str, comps, progress: bool,
                    log: Log) -> dict[str, Any]:
    from ..io import read_sentences
    from ..ner import load_tagger
    from ..runs import RunDir

    tagger = load_tagger(cfg.tagger, cfg.tagger_kind)
    baseline = load_tagger(cfg.baseline) if cfg.baseline else None
    translator = make_translator(cfg.translate, progress=progress)
    check_file_translator(translator, len(targets), cfg.input, fmt)
    tokenize = effective_tokenize(translator, cfg.translate.tokenize)
    inputs = {"input": cfg.input}
    if Path(cfg.tagger).exists():  # a spaCy package name is not a path
        inputs["tagger"] = cfg.tagger
    if cfg.translate.backend == "file":
        inputs["translations"] = cfg.translate.path
    run = RunDir(root, cfg.model_dump(mode="json"), inputs)
    ext = "jsonl" if cfg.output_format == "jsonl" else "conll"
    summary: dict[str, Any] = {"run": str(root), "sentences": len(targets)}

    log(f"translating {len(targets)} sentences")
    translated = translate_step(run, targets, translator, tokenize, "source.txt",
                                ["input:input", "config:translate"] + _translations_input(inputs))
    log("tagging the translations")
    out = tag_step(run, tagger, translated, f"tagged.{ext}", ["step:translate", "config:tagger", "config:tagger_kind"]
                   + (["input:tagger"] if "tagger" in inputs else []))
    tagged = list(read_sentences(out, ext, labels=True))
    log(f"projecting back ({cfg.projection.aligner}, {cfg.projection.method})")
    out, _ = project_step(run, tagged, [t.with_spans(()) for t in targets], cfg.projection, f"predictions.{ext}",
                          ["step:tag", "input:input", "config:projection"], components=comps, training=False)
    summary["predictions"] = str(out)
    done = "step:project"
    if cfg.backtranslation:
        out = _refine(cfg, run, targets, tagged, list(read_sentences(out, ext, labels=True)), tokenize, ext,
                      progress, summary, log)
        summary["direct_predictions"], summary["predictions"] = summary["predictions"], str(out)
        done = "step:backtranslation"
    if gold is not None:
        preds = list(read_sentences(out, ext, labels=True))
        summary["scores"] = score_step(run, gold, preds, cfg.projection, [done, "input:input"])
    if baseline is not None:
        log("model-transfer baseline")
        p = baseline_step(run, targets, baseline, gold, ext, ["input:input", "config:baseline"])
        if gold is not None:
            summary["baseline_scores"] = read_json(p["baseline_scores.json"])
    summary["ran"], summary["skipped"] = list(run.ran), list(run.skipped)
    return summary


def _open_test_input(cfg: TranslateTestConfig, root: Path):
    """Check the configuration and read the input: (targets, gold or None, format)."""
    from ..io import detect_format

    if not cfg.input:
        raise ConfigError("no input: give INPUT or 'input:' in the config")
    if not cfg.tagger:
        raise ConfigError("no source-language tagger: give --tagger or 'tagger:' in the config")
    _check_run_root(root)
    _check_files(cfg, root)
    fmt = cfg.input_format if cfg.input_format != "auto" else detect_format(cfg.input)
    has_labels = fmt in ("conll", "jsonl")
    score = cfg.evaluate == "yes" or (cfg.evaluate == "auto" and has_labels)
    if score and not has_labels:
        raise ConfigError("evaluate: yes needs labelled input (CoNLL or JSONL gold)")
    targets = _read(cfg.input, fmt, labels=has_labels, cfg=cfg)
    return targets, (targets if score else None), fmt


def _refine(cfg: TranslateTestConfig, run, targets, tagged, direct, tokenize: str, ext: str, progress: bool,
            summary: dict, log: Log) -> Path:
    """The back-translation refinement step: refined predictions (``refined.EXT``)."""
    from .mt import backtranslation_step

    back = make_translator(cfg.back_translator_config(), progress=progress)
    log(f"back-translation refinement ({cfg.backtranslation}, {getattr(back, 'name', '?')})")
    return backtranslation_step(run, targets, tagged, direct, back, cfg.projection, cfg.backtranslation, tokenize,
                                f"refined.{ext}", ["step:project", "config:backtranslation", "config:back_translate",
                                                   "config:translate"], summary)
