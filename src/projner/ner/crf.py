"""A CRF tagger (sklearn-crfsuite / CRFsuite) that trains, saves and loads on a CPU.

Features are gazetteer-free and language-independent, computed on the word in
Unicode NFC (so decomposed and composed accents are the same word): the word, its
lower case and its accent-folded form (``Jámánì`` → ``jamani``), word shape (full and collapsed), prefixes and suffixes up to 4
characters, capitalisation / digit / punctuation flags, position in the
sentence, the same for the neighbours at distance 1 and 2 (words, shapes,
suffixes), and word bigrams around the token.

    tagger = CRFTagger(max_iterations=100).fit(train_sentences)
    tagger.save("models/de-crf")
    CRFTagger.load("models/de-crf").predict([["Angela", "Merkel", "sprach", "."]])

Combining marks written as tokens of their own (``wọ ́ n``: the Yorùbá translations of
``masakhaner_translate_train``): by default (``marks="keep"``) the tagger trains on the
tokens as given; ``marks="attach"`` glues mark tokens onto the word before them for
training; ``marks="split"`` trains on the split form and cuts the words it tags the same
way (:mod:`projner.text.marks`), returning spans over the caller's words; ``auto`` is
``split`` when the training data writes marks as tokens. On MasakhaNER Yorùbá dev,
``keep`` scored best (docs/low-resource.md).

A saved model is a directory with ``model.crfsuite`` (the CRFsuite binary
model) and ``projner.json`` (tagger name, feature options, labels); no pickles.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, InputError, ModelError
from ..io.common import atomic_folder
from ..text.marks import (MARKS, attach_marks_sentence, has_split_marks, split_marks, split_marks_sentence,
                          word_spans)
from ..text.similarity import fold
from ..types import Sentence, Span, iob_to_spans

__all__ = ["CRFTagger", "word_features", "sentence_features"]

_META = "projner.json"
_MODEL = "model.crfsuite"


@lru_cache(maxsize=200_000)
def _shape(word: str) -> str:
    out = []
    for ch in word:
        if ch.isupper():
            out.append("X")
        elif ch.islower():
            out.append("x")
        elif ch.isdigit():
            out.append("d")
        elif ch.isalpha():
            out.append("a")  # letters without case (CJK, Arabic, ...)
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=200_000)
def _short_shape(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", _shape(word))


@lru_cache(maxsize=200_000)
def _token_features(word: str) -> tuple[tuple[str, str], ...]:
    """Features of one word on its own (cached: they do not depend on context)."""
    low = word.lower()
    shape = _shape(word)
    feats: list[tuple[str, str]] = [
        ("w", word),
        ("lw", low),
        ("fw", fold(word)),
        ("sh", shape if len(shape) <= 12 else shape[:6] + "~" + shape[-6:]),
        ("ss", _short_shape(word)),
        ("len", str(min(len(word), 8))),
    ]
    for k in (1, 2, 3, 4):
        if len(low) > k:
            feats.append((f"p{k}", low[:k]))
            feats.append((f"s{k}", low[-k:]))
    flags = []
    if word[:1].isupper():
        flags.append("init_cap")
    if word.isupper() and any(c.isalpha() for c in word):
        flags.append("all_caps")
    if word.istitle():
        flags.append("title")
    if any(c.isupper() for c in word[1:]):
        flags.append("inner_cap")
    if word.isdigit():
        flags.append("digits")
    elif any(c.isdigit() for c in word):
        flags.append("has_digit")
    if "-" in word and len(word) > 1:
        flags.append("hyphen")
    if "." in word and len(word) > 1:
        flags.append("period")
    if all(unicodedata.category(c).startswith("P") for c in word):
        flags.append("punct")
    for f in flags:
        feats.append((f, "1"))
    return tuple(feats)


def word_features(tokens: Sequence[str], i: int, window: int = 2) -> dict[str, Any]:
    """Feature dict of token ``i`` in its sentence."""
    word = tokens[i]
    f: dict[str, Any] = {"bias": 1.0}
    for k, v in _token_features(word):
        f[k] = v
    n = len(tokens)
    if i == 0:
        f["BOS"] = 1.0
    if i == n - 1:
        f["EOS"] = 1.0
    # capitalised but sentence-initial is weaker evidence
    if i == 0 and word[:1].isupper():
        f["cap_first"] = 1.0
    for d in range(1, window + 1):
        for sign, pos in (("-", i - d), ("+", i + d)):
            if 0 <= pos < n:
                w = tokens[pos]
                low = w.lower()
                f[f"{sign}{d}lw"] = low
                f[f"{sign}{d}ss"] = _short_shape(w)
                if d == 1:
                    f[f"{sign}1s3"] = low[-3:]
                    f[f"{sign}1title"] = w.istitle()
                    f[f"{sign}1up"] = w.isupper()
            else:
                f[f"{sign}{d}pad"] = 1.0
    low = word.lower()
    if i > 0:
        f["bi-"] = tokens[i - 1].lower() + "|" + low
    if i < n - 1:
        f["bi+"] = low + "|" + tokens[i + 1].lower()
    return f


def sentence_features(tokens: Sequence[str], window: int = 2) -> list[dict[str, Any]]:
    tokens = [t if unicodedata.is_normalized("NFC", t) else unicodedata.normalize("NFC", t) for t in tokens]
    return [word_features(tokens, i, window) for i in range(len(tokens))]


class CRFTagger:
    """Parameters (stored only; training happens in :meth:`fit`): ``c1``, ``c2``
    (L1/L2 regularisation), ``max_iterations`` (L-BFGS iterations; bounds the
    training time), ``window`` (context words each side), ``min_freq``
    (features seen fewer times are dropped), ``all_possible_transitions``, ``marks``
    (``keep``, ``attach``, ``split``, ``auto``: see the module text)."""

    name = "crf"

    def __init__(
        self,
        c1: float = 0.05,
        c2: float = 0.05,
        max_iterations: int = 100,
        window: int = 2,
        min_freq: int = 1,
        all_possible_transitions: bool = True,
        verbose: bool = False,
        marks: str = "keep",
    ) -> None:
        if max_iterations < 1:
            raise ConfigError("max_iterations must be positive")
        if window < 0:
            raise ConfigError("window must be >= 0")
        if marks not in MARKS:
            raise ConfigError(f"marks must be keep, attach, split or auto, not {marks!r}")
        self.marks = marks
        self.c1, self.c2 = c1, c2
        self.max_iterations = max_iterations
        self.window = window
        self.min_freq = min_freq
        self.all_possible_transitions = all_possible_transitions
        self.verbose = verbose
        self._crf = None
        self._tmpdir: tempfile.TemporaryDirectory | None = None
        self.labels: list[str] = []
        self.train_seconds: float | None = None

    def params(self) -> dict[str, Any]:
        return {
            "c1": self.c1,
            "c2": self.c2,
            "max_iterations": self.max_iterations,
            "window": self.window,
            "min_freq": self.min_freq,
            "all_possible_transitions": self.all_possible_transitions,
            "marks": self.marks,
        }

    # -- training -----------------------------------------------------------
    def fit(self, sentences: Sequence[Sentence], dev: Sequence[Sentence] | None = None) -> "CRFTagger":
        import sklearn_crfsuite

        sents = [s for s in sentences if len(s.tokens)]
        if not sents:
            raise InputError("no training sentences")
        if not any(s.spans for s in sents):
            raise InputError("the training data has no entities")
        if self.marks == "auto":
            self.marks = "split" if has_split_marks(sents) else "keep"
        if self.marks in ("split", "attach"):
            form = split_marks_sentence if self.marks == "split" else attach_marks_sentence
            sents = [form(s) for s in sents]
            dev = [form(s) for s in dev] if dev else dev
        self._tmpdir = tempfile.TemporaryDirectory(prefix="projner-crf-")
        model_file = os.path.join(self._tmpdir.name, _MODEL)
        crf = sklearn_crfsuite.CRF(
            algorithm="lbfgs",
            c1=self.c1,
            c2=self.c2,
            max_iterations=self.max_iterations,
            all_possible_transitions=self.all_possible_transitions,
            min_freq=self.min_freq,
            model_filename=model_file,
            verbose=self.verbose,
        )
        t0 = time.perf_counter()
        X = [sentence_features(s.tokens, self.window) for s in sents]
        y = [s.tags() for s in sents]
        kwargs = {}
        if dev:
            dsents = [s for s in dev if len(s.tokens)]
            kwargs = {"X_dev": [sentence_features(s.tokens, self.window) for s in dsents], "y_dev": [s.tags() for s in dsents]}
        crf.fit(X, y, **kwargs)
        self.train_seconds = time.perf_counter() - t0
        self._crf = crf
        self.labels = sorted({t.partition("-")[2] for tags in y for t in tags if t != "O"})
        return self

    # -- inference ----------------------------------------------------------
    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[Span]]:
        if self._crf is None:
            raise ModelError("the CRF tagger is not trained; call fit() or load()")
        tagger = self._crf.tagger_
        out: list[list[Span]] = []
        for toks in sentences:
            if not len(toks):
                out.append([])
                continue
            if self.marks == "split":  # the words cut as in training, the spans mapped back onto them
                pieces, owner = split_marks(toks)
                out.append(word_spans(iob_to_spans(tagger.tag(sentence_features(pieces, self.window))), owner))
                continue
            out.append(iob_to_spans(tagger.tag(sentence_features(list(toks), self.window))))
        return out

    # -- persistence --------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the model directory atomically (a temporary sibling renamed into place)."""
        if self._crf is None:
            raise ModelError("the CRF tagger is not trained; nothing to save")
        dest = Path(path)
        if dest.exists() and (dest.is_file() or (any(dest.iterdir()) and not (dest / _META).exists())):
            raise InputError("output exists and is not a projner model directory; refusing to overwrite", dest)
        with atomic_folder(dest) as tmp:
            shutil.copyfile(self._crf.modelfile.name, tmp / _MODEL)
            # no timings here: the same training data gives the same model folder, byte for byte
            meta = {"tagger": "crf", "params": self.params(), "labels": self.labels}
            (tmp / _META).write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike) -> "CRFTagger":
        import sklearn_crfsuite

        p = Path(path)
        meta_path = p / _META
        if not (p / _MODEL).exists() or not meta_path.exists():
            raise ModelError("not a projner CRF model directory (expected model.crfsuite and projner.json)", p)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ModelError(f"invalid projner.json: {exc}", meta_path) from None
        if meta.get("tagger") != "crf":
            raise ModelError(f"model directory holds a {meta.get('tagger')!r} tagger, not a CRF", p)
        params = dict(meta.get("params") or {})
        self = cls(**params)
        self._crf = sklearn_crfsuite.CRF(model_filename=str(p / _MODEL))
        try:
            self._crf.tagger_
        except Exception as exc:  # pycrfsuite raises ValueError / OSError on a corrupt file
            raise ModelError(f"cannot open CRF model: {exc}", p / _MODEL) from None
        self.labels = list(meta.get("labels") or [])
        self.train_seconds = None  # not recorded in the model folder
        return self
