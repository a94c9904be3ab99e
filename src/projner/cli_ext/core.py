"""Core commands: project, align, evaluate, benchmark-projection, example."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import List, Optional

import typer

from ..cli import pairs
from ..errors import InputError

SOURCE_FORMATS = "auto, conll, jsonl"
TARGET_FORMATS = "auto, conll, jsonl, text (whitespace tokens), raw (word tokenizer)"


def _progress(total: int, description: str):
    """A rich progress bar on stderr when it is a terminal; a no-op otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True, disable=not console.is_terminal)
    task = prog.add_task(description, total=total)
    return prog, (lambda n: prog.advance(task, n))


def _status(message: str):
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_terminal:
        return console.status(message)
    import contextlib

    return contextlib.nullcontext()


def _read_all(path: Path, fmt: str, *, labels: bool, scheme: str) -> list:
    from ..io import read_sentences

    out = []
    for s in read_sentences(path, fmt, labels=labels, scheme=scheme):
        s.meta["path"] = str(path)
        out.append(s)
    if not out:
        raise InputError("no sentences in this file", path)
    return out


def _load_config(config: Optional[Path], **overrides):
    from ..config import load_config

    return load_config(config, overrides)


def _read_alignments(path: Path, n: int, sources, targets) -> list:
    from ..io import read_talp

    aligns = []
    for k, a in enumerate(read_talp(path)):
        if k < n:
            try:
                a.check_bounds(len(sources[k]), len(targets[k]))
            except ValueError as exc:
                raise InputError(str(exc), path, k + 1) from None
        aligns.append(a)
    if len(aligns) != n:
        raise InputError(f"{len(aligns)} alignment lines but {n} sentence pairs", path)
    return aligns


def _check_output(path: Path) -> None:
    """Fail before any work when the output cannot be written."""
    from ..io.common import _check_writable_dir

    _check_writable_dir(Path(path))


# shared options -------------------------------------------------------------
ALIGNER = typer.Option(None, "--aligner", "-a", help="Aligner spec: eflomal, lexical, embedding, combined with + (augment), | (union), & (intersection). Default: eflomal+lexical.")
METHOD = typer.Option(None, "--method", "-m", help="Projection method: heuristic | greedy | bipartite | ilp. Default: ilp.")
BITEXT = typer.Option(None, "--bitext", help="Extra parallel text SRC TGT for the statistical aligner (plain text, CoNLL or JSONL; .gz ok). Repeatable.")
LOWER = typer.Option(None, "--lowercase/--no-lowercase", help="Lowercase text for statistical alignment (default: on).")
CONFIG = typer.Option(None, "--config", "-c", help="A YAML/TOML configuration file (see configs/).")
ENCODER = typer.Option(None, "--encoder", help="Transformers encoder (folder or name) for the embedding aligner.")
SEED = typer.Option(None, "--seed", help="Seed eflomal: identical alignments across runs (needs a C compiler once; eflomal then runs on one thread).")
SCHEME = typer.Option("iob2", "--scheme", help="Tag scheme of labelled input: iob2, iob1, bioes, auto.")
SRC_FMT = typer.Option("auto", "--source-format", help=f"Source format: {SOURCE_FORMATS}.")
TGT_FMT = typer.Option("auto", "--target-format", help=f"Target format: {TARGET_FORMATS}.")
ALIGN_FILE = typer.Option(None, "--alignment", help="Use precomputed alignments (talp/Pharaoh, source-target) instead of aligning.")
LABEL_MAP = typer.Option(None, "--label-map", help="Label mapping FROM=TO (repeatable or comma-separated), e.g. GPE=LOC.")
IGNORE = typer.Option(None, "--ignore", help="Labels to drop on both sides (repeatable), e.g. MISC.")


def _overrides(aligner, method, bitext, lowercase, encoder, label_map=None, ignore=None, seed=None) -> dict:
    from ..evaluate import parse_label_map

    ov = {"aligner": aligner, "method": method, "bitext": [list(map(str, b)) for b in pairs(bitext)] if bitext else None,
          "lowercase": lowercase, "encoder": encoder, "seed": seed}
    if label_map:
        ov["label_map"] = parse_label_map(label_map)
    if ignore:
        ov["ignore_labels"] = list(ignore)
    return ov


def _check_bitext(cfg) -> None:
    for src, tgt in cfg.bitext:
        for p in (src, tgt):
            if not Path(p).is_file():
                raise InputError("bitext file not found", p)


def register(app: typer.Typer) -> None:
    @app.command()
    def project(
        source: Path = typer.Argument(..., help="Labelled source sentences (CoNLL or JSONL)."),
        target: Path = typer.Argument(..., help="Target sentences, line-parallel to the source."),
        output: Path = typer.Option(..., "--output", "-o", help="Labelled target file (.conll / .jsonl, .gz ok)."),
        aligner: Optional[str] = ALIGNER,
        method: Optional[str] = METHOD,
        bitext: Optional[List[Path]] = BITEXT,
        lowercase: Optional[bool] = LOWER,
        config: Optional[Path] = CONFIG,
        encoder: Optional[str] = ENCODER,
        seed: Optional[int] = SEED,
        source_format: str = SRC_FMT,
        target_format: str = TGT_FMT,
        output_format: str = typer.Option("auto", "--output-format", help="conll, jsonl (keeps scores), or auto by the file name."),
        scheme: str = SCHEME,
        alignment: Optional[Path] = ALIGN_FILE,
        save_alignment: Optional[Path] = typer.Option(None, "--save-alignment", help="Also write the alignments (talp)."),
        label_map: Optional[List[str]] = LABEL_MAP,
        ignore: Optional[List[str]] = IGNORE,
    ) -> None:
        """Project entity labels from SOURCE onto TARGET and write the labelled target."""
        from ..io import write_sentences, write_talp
        from ..pipelines import check_parallel, project_corpus

        cfg = _load_config(config, **_overrides(aligner, method, bitext, lowercase, encoder, label_map, ignore, seed))
        _check_bitext(cfg)
        _check_output(output)
        if save_alignment:
            _check_output(save_alignment)
        if alignment and not save_alignment:
            # precomputed links: stream, one pair in memory at a time
            from ..io import read_sentences, read_talp
            from ..pipelines import project_stream

            t0 = time.perf_counter()
            stats: dict = {}
            stream = project_stream(
                read_sentences(source, source_format, labels=True, scheme=scheme),
                read_sentences(target, target_format, labels=False, scheme=scheme),
                read_talp(alignment), cfg, paths=(source, target, alignment), stats=stats,
                corpus=lambda: (read_sentences(source, source_format, labels=True, scheme=scheme),
                                read_sentences(target, target_format, labels=False, scheme=scheme)),
            )
            write_sentences(output, stream, output_format)
            typer.echo(
                f"projected {stats['projected']} of {stats['source_entities']} entities onto {stats['pairs']} "
                f"sentences ({cfg.method}, precomputed alignments) in {time.perf_counter() - t0:.1f}s → {output}",
                err=True,
            )
            return
        sources = _read_all(source, source_format, labels=True, scheme=scheme)
        targets = _read_all(target, target_format, labels=False, scheme=scheme)
        check_parallel(sources, targets, source, target)
        aligns = _read_alignments(alignment, len(sources), sources, targets) if alignment else None
        t0 = time.perf_counter()
        if aligns is None:
            from ..pipelines import align_corpus, prepare_source

            with _status(f"aligning {len(sources)} pairs with {cfg.aligner}"):
                aligns = align_corpus([prepare_source(s, cfg) for s in sources], targets, cfg)
        prog, advance = _progress(len(sources), "projecting")
        with prog:
            projected, aligns = project_corpus(sources, targets, cfg, aligns, advance)
        write_sentences(output, projected, output_format)
        if save_alignment:
            write_talp(save_alignment, aligns)
        n_src = sum(len(s.spans) for s in sources)
        n_out = sum(len(s.spans) for s in projected)
        typer.echo(
            f"projected {n_out} of {n_src} entities onto {len(projected)} sentences "
            f"({cfg.aligner}, {cfg.method}) in {time.perf_counter() - t0:.1f}s → {output}",
            err=True,
        )

    @app.command()
    def align(
        source: Path = typer.Argument(..., help="Source sentences (CoNLL, JSONL or text)."),
        target: Path = typer.Argument(..., help="Target sentences, line-parallel."),
        output: Path = typer.Option(..., "--output", "-o", help="Alignments, talp/Pharaoh (i-j, 0-indexed)."),
        aligner: Optional[str] = ALIGNER,
        bitext: Optional[List[Path]] = BITEXT,
        lowercase: Optional[bool] = LOWER,
        config: Optional[Path] = CONFIG,
        encoder: Optional[str] = ENCODER,
        seed: Optional[int] = SEED,
        source_format: str = typer.Option("auto", "--source-format", help=f"Source format: {TARGET_FORMATS}."),
        target_format: str = TGT_FMT,
        scheme: str = SCHEME,
    ) -> None:
        """Word-align SOURCE and TARGET and write talp links."""
        from ..io import write_talp
        from ..pipelines import align_corpus, check_parallel

        cfg = _load_config(config, **_overrides(aligner, None, bitext, lowercase, encoder, seed=seed))
        _check_bitext(cfg)
        _check_output(output)
        sources = _read_all(source, source_format, labels=False, scheme=scheme)
        targets = _read_all(target, target_format, labels=False, scheme=scheme)
        check_parallel(sources, targets, source, target)
        t0 = time.perf_counter()
        with _status(f"aligning {len(sources)} pairs with {cfg.aligner}"):
            aligns = align_corpus(sources, targets, cfg)
        write_talp(output, aligns)
        typer.echo(f"aligned {len(aligns)} pairs ({cfg.aligner}) in {time.perf_counter() - t0:.1f}s → {output}", err=True)

    @app.command()
    def evaluate(
        gold: Path = typer.Argument(..., help="Gold labelled file (CoNLL or JSONL)."),
        pred: Path = typer.Argument(..., help="Predicted labelled file, same sentences and tokens."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the scores as JSON."),
        source: Optional[Path] = typer.Option(None, "--source", help="Labelled source file, to report the projection ratio."),
        gold_format: str = typer.Option("auto", "--gold-format", help=f"Gold format: {SOURCE_FORMATS}."),
        pred_format: str = typer.Option("auto", "--pred-format", help=f"Prediction format: {SOURCE_FORMATS}."),
        scheme: str = SCHEME,
        label_map: Optional[List[str]] = LABEL_MAP,
        ignore: Optional[List[str]] = IGNORE,
    ) -> None:
        """Entity-level precision, recall and F1 per type and overall (seqeval semantics)."""
        from ..evaluate import evaluate as run_eval
        from ..evaluate import parse_label_map

        if json_out:
            _check_output(json_out)
        g = _read_all(gold, gold_format, labels=True, scheme=scheme)
        p = _read_all(pred, pred_format, labels=True, scheme=scheme)
        if len(g) != len(p):
            raise InputError(f"{len(p)} sentences here but {len(g)} in the gold file {gold}", pred)
        src_spans = None
        if source:
            s = _read_all(source, "auto", labels=True, scheme=scheme)
            if len(s) != len(g):
                raise InputError(f"{len(s)} sentences here but {len(g)} in the gold file {gold}", source)
            src_spans = [x.spans for x in s]
        report = run_eval(g, p, label_map=parse_label_map(label_map or []), ignore=ignore or (), source=src_spans)
        print_report(report, title=f"{pred} vs {gold}")
        if json_out:
            _write_json(json_out, report.as_dict())

    @app.command("benchmark-projection")
    def benchmark_projection(
        source_gold: Path = typer.Argument(..., help="Labelled source gold (CoNLL or JSONL)."),
        target_gold: Path = typer.Argument(..., help="Labelled target gold, line-parallel."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write overall/per-type scores, sentences and seconds as JSON."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the projected target."),
        aligner: Optional[str] = ALIGNER,
        method: Optional[str] = METHOD,
        bitext: Optional[List[Path]] = BITEXT,
        lowercase: Optional[bool] = LOWER,
        config: Optional[Path] = CONFIG,
        encoder: Optional[str] = ENCODER,
        seed: Optional[int] = SEED,
        source_format: str = SRC_FMT,
        target_format: str = typer.Option("auto", "--target-format", help=f"Target gold format: {SOURCE_FORMATS}."),
        scheme: str = SCHEME,
        alignment: Optional[Path] = ALIGN_FILE,
        label_map: Optional[List[str]] = LABEL_MAP,
        ignore: Optional[List[str]] = IGNORE,
    ) -> None:
        """Project SOURCE_GOLD onto the tokens of TARGET_GOLD and score against it."""
        from ..io import write_sentences
        from ..pipelines import benchmark_projection as run_bench
        from ..pipelines import check_parallel

        cfg = _load_config(config, **_overrides(aligner, method, bitext, lowercase, encoder, label_map, ignore, seed))
        _check_bitext(cfg)
        for out in (json_out, output):
            if out:
                _check_output(out)
        src = _read_all(source_gold, source_format, labels=True, scheme=scheme)
        tgt = _read_all(target_gold, target_format, labels=True, scheme=scheme)
        check_parallel(src, tgt, source_gold, target_gold)
        aligns = _read_alignments(alignment, len(src), src, tgt) if alignment else None
        with _status(f"aligning and projecting {len(src)} pairs"):
            report, projected = run_bench(src, tgt, cfg, aligns)
        print_report(report, title=f"{cfg.aligner} · {cfg.method} · {target_gold.name}")
        typer.echo(
            f"time: {report.extra['seconds']:.2f}s total (align {report.extra['align_seconds']:.2f}s, "
            f"project {report.extra['project_seconds']:.2f}s = {report.extra['pairs_per_second_projection']:.0f} pairs/s)"
        )
        if output:
            write_sentences(output, projected)
        if json_out:
            _write_json(json_out, report.as_dict())

    @app.command()
    def example(
        method: Optional[str] = METHOD,
        aligner: Optional[str] = ALIGNER,
    ) -> None:
        """Run projner on a small English→German example shipped with the package."""
        from importlib.resources import files

        from ..config import load_config
        from ..evaluate import evaluate as run_eval
        from ..io import read_conll
        from ..pipelines import project_corpus

        data = files("projner") / "data"
        src = list(read_conll(data / "example.en.conll"))
        gold = list(read_conll(data / "example.de.conll"))
        bitext = [(str(data / "example.bitext.en.txt"), str(data / "example.bitext.de.txt"))]
        cfg = load_config(None, {"method": method, "aligner": aligner, "bitext": bitext})
        t0 = time.perf_counter()
        targets = [g.with_spans(()) for g in gold]
        projected, _ = project_corpus(src, targets, cfg)
        seconds = time.perf_counter() - t0
        from rich.console import Console

        con = Console(highlight=False)
        for s, p in zip(src, projected):
            con.print(_render(s))
            con.print("  → " + _render(p, scores=True))
        report = run_eval(gold, projected, source=[s.spans for s in src])
        print_report(report, title=f"example en→de · {cfg.aligner} · {cfg.method} · {seconds:.1f}s")


def _render(sentence, scores: bool = False) -> str:
    from rich.markup import escape

    parts = []
    starts = {s.start: s for s in sentence.spans}
    i = 0
    while i < len(sentence.tokens):
        if i in starts:
            s = starts[i]
            sc = f" {s.score:.2f}" if scores and s.score is not None else ""
            parts.append(f"[bold]{escape('[' + ' '.join(sentence.tokens[s.start:s.end]) + ']')}[/bold][cyan]{s.label}{sc}[/cyan]")
            i = s.end
        else:
            parts.append(escape(sentence.tokens[i]))
            i += 1
    return " ".join(parts)


def print_report(report, title: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title or None)
    for col in ("type", "precision", "recall", "f1", "gold", "pred", "correct"):
        table.add_column(col, justify="left" if col == "type" else "right")
    for lab, t in sorted(report.per_type.items()):
        table.add_row(lab, f"{t.precision:.4f}", f"{t.recall:.4f}", f"{t.f1:.4f}", str(t.support), str(t.predicted), str(t.correct))
    o = report.overall
    table.add_row("[bold]overall[/bold]", f"{o.precision:.4f}", f"{o.recall:.4f}", f"[bold]{o.f1:.4f}[/bold]",
                  str(o.support), str(o.predicted), str(o.correct))
    Console(highlight=False).print(table)
    extra = f"sentences: {report.sentences}"
    if report.projection_ratio is not None:
        extra += f"   projection ratio: {report.projection_ratio:.4f}"
    Console(highlight=False).print(extra)


def _write_json(path: Path, data: dict) -> None:
    from ..io import atomic_write

    with atomic_write(path) as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
