"""Run-folder steps of the transfer runs. Each step calls a plain pipeline
function (:func:`~projner.transfer.pipelines.translate_sentences`,
:func:`~projner.pipelines.project_corpus`, :func:`~projner.ner.base.tag_sentences`,
:func:`~projner.evaluate.evaluate`, :func:`~projner.transfer.pipelines.model_transfer`)
and writes its outputs through :meth:`projner.runs.RunDir.step`, so a finished
step is reused on rerun and a failed one leaves nothing half-written."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Sequence

from ..config import ProjectionConfig
from ..evaluate import evaluate
from ..types import Sentence
from .components import train_tagger, word_splitter
from .config import TaggerConfig
from .pipelines import model_transfer, translate_sentences

__all__ = ["translate_step", "project_step", "tag_step", "train_step", "evaluate_step", "score_step",
           "baseline_step", "read_json"]


_BREAKS = re.compile(r"[\r\n\x00]")  # one line per sentence: no line break (nor NUL) inside one


def write_lines(path: Path, lines: Sequence[str]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(_BREAKS.sub(" ", line) + "\n")


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def translate_step(run, sentences: Sequence[Sentence], translator: Any, tokenize: str, tokenised: str,
                   depends: list[str], summary: dict | None = None) -> list[Sentence]:
    """``translations.txt`` (raw) and ``tokenised`` (the words, space-separated); returns
    the tokenised translations read back from the run folder."""
    from ..io import read_sentences

    def do(tmp):
        t0 = time.perf_counter()
        outs, _ = translate_sentences(sentences, translator, tokenize)
        write_lines(tmp["translations.txt"], outs)
        split = word_splitter(tokenize)
        write_lines(tmp[tokenised], [" ".join(split(o)) for o in outs])
        if summary is not None:
            summary["translate_seconds"] = round(time.perf_counter() - t0, 2)

    paths = run.step("translate", ["translations.txt", tokenised], do, depends=depends)
    return list(read_sentences(paths[tokenised], "text", labels=False))


def project_step(run, sources: Sequence[Sentence], targets: Sequence[Sentence], config: ProjectionConfig,
                 output: str, depends: list[str], summary: dict | None = None, components: Any = None,
                 training: bool = True, engine: Any = None) -> tuple[Path, Path]:
    """``output`` (labelled targets, its extension gives the format) and ``alignments.talp``; with an
    active ``config.filter`` and ``training`` also ``train.EXT`` (the kept sentences; predictions are
    never filtered). ``engine(sources, targets, config)``, if given, aligns and projects instead of
    :func:`~projner.pipelines.project_corpus` (``--engine ray``). Returns (projected, training data)."""
    from ..io import format_talp, write_sentences
    from ..pipelines import filter_projected, project_corpus

    ext = output.rsplit(".", 1)[-1]

    filtered = training and config.sentence_filter().active
    train_file = f"train.{ext}"

    def do(tmp):
        t0 = time.perf_counter()
        if engine is not None:
            projected, aligns = engine(list(sources), list(targets), config)
        else:
            projected, aligns = project_corpus(list(sources), list(targets), config, components=components)
        write_sentences(tmp[output], projected, ext)
        write_lines(tmp["alignments.talp"], [format_talp(a).rstrip("\n") for a in aligns])
        if filtered:  # the training data: the sentences the filter keeps (scores are gone once written as CoNLL)
            kept, dropped = filter_projected(list(sources), projected, config)
            write_sentences(tmp[train_file], kept, ext)
        if summary is not None:
            summary["project_seconds"] = round(time.perf_counter() - t0, 2)

    outputs = [output, "alignments.talp"] + ([train_file] if filtered else [])
    paths = run.step("project", outputs, do, depends=depends)
    return (paths[output], paths[train_file]) if filtered else (paths[output], paths[output])


def tag_step(run, tagger: Any, sentences: Sequence[Sentence], output: str, depends: list[str]) -> Path:
    from ..io import write_sentences
    from ..ner.base import tag_sentences

    def do(tmp):
        write_sentences(tmp[output], tag_sentences(tagger, sentences), output.rsplit(".", 1)[-1])

    return run.step("tag", [output], do, depends=depends)[output]


def train_step(run, cfg: TaggerConfig, sentences: Sequence[Sentence], dev: Sequence[Sentence] | None,
               depends: list[str], summary: dict | None = None) -> Path:
    """Train a tagger into the run's ``model/`` (a recorded output: a deleted or damaged
    model reruns the step); ``train.json`` records it, without timings, so that the
    same data gives the same bytes. Returns the model folder."""

    def do(tmp):
        t0 = time.perf_counter()
        train_tagger(cfg, sentences, tmp["model/"], dev)
        write_json(tmp["train.json"], {"kind": cfg.kind, "sentences": len(sentences), "model": "model"})
        if summary is not None:
            summary["train_seconds"] = round(time.perf_counter() - t0, 2)

    return run.step("train", ["model/", "train.json"], do, depends=depends)["model/"]


def evaluate_step(run, model_dir: Path, gold: Sequence[Sentence], config: ProjectionConfig,
                  depends: list[str]) -> Any:
    """Score the trained tagger on ``gold`` (``scores.json``) like benchmark-projection: the
    projection's label map and ignored labels on both sides."""

    def do(tmp):
        from ..ner import load_tagger

        preds, _ = model_transfer(gold, load_tagger(model_dir))
        report = evaluate(list(gold), preds, label_map=config.label_map, ignore=config.ignore_labels)
        write_json(tmp["scores.json"], report.as_dict())

    return read_json(run.step("evaluate", ["scores.json"], do, depends=depends)["scores.json"])


def score_step(run, gold: Sequence[Sentence], predictions: Sequence[Sentence], config: ProjectionConfig,
               depends: list[str]) -> Any:
    def do(tmp):
        rep = evaluate(list(gold), list(predictions), label_map=config.label_map, ignore=config.ignore_labels)
        write_json(tmp["scores.json"], rep.as_dict())

    return read_json(run.step("evaluate", ["scores.json"], do, depends=depends)["scores.json"])


def baseline_step(run, targets: Sequence[Sentence], tagger: Any, gold: Sequence[Sentence] | None, ext: str,
                  depends: list[str]) -> dict[str, Path]:
    from ..io import write_sentences

    def do(tmp):
        preds_b, rep = model_transfer(targets, tagger, gold)
        write_sentences(tmp[f"baseline.{ext}"], preds_b, ext)
        write_json(tmp["baseline_scores.json"], rep.as_dict() if rep else {})

    return run.step("baseline", [f"baseline.{ext}", "baseline_scores.json"], do, depends=depends)
