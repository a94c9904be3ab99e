"""JSONL: one sentence per line, ``{"tokens": [...], "spans": [{"start", "end", "label"}]}``.

``end`` is exclusive. ``spans`` may also be given as ``[start, end, label]`` lists;
a ``score`` key on a span is kept. Lines in the Hugging Face convention,
``{"tokens": [...], "ner_tags": ["B-PER", ...]}`` (or ``tags``/``labels``), are read
through the tag-scheme policy; integer tags (whose names a JSON file cannot carry)
and other labelled conventions are refused, never read as unlabelled.
"""

from __future__ import annotations

import json
import os
import re
from typing import Iterable, Iterator

from ..errors import InputError
from ..types import Sentence, Span
from .common import load_json_line, atomic_write, iter_lines
from .tags import TagChecker

TAG_KEYS = ("ner_tags", "tags", "labels")
OTHER_LABEL_KEYS = ("entities", "ents", "ner", "entity_mentions", "annotations", "label")


def _span(obj, path, lineno) -> Span:
    try:
        if isinstance(obj, dict):
            start, end, label = obj["start"], obj["end"], obj["label"]
            score = obj.get("score")
        elif isinstance(obj, (list, tuple)) and len(obj) == 3:
            start, end, label = obj
            score = None
        else:
            raise InputError(f"a span must be {{start, end, label}} or [start, end, label], got {obj!r}"[:200], path, lineno)
    except KeyError as exc:
        raise InputError(f"span is missing the key {exc.args[0]!r}", path, lineno) from None
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise InputError(f"span offsets must be integers, got {start!r}, {end!r}", path, lineno)
    if not isinstance(label, str) or not label or any(c.isspace() for c in label) or _SURROGATE.search(label) \
            or "\x00" in label:
        raise InputError(f"span label must be a non-empty string without spaces, got {label!r}", path, lineno)
    try:
        return Span(start, end, label, None if score is None else float(score))
    except (ValueError, TypeError) as exc:
        raise InputError(str(exc), path, lineno) from None


_NUL = re.compile("\x00")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_characters(tokens: list, path, lineno) -> None:
    """NUL and lone surrogates (``"\\ud800"``) are valid JSON but not text projner can write."""
    joined = "\x01".join(tokens)
    if _NUL.search(joined):
        raise InputError("a token contains a NUL character (\\u0000)", path, lineno)
    if _SURROGATE.search(joined):
        raise InputError("a token contains a lone surrogate (an unpaired \\ud800-\\udfff escape): not valid Unicode",
                         path, lineno)


def _tag_spans(obj: dict, tokens: list, path, lineno, checker: TagChecker | None) -> list[Span]:
    key = next((k for k in TAG_KEYS if k in obj), None)
    if key is None:
        other = next((k for k in OTHER_LABEL_KEYS if k in obj), None)
        if other is not None:
            raise InputError(f"labels under {other!r} are not a convention projner reads: give 'spans' "
                             "([{start, end, label}], end exclusive) or 'ner_tags' (one tag per token)", path, lineno)
        return []
    tags = obj[key]
    if not isinstance(tags, list) or len(tags) != len(tokens):
        raise InputError(f"{key!r} must be a list with one tag per token ({len(tokens)} tokens)", path, lineno)
    if not all(isinstance(t, str) for t in tags):
        raise InputError(f"{key!r} holds integers, whose label names a JSON file cannot carry: write string tags "
                         "(\"B-PER\"), or use a save_to_disk folder or Parquet file with ClassLabel names",
                         path, lineno)
    checker = checker or TagChecker(path=path)
    return checker.spans(tags, [lineno] * len(tags))


def parse_jsonl_line(line: str, path=None, lineno=None, labels: bool = True,
                     checker: TagChecker | None = None) -> Sentence:
    obj = load_json_line(line, path, lineno)
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object with 'tokens' and 'spans'", path, lineno)
    tokens = obj.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, str) and t and not any(c.isspace() for c in t) for t in tokens):
        raise InputError("'tokens' must be a list of non-empty strings without white space", path, lineno)
    _check_characters(tokens, path, lineno)
    if labels and "spans" not in obj:
        spans = _tag_spans(obj, tokens, path, lineno, checker)
    else:
        raw_spans = obj.get("spans", []) if labels else []
        if not isinstance(raw_spans, list):
            raise InputError("'spans' must be a list", path, lineno)
        spans = [_span(s, path, lineno) for s in raw_spans]
    try:
        meta = {"line": lineno}
        if "id" in obj:
            meta["id"] = obj["id"]
        if "alignment" in obj:  # the links used to project this sentence (kept for projner show)
            meta["alignment"] = obj["alignment"]
        return Sentence(tokens, spans, meta=meta)
    except ValueError as exc:
        raise InputError(str(exc), path, lineno) from None


def read_jsonl(path: str | os.PathLike, *, labels: bool = True, scheme: str = "iob2",
               repair: bool = False, span: tuple | None = None) -> Iterator[Sentence]:
    """Stream sentences; ``ner_tags`` lines are read under ``scheme`` (see :mod:`projner.io.tags`)."""
    checker = TagChecker(scheme, repair, path)
    for lineno, line in iter_lines(path, span):
        if not line.strip():
            continue
        sent = parse_jsonl_line(line, path, lineno, labels, checker)
        if not checker.failed:
            yield sent
    checker.finish()


def sentence_to_json(sentence: Sentence, with_scores: bool = True) -> str:
    spans = []
    for s in sentence.spans:
        d = {"start": s.start, "end": s.end, "label": s.label}
        if with_scores and s.score is not None:
            d["score"] = round(float(s.score), 4)
        spans.append(d)
    return json.dumps({"tokens": list(sentence.tokens), "spans": spans}, ensure_ascii=False)


def write_jsonl(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    n = 0
    with atomic_write(path) as fh:
        for sent in sentences:
            fh.write(sentence_to_json(sent))
            fh.write("\n")
            n += 1
    return n
