"""Caption commands: ``induce-lexicon`` (image-pivoted bilingual lexicon, eflomal
priors) and ``caption-bitext`` (caption translations as bitext files).

The ``caption-lexicon`` aligner these lexicons feed is named in ``--aligner`` /
config files (``aligner_options: {caption-lexicon: {lexicon: lexicon.tsv}}``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .common import guard

Corpus = Annotated[Path, typer.Argument(help="Multi30K-layout folder or caption JSONL (image, lang, caption).")]
Splits = Annotated[List[str], typer.Option("--split", help="Split(s) of a Multi30K folder (repeatable).")]


def induce_lexicon(
    corpus: Corpus,
    output: Annotated[Path, typer.Option("-o", "--output", help="Lexicon TSV to write.")],
    src: Annotated[str, typer.Option("--src", help="Source language code.")] = "en",
    tgt: Annotated[str, typer.Option("--tgt", help="Target language code.")] = "de",
    split: Splits = ["train"],  # noqa: B006 - typer reads the default
    task: Annotated[int, typer.Option(
        "--task", help="Multi30K task: 2 = comparable captions (default), 1 = translations.")] = 2,
    measure: Annotated[str, typer.Option("--measure", help="Association score: dice or npmi.")] = "dice",
    min_count: Annotated[int, typer.Option("--min-count", help="Minimum images per word.")] = 5,
    min_cooc: Annotated[int, typer.Option("--min-cooc", help="Minimum images per word pair.")] = 3,
    min_g2: Annotated[float, typer.Option(
        "--min-g2", help="Log-likelihood ratio threshold (10.83: p < 0.001).")] = 10.83,
    top_k: Annotated[int, typer.Option("--top-k", help="Keep pairs within each word's top k (mutually).")] = 3,
    priors: Annotated[Optional[Path], typer.Option("--priors", help="Also write an eflomal priors file here.")] = None,
    prior_scale: Annotated[float, typer.Option(
        "--prior-scale", help="Prior pseudo-count of a score-1 entry.")] = 1.0,
    show: Annotated[int, typer.Option("--show", help="Print this many top entries.")] = 10,
) -> None:
    """Induce a bilingual lexicon from captions of the same images (image-level co-occurrence)."""
    from ..captions import lexicon_from_corpus, write_eflomal_priors
    from ..errors import UsageError

    if measure not in ("dice", "npmi"):
        raise UsageError(f"--measure must be dice or npmi, got {measure!r}")
    if top_k < 1 or min_count < 1 or min_cooc < 1:
        raise UsageError("--top-k, --min-count and --min-cooc must be at least 1")
    if prior_scale <= 0:
        raise UsageError("--prior-scale must be positive")
    guard({"CORPUS": corpus}, {"-o": output, "--priors": priors})
    lex = lexicon_from_corpus(corpus, src, tgt, splits=tuple(split), task=task, measure=measure,
                              min_count=min_count, min_cooc=min_cooc, min_g2=min_g2, top_k=top_k)
    n = lex.save(output)
    typer.echo(f"{n} entries from {lex.meta.get('images', 0)} images -> {output}")
    if priors is not None:
        k = write_eflomal_priors(lex, priors, scale=prior_scale)
        typer.echo(f"{k} eflomal priors -> {priors}")
    for e in lex.top(show):
        typer.echo(f"  {e.src}\t{e.tgt}\t{e.score:.3f}\t(images: {e.cooc}/{e.src_count}/{e.tgt_count})")


def caption_bitext(
    corpus: Annotated[Path, typer.Argument(help="Multi30K-layout folder or caption JSONL.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output prefix: writes PREFIX.SRC and PREFIX.TGT.")],
    src: Annotated[str, typer.Option("--src")] = "en",
    tgt: Annotated[str, typer.Option("--tgt")] = "de",
    split: Splits = ["train"],  # noqa: B006 - typer reads the default
) -> None:
    """Write caption translations (task 1) as tokenised line-parallel files for --bitext."""
    from ..captions import caption_bitext as read_pairs
    from ..io import write_lines

    a, b = Path(f"{output}.{src}"), Path(f"{output}.{tgt}")
    guard({"CORPUS": corpus}, {f"-o (.{src})": a, f"-o (.{tgt})": b})
    s, t = read_pairs(corpus, src, tgt, splits=tuple(split))
    write_lines(a, (" ".join(x) for x in s))
    write_lines(b, (" ".join(x) for x in t))
    typer.echo(f"{len(s)} caption pairs -> {a} {b}")
