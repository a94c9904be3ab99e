"""spaCy ``DocBin`` files (``.spacy``), the training format of ``spacy train``.

Each sentence becomes one ``Doc`` (its words, a space after each, its entities as
``doc.ents``); reading gives the words and entities back. Needs spaCy (the ``ner``
extra); no language model is loaded: a blank vocabulary is enough.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator

from ..errors import InputError, UsageError
from ..types import Sentence, Span
from .common import _open_binary, atomic_write


def _spacy():
    try:
        import spacy  # noqa: F401
        from spacy.tokens import Doc, DocBin
        from spacy.tokens import Span as DocSpan
        from spacy.vocab import Vocab
    except ImportError:  # pragma: no cover - the ner extra is part of 'all'
        raise UsageError("spaCy files need spaCy: pip install 'projner[ner]'") from None
    return Doc, DocBin, DocSpan, Vocab


def write_docbin(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    """Write sentences as one ``.spacy`` file, atomically; returns the count."""
    Doc, DocBin, DocSpan, Vocab = _spacy()
    vocab = Vocab()
    db = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    n = 0
    for sent in sentences:
        doc = Doc(vocab, words=list(sent.tokens), spaces=[True] * len(sent.tokens))
        doc.ents = [DocSpan(doc, s.start, s.end, label=s.label) for s in sent.spans]
        db.add(doc)
        n += 1
    with atomic_write(path, "wb") as fh:
        fh.write(db.to_bytes())
    return n


def read_docbin(path: str | os.PathLike, *, labels: bool = True) -> Iterator[Sentence]:
    """Read a ``.spacy`` file: one sentence per ``Doc`` (its entities unless ``labels=False``)."""
    _, DocBin, _, Vocab = _spacy()
    with _open_binary(path) as fh:
        data = fh.read()
    try:
        db = DocBin().from_bytes(data)
    except Exception as exc:  # spaCy raises ValueError, msgpack or zlib errors for a damaged file
        raise InputError(f"not a spaCy DocBin file ({type(exc).__name__})", path) from None
    for k, doc in enumerate(db.get_docs(Vocab()), 1):
        spans = [Span(e.start, e.end, e.label_) for e in doc.ents] if labels else []
        words = [t.text for t in doc if not t.is_space]
        if len(words) != len(doc):
            raise InputError(f"document {k} holds white-space tokens; projner reads tokenised sentences", path)
        yield Sentence(words, spans, meta={"line": k, "path": str(path)})
