"""``projner report``: the metrics of several runs in one Markdown + HTML report with plots.

A *run* is a JSON file written by ``benchmark-projection --json``, ``evaluate
--json``, ``translate-train/translate-test --json``, or a run folder of
``translate-train``/``translate-test`` (its ``manifest.json`` and ``scores.json``);
a folder of such JSON files is expanded. Each run gives one row: language,
method, precision, recall, F1 (micro and macro), projection ratio, time.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import InputError

__all__ = ["Run", "collect_runs", "load_run", "write_report"]

_LANG_RE = re.compile(r"(?:^|[-_./])([a-z]{2,3})(?=[-_.]|$)")
_NOT_LANGS = {"dev", "test", "train", "txt", "gz", "tsv", "json", "jsonl", "run", "out", "ner", "iob", "bio",
              "crf", "hf", "all", "and", "the", "new", "old", "top", "raw", "img", "tmp"}


@dataclass
class Run:
    name: str
    path: str
    kind: str
    language: str = "?"
    method: str = "?"
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    macro_f1: float | None = None
    projection_ratio: float | None = None
    seconds: float | None = None
    sentences: int | None = None
    per_type: dict = field(default_factory=dict)


def guess_language(*names: str) -> str:
    """A language code in file names (``de-europarl.test.conll02`` → ``de``), else ``?``."""
    for name in names:
        for code in _LANG_RE.findall(Path(str(name)).name.lower()):
            if code not in _NOT_LANGS:
                return code
    return "?"


def _scores(run: Run, scores: dict) -> None:
    o = scores.get("overall") or {}
    run.precision, run.recall, run.f1 = o.get("precision"), o.get("recall"), o.get("f1")
    run.macro_f1 = scores.get("macro_f1")
    run.projection_ratio = scores.get("projection_ratio", run.projection_ratio)
    run.sentences = scores.get("sentences", run.sentences)
    run.per_type = {k: v.get("f1") for k, v in (scores.get("per_type") or {}).items()}


def _method(projection: dict, extra: str = "") -> str:
    parts = [projection.get("aligner") or "", projection.get("method") or ""]
    return " · ".join(p for p in parts + [extra] if p) or "?"


def _from_json(path: Path, data: dict) -> Run:
    run = Run(path.stem, str(path), "scores")
    if "overall" in data:  # benchmark-projection / evaluate --json
        run.kind = "benchmark-projection" if "config" in data else "evaluate"
        _scores(run, data)
        cfg = data.get("config") or {}
        run.method = _method(cfg) if cfg else path.stem
        run.seconds = data.get("seconds")
        run.language = data.get("language") or guess_language(data.get("target_gold", ""), path.name)
    elif "projected_entities" in data or "predictions" in data:  # translate-train/test --json
        run.kind = "translate-train" if "projected_entities" in data else "translate-test"
        if data.get("source_entities"):
            run.projection_ratio = data["projected_entities"] / data["source_entities"]
        if isinstance(data.get("scores"), dict):
            _scores(run, data["scores"])
        run.seconds = data.get("seconds")
        run.language = guess_language(str(data.get("projected") or data.get("predictions") or ""), path.name)
        run.method = run.kind
    else:
        raise InputError("not a projner result (no 'overall' scores, not a translate-train/test summary)", path)
    return run


def _from_folder(path: Path) -> Run:
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    cfg = manifest.get("config") or {}
    kind = "translate-test" if "input" in cfg else "translate-train"
    run = Run(path.name, str(path), kind)
    tr = cfg.get("translate") or {}
    run.language = (tr.get("src_lang") if kind == "translate-test" else tr.get("tgt_lang")) or guess_language(
        str(cfg.get("eval") or cfg.get("input") or ""), path.name)
    train = (cfg.get("train") or {}).get("kind") or ""
    run.method = f"{kind} · {_method(cfg.get('projection') or {}, train)}"
    scores = path / "scores.json"
    if scores.is_file():
        _scores(run, json.loads(scores.read_text(encoding="utf-8")))
    return run


def load_run(path: str | os.PathLike) -> Run:
    p = Path(path)
    if p.is_dir():
        if not (p / "manifest.json").is_file():
            raise InputError("a folder without manifest.json is not a run folder", p)
        try:
            return _from_folder(p)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"unreadable run folder: {exc}", p) from None
    if not p.is_file():
        raise InputError("file not found", p)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a JSON file: {exc}", p) from None
    if not isinstance(data, dict):
        raise InputError("not a projner result (expected a JSON object)", p)
    return _from_json(p, data)


def collect_runs(paths: Iterable[str | os.PathLike]) -> list[Run]:
    """Runs from files and folders; a folder that is not a run folder gives its ``*.json`` files."""
    runs = []
    for path in paths:
        p = Path(path)
        if p.is_dir() and not (p / "manifest.json").is_file():
            files = sorted(p.glob("*.json"))
            if not files:
                raise InputError("no run here (no manifest.json, no *.json results)", p)
            runs += [load_run(f) for f in files]
        else:
            runs.append(load_run(p))
    if not runs:
        raise InputError("no runs given")
    return runs


def write_report(runs: list[Run], folder: str | os.PathLike, title: str = "projner report") -> list[Path]:
    """Write report.md, report.html and the plots (PNG + SVG) into ``folder``; returns the files."""
    from .render import write_all

    return write_all(runs, Path(folder), title)
