"""Command-line options shared by several commands, each spelled once.

Typer reads a parameter's option from its ``Annotated`` type, so a command says
``aligner: Aligner = None`` and every command that takes ``--aligner`` shows
the same flag and help.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

SOURCE_FORMATS = "auto, conll, jsonl (spans or ner_tags), hf (datasets save_to_disk folder), parquet, spacy"
TARGET_FORMATS = ("auto, conll, jsonl, text (whitespace tokens), raw (word tokenizer), hf (datasets folder), parquet, "
                  "spacy")

# projection (project, align, benchmark-projection, translate-train, translate-test) ----------------
Aligner = Annotated[Optional[str], typer.Option(
    "--aligner", "-a", help="Aligner spec: eflomal, lexical, embedding, combined with + (augment), | (union), "
    "& (intersection). Default: eflomal+lexical.")]
Method = Annotated[Optional[str], typer.Option(
    "--method", "-m", help="Projection method: heuristic | greedy | bipartite | ilp. Default: ilp.")]
Bitext = Annotated[Optional[List[Path]], typer.Option(
    "--bitext", help="Extra parallel text SRC TGT for the statistical aligner (plain text, CoNLL or JSONL; "
    ".gz ok). Repeatable.")]
Lowercase = Annotated[Optional[bool], typer.Option(
    "--lowercase/--no-lowercase", help="Lowercase text for statistical alignment (default: on).")]
Config = Annotated[Optional[Path], typer.Option(
    "--config", "-c", help="A YAML/TOML configuration file (see configs/). Any key can also be set on the command "
    "line with a dotted option, e.g. --projection.k 2 or --aligner_options.eflomal.seed 1.")]
Encoder = Annotated[Optional[str], typer.Option(
    "--encoder", help="Transformers encoder (folder or name) for the embedding aligner.")]
Seed = Annotated[Optional[int], typer.Option(
    "--seed", help="Seed eflomal: identical alignments across runs (needs a C compiler once; eflomal then runs "
    "on one thread).")]
Scheme = Annotated[str, typer.Option(
    "--scheme", help="Tag scheme of labelled input: iob2 (default, strict), iob1, bioes, io, or auto (any mixture, "
    "read as seqeval does). A file that breaks it is refused with every violation listed.")]
RepairTags = Annotated[bool, typer.Option(
    "--repair-tags", help="Read tags that break --scheme as seqeval does (a stray I-X after O or another type "
    "starts an entity) and report how many were repaired, instead of refusing the file.")]
SourceFormat = Annotated[str, typer.Option("--source-format", help=f"Source format: {SOURCE_FORMATS}.")]
TargetFormat = Annotated[str, typer.Option("--target-format", help=f"Target format: {TARGET_FORMATS}.")]
AlignmentFile = Annotated[Optional[Path], typer.Option(
    "--alignment", help="Use precomputed alignments (talp/Pharaoh, source-target) instead of aligning.")]
LabelMap = Annotated[Optional[List[str]], typer.Option(
    "--label-map", help="Label mapping FROM=TO (repeatable or comma-separated), e.g. GPE=LOC.")]
Ignore = Annotated[Optional[List[str]], typer.Option(
    "--ignore", help="Labels to drop on both sides (repeatable), e.g. MISC.")]
JsonOut = Annotated[Optional[Path], typer.Option("--json", help="Also write the scores as JSON.")]

# translation (translate-train, translate-test) ------------------------------------------------------
Translator = Annotated[Optional[str], typer.Option(
    "--translator", "-t", help="Translation backend: hf (transformers), ct2 (CTranslate2), file (pre-computed).")]
Model = Annotated[Optional[str], typer.Option(
    "--model", help="Translation model directory (or a hub name already in the local cache).")]
Tokenizer = Annotated[Optional[str], typer.Option(
    "--tokenizer", help="ct2: directory of the transformers tokenizer (default: the model directory).")]
Translations = Annotated[Optional[Path], typer.Option(
    "--translations", help="Pre-computed translations (implies --translator file): plain text, one per line; "
    "or tokenised CoNLL/JSONL, one sentence per input sentence (tokens used as they are, labels ignored; "
    "-DOCSTART- blocks dropped as from the input).")]
TranslationsFormat = Annotated[Optional[str], typer.Option(
    "--translations-format", help="Format of --translations: auto (default, detected), text, conll or jsonl.")]
SrcLang = Annotated[Optional[str], typer.Option(
    "--src-lang", help="Source language code of the model (en, eng_Latn, ...).")]
TgtLang = Annotated[Optional[str], typer.Option(
    "--tgt-lang", help="Target language code of the model (de, deu_Latn, ...).")]
BeamSize = Annotated[Optional[int], typer.Option("--beam-size", help="Beam size (default 4).")]
BatchSize = Annotated[Optional[int], typer.Option(
    "--batch-size", help="Sentences per translation batch (default 16).")]
MaxLength = Annotated[Optional[int], typer.Option("--max-length", help="Longest translation in tokens (default 256).")]
Device = Annotated[Optional[str], typer.Option("--device", help="cpu (default), cuda or auto.")]
Cache = Annotated[Optional[str], typer.Option(
    "--cache", help="On-disk translation cache (SQLite file, or 'default').")]
Tokenize = Annotated[Optional[str], typer.Option(
    "--tokenize", help="How text translations are split into words: word (default) or whitespace (already "
    "tokenised). CoNLL/JSONL translations keep their tokens.")]
RunConfig = Annotated[Optional[Path], typer.Option(
    "--config", "-c", help="YAML/TOML run configuration (validated before any work). Any key can also be set on "
    "the command line with a dotted option, e.g. --translate.beam_size 2 or --projection.aligner_options.eflomal.seed 1.")]
SummaryJson = Annotated[Optional[Path], typer.Option("--json", help="Also write the run summary as JSON.")]
ProjectionConfigFile = Annotated[Optional[Path], typer.Option(
    "--projection-config", help="A projection configuration file (as for 'projner project --config', e.g. "
    "configs/neural-vote.yaml) for the projection section; flags override it.")]
OutputFormatRun = Annotated[Optional[str], typer.Option("--output-format", help="conll (default) or jsonl.")]

# taggers (train, translate-train) -------------------------------------------------------------------
BaseModel = Annotated[Optional[str], typer.Option("--base-model", help="hf: encoder directory to fine-tune, or a "
    "token-classification model to continue (e.g. an English NER model: its head is kept for the labels the "
    "training data shares with it; labels it lacks get new rows, labels the data lacks are dropped).")]
MaxIterations = Annotated[Optional[int], typer.Option(
    "--max-iterations", help="crf: L-BFGS iterations (default 100).")]


def pairs(values) -> list[tuple]:
    """``--bitext A B`` arrives as ``[a, b, c, d]`` (see :func:`projner.cli.expand_pairs`):
    pair it up again → ``[(a, b), (c, d)]``."""
    values = list(values or [])
    return list(zip(values[0::2], values[1::2]))
Markers = Annotated[Optional[bool], typer.Option(
    "--markers/--no-markers", help="Marker-based projection (EasyProject): entities wrapped in [ ] before "
    "translation and read back from the output, instead of word alignment.")]
Backtranslation = Annotated[Optional[str], typer.Option(
    "--backtranslation", help="Refine through a back-translation of the tagged translation: markers "
    "(translated with [ ] markers, spans matched to the input words) or align (refined word alignment).")]
BackModel = Annotated[Optional[str], typer.Option(
    "--back-model", help="The back-translation model (tagger's language → input's; same backend). Default: "
    "the translation model with --src-lang/--tgt-lang swapped.")]
DropIncomplete = Annotated[Optional[bool], typer.Option(
    "--drop-incomplete/--keep-incomplete", help="Leave out sentences whose source entities were not all projected "
    "(training data; the output is then not line-parallel). Config: filter.drop_incomplete.")]
MinSpanScore = Annotated[Optional[float], typer.Option(
    "--min-span-score", min=0.0, max=1.0, help="Leave out sentences holding a projected span scoring below this "
    "(0-1). Config: filter.min_span_score.")]
