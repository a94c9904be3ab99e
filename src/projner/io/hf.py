"""Hugging Face datasets in the ``tokens`` + ``ner_tags`` convention.

Read: ``save_to_disk`` folders (a ``Dataset``, or one split of a ``DatasetDict``:
``DIR/SPLIT``) and Parquet files; tags are strings (``"B-PER"``) or integers with
``ClassLabel`` names. JSON lines in this convention are read by
:mod:`projner.io.jsonl` (no ``datasets`` needed). Write: Parquet and ``save_to_disk``
folders with integer tags and ``ClassLabel`` names (IOB2), and JSON lines with
string tags. Needs the ``hf`` extra (``datasets``, ``pyarrow``).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..errors import InputError, UsageError
from ..types import Sentence
from .common import atomic_folder, atomic_write
from .tags import TagChecker

TOKEN_COLUMNS = ("tokens", "words")
TAG_COLUMNS = ("ner_tags", "tags", "labels")


def _datasets():
    try:
        import datasets
    except ImportError:  # pragma: no cover - the hf extra is part of 'all'
        raise UsageError("Hugging Face datasets need the 'hf' extra: pip install 'projner[hf]'") from None
    return datasets


@contextlib.contextmanager
def _quiet():
    """No progress bars from ``datasets`` while projner reads or writes."""
    ds = _datasets()
    was = ds.is_progress_bar_enabled()
    ds.disable_progress_bars()
    try:
        yield ds
    finally:
        if was:
            ds.enable_progress_bars()


def _columns(features, path, labels: bool) -> tuple[str, str | None, list[str] | None]:
    """The token column, the tag column (None when unlabelled) and the ClassLabel names."""
    names = list(features)
    tok = next((c for c in TOKEN_COLUMNS if c in features), None)
    if tok is None:
        raise InputError(f"no token column (one of {', '.join(TOKEN_COLUMNS)}); columns: {', '.join(names)}", path)
    tag = next((c for c in TAG_COLUMNS if c in features), None)
    if not labels:
        return tok, None, None
    if tag is None:
        raise InputError(f"no tag column (one of {', '.join(TAG_COLUMNS)}) for labelled input; "
                         f"columns: {', '.join(names)}", path)
    inner = getattr(features[tag], "feature", None)
    if type(inner).__name__ == "ClassLabel":
        return tok, tag, list(inner.names)
    dtype = getattr(inner, "dtype", None)
    if dtype == "string":
        return tok, tag, None
    raise InputError(f"column {tag!r} holds {dtype or type(inner).__name__} values without ClassLabel names; "
                     "projner reads string tags or integer tags with ClassLabel names", path)


def rows_to_sentences(rows: Iterable[dict], tok: str, tag: str | None, names: Sequence[str] | None, path, *,
                      scheme: str = "iob2", repair: bool = False) -> Iterator[Sentence]:
    """Rows (dicts) → sentences; row numbers (1-based) stand in for lines in messages."""
    checker = TagChecker(scheme, repair, path, unit="row")
    for row_no, row in enumerate(rows, 1):
        tokens = row[tok]
        if not isinstance(tokens, list) or not all(isinstance(t, str) and t and not any(c.isspace() for c in t)
                                                  for t in tokens):
            raise InputError(f"row {row_no}: {tok!r} must be a list of non-empty strings without white space",
                             path)
        spans = ()
        if tag is not None:
            tags = row[tag]
            if not isinstance(tags, list) or len(tags) != len(tokens):
                raise InputError(f"row {row_no}: {len(tags) if isinstance(tags, list) else 'no'} tags for "
                                 f"{len(tokens)} tokens", path)
            if names is not None:
                if not all(isinstance(t, int) and 0 <= t < len(names) for t in tags):
                    raise InputError(f"row {row_no}: tag ids must be integers below {len(names)}", path)
                tags = [names[t] for t in tags]
            spans = checker.spans(tags, [row_no] * len(tags))
            if checker.failed:
                continue
        yield Sentence(tokens, spans, meta={"line": row_no, "path": str(path)})
    checker.finish()


def read_hf_disk(path: str | os.PathLike, *, labels: bool = True, scheme: str = "iob2",
                 repair: bool = False) -> Iterator[Sentence]:
    """Read a ``save_to_disk`` folder; a ``DatasetDict`` must be narrowed to one split (``DIR/SPLIT``)."""
    with _quiet() as ds:
        try:
            data = ds.load_from_disk(str(path))
        except (FileNotFoundError, ValueError, OSError) as exc:
            raise InputError(f"not a Hugging Face save_to_disk folder ({str(exc).splitlines()[0][:120]})", path) from None
    if isinstance(data, ds.DatasetDict):
        splits = list(data)
        if len(splits) != 1:
            raise InputError(f"a DatasetDict with the splits {', '.join(splits)}: name one, e.g. "
                             f"{Path(path) / splits[0]}", path)
        data = data[splits[0]]
    tok, tag, names = _columns(data.features, path, labels)
    rows = data.select_columns([c for c in (tok, tag) if c])
    yield from rows_to_sentences(iter(rows), tok, tag, names, path, scheme=scheme, repair=repair)


def read_parquet(path: str | os.PathLike, *, labels: bool = True, scheme: str = "iob2",
                 repair: bool = False) -> Iterator[Sentence]:
    """Stream a Parquet file (``datasets`` metadata gives ClassLabel names)."""
    ds = _datasets()
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(str(path))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read Parquet: {str(exc)[:160]}", path) from None
    features = ds.Features.from_arrow_schema(pf.schema_arrow)
    tok, tag, names = _columns(features, path, labels)
    cols = [c for c in (tok, tag) if c]
    rows = (row for batch in pf.iter_batches(batch_size=1024, columns=cols) for row in batch.to_pylist())
    yield from rows_to_sentences(rows, tok, tag, names, path, scheme=scheme, repair=repair)


def tag_names(sentences: Sequence[Sentence]) -> list[str]:
    """``O``, then ``B-X``, ``I-X`` for every type X in sorted order."""
    types = sorted({s.label for sent in sentences for s in sent.spans})
    return ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]


def _dataset(sentences: Sequence[Sentence]):
    ds = _datasets()
    names = tag_names(sentences)
    index = {n: i for i, n in enumerate(names)}
    features = ds.Features({"id": ds.Value("string"), "tokens": ds.Sequence(ds.Value("string")),
                            "ner_tags": ds.Sequence(ds.ClassLabel(names=names))})
    data = {"id": [str(i) for i in range(len(sentences))], "tokens": [list(s.tokens) for s in sentences],
            "ner_tags": [[index[t] for t in s.tags()] for s in sentences]}
    return ds.Dataset.from_dict(data, features=features)


def write_parquet(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    sents = list(sentences)
    with _quiet():
        table = _dataset(sents)
        with atomic_write(path, "wb") as fh:
            table.to_parquet(fh)
    return len(sents)


def write_hf_disk(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    sents = list(sentences)
    with _quiet():
        data = _dataset(sents)
        with atomic_folder(path) as tmp:
            data.save_to_disk(str(tmp))
    return len(sents)


def write_hf_jsonl(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    """JSON lines ``{"tokens": [...], "ner_tags": ["B-PER", ...]}`` (string tags, IOB2)."""
    n = 0
    with atomic_write(path) as fh:
        for sent in sentences:
            fh.write(json.dumps({"tokens": list(sent.tokens), "ner_tags": sent.tags()}, ensure_ascii=False) + "\n")
            n += 1
    return n
