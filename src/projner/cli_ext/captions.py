"""Caption commands: ``induce-lexicon`` (image-pivoted bilingual lexicon, eflomal
priors) and ``caption-bitext`` (caption translations as bitext files).

Registering also imports :mod:`projner.captions`, so the ``caption-lexicon``
aligner can be named in ``--aligner`` / config files
(``aligner_options: {caption-lexicon: {lexicon: lexicon.tsv}}``).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    import projner.captions  # noqa: F401  (registers the caption-lexicon aligner)

    @app.command("induce-lexicon")
    def induce_lexicon_cmd(
        corpus: Path = typer.Argument(..., help="Multi30K-layout folder or caption JSONL (image, lang, caption)."),
        output: Path = typer.Option(..., "-o", "--output", help="Lexicon TSV to write."),
        src: str = typer.Option("en", "--src", help="Source language code."),
        tgt: str = typer.Option("de", "--tgt", help="Target language code."),
        split: List[str] = typer.Option(["train"], "--split", help="Split(s) of a Multi30K folder (repeatable)."),
        task: int = typer.Option(2, "--task", help="Multi30K task: 2 = comparable captions (default), 1 = translations."),
        measure: str = typer.Option("dice", "--measure", help="Association score: dice or npmi."),
        min_count: int = typer.Option(5, "--min-count", help="Minimum images per word."),
        min_cooc: int = typer.Option(3, "--min-cooc", help="Minimum images per word pair."),
        min_g2: float = typer.Option(10.83, "--min-g2", help="Log-likelihood ratio threshold (10.83: p < 0.001)."),
        top_k: int = typer.Option(3, "--top-k", help="Keep pairs within each word's top k (mutually)."),
        priors: Optional[Path] = typer.Option(None, "--priors", help="Also write an eflomal priors file here."),
        prior_scale: float = typer.Option(1.0, "--prior-scale", help="Prior pseudo-count of a score-1 entry."),
        show: int = typer.Option(10, "--show", help="Print this many top entries."),
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
        lex = lexicon_from_corpus(corpus, src, tgt, splits=tuple(split), task=task, measure=measure,
                                  min_count=min_count, min_cooc=min_cooc, min_g2=min_g2, top_k=top_k)
        n = lex.save(output)
        typer.echo(f"{n} entries from {lex.meta.get('images', 0)} images -> {output}")
        if priors is not None:
            k = write_eflomal_priors(lex, priors, scale=prior_scale)
            typer.echo(f"{k} eflomal priors -> {priors}")
        for e in lex.top(show):
            typer.echo(f"  {e.src}\t{e.tgt}\t{e.score:.3f}\t(images: {e.cooc}/{e.src_count}/{e.tgt_count})")

    @app.command("caption-bitext")
    def caption_bitext_cmd(
        corpus: Path = typer.Argument(..., help="Multi30K-layout folder or caption JSONL."),
        output: Path = typer.Option(..., "-o", "--output", help="Output prefix: writes PREFIX.SRC and PREFIX.TGT."),
        src: str = typer.Option("en", "--src"),
        tgt: str = typer.Option("de", "--tgt"),
        split: List[str] = typer.Option(["train"], "--split", help="Split(s) of a Multi30K folder (repeatable)."),
    ) -> None:
        """Write caption translations (task 1) as tokenised line-parallel files for --bitext."""
        from ..captions import caption_bitext
        from ..io import write_lines

        s, t = caption_bitext(corpus, src, tgt, splits=tuple(split))
        a, b = Path(f"{output}.{src}"), Path(f"{output}.{tgt}")
        write_lines(a, (" ".join(x) for x in s))
        write_lines(b, (" ".join(x) for x in t))
        typer.echo(f"{len(s)} caption pairs -> {a} {b}")
