"""Embedding aligner over any transformers encoder (SimAlign / awesome-align style).

The aligner is small: an :class:`~projner.align.encoder.Encoder` gives word
vectors (sub-word pooling ``mean`` or ``first``, or ``subword``: alignment on
sub-words lifted to words, two words linked when any of their sub-words are),
the aligner turns them into cosine similarity matrices, and one of the pure
extraction methods of :mod:`projner.align.extraction` turns those into links:

- ``argmax``: mutual argmax (SimAlign ArgMax);
- ``itermax``: mutual argmax repeated over still-unaligned words (SimAlign IterMax);
- ``match``: maximum-weight bipartite matching (SimAlign Match, Hungarian);
- ``softmax``: awesome-align's extraction, softmax over dot products in both
  directions, links where both probabilities exceed ``threshold``.

Vectors are computed once per sentence and kept in the encoder's cache, so every
extraction method (:meth:`EmbeddingAligner.extract_pair`,
:meth:`EmbeddingAligner.align_all_methods`) and every aligner given the same
encoder (or the same :class:`~projner.align.encoder.EncoderPool`) reuses them.
Link scores are the cosine similarities of the linked words.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import ConfigError
from ..types import Alignment
from .base import Tokens, check_batch
from .encoder import POOLINGS, Embedded, Encoder, EncoderPool, cpu_has_bf16, resolve_dtype
from .extraction import (METHODS, apply_distortion, cosine_matrix, extract, iter_max, max_weight_match,
                         mutual_argmax, softmax_extract)

CENTERINGS = ("none", "batch", "sentence")
_EXTRACTION_SETTINGS = ("threshold", "temperature", "distortion", "min_score", "center")

__all__ = [
    "EmbeddingAligner",
    "Embedded",
    "Encoder",
    "METHODS",
    "POOLINGS",
    "extract",
    "mutual_argmax",
    "iter_max",
    "max_weight_match",
    "softmax_extract",
    "cosine_matrix",
    "apply_distortion",
    "cpu_has_bf16",
    "resolve_dtype",
]


class EmbeddingAligner:
    """SimAlign-style word aligner over any transformers encoder.

    Parameters
    ----------
    model: local folder or hub name of an encoder (mBERT, XLM-R, LaBSE, e5,
        an awesome-align checkpoint...).
    layer: hidden layer to use (0 = embeddings); a list averages several layers.
        Layers above the highest one used are not run.
    method: extraction method used by :meth:`align` (see :data:`METHODS`).
    pooling: ``mean`` or ``first`` sub-word pooling into word vectors, or
        ``subword`` (align sub-words, lift to words).
    batch_size: sentences per forward pass (sentences are sorted by length).
    device: ``cpu``, ``cuda``... (default: cuda when available).
    threshold: probability threshold of ``softmax`` extraction.
    temperature: ``None`` (default): softmax over raw dot products, as awesome-align;
        a number: softmax over cosine similarities divided by it (e.g. 0.05 with
        ``threshold`` 0.3 suits encoders not fine-tuned for alignment).
    distortion: SimAlign distortion ratio (0 = off).
    max_length: window in sub-words including special tokens (default: the model's).
    num_threads: torch CPU threads (default: torch's choice).
    cache_size: sentences whose vectors are kept for reuse.
    min_score: links below this cosine similarity are dropped (default: keep all).
    center: subtract a mean vector before cosine similarity: ``none``, ``sentence``
        (each sentence's own mean), or ``batch`` (the mean over all source, resp.
        target, sentences of the call: removes the language-specific offset; the
        result then depends on the batch, as with a statistical aligner).
    dtype: torch dtype the model is loaded in: ``float32`` (default), ``bfloat16``,
        ``float16``, or ``auto`` = bfloat16 on a CPU with AMX / AVX512-BF16 (about 10x
        faster than float32 on such a CPU, same alignments up to rounding), else float32.
    skip_space: leave SentencePiece's bare word-boundary piece ``▁`` out of the
        pooling of words that have other pieces (it stays in the model input).
    encoders: an :class:`EncoderPool` to take the encoder from (aligners given the same
        pool share models and vectors); default: the aligner owns its own encoder.
    """

    name = "embedding"

    def __init__(
        self,
        model: str | None = None,
        layer: int | Sequence[int] = 8,
        method: str = "argmax",
        pooling: str = "mean",
        batch_size: int = 32,
        device: str | None = None,
        threshold: float = 1e-3,
        temperature: float | None = None,
        distortion: float = 0.0,
        max_length: int | None = None,
        num_threads: int | None = None,
        cache_size: int = 50_000,
        min_score: float | None = None,
        dtype: str = "float32",
        center: str = "none",
        skip_space: bool = True,
        encoders: EncoderPool | None = None,
    ) -> None:
        if method not in METHODS:
            raise ConfigError(f"embedding aligner: unknown method {method!r} (use one of {', '.join(METHODS)})")
        if pooling not in POOLINGS:
            raise ConfigError(f"embedding aligner: unknown pooling {pooling!r} (use one of {', '.join(POOLINGS)})")
        layers = [layer] if isinstance(layer, (int, np.integer)) else [int(x) for x in layer]
        if not layers or min(layers) < 0:
            raise ConfigError(f"embedding aligner: invalid layer {layer!r}")
        if center not in CENTERINGS:
            raise ConfigError(f"embedding aligner: unknown center {center!r} (use one of {', '.join(CENTERINGS)})")
        if batch_size < 1:
            raise ConfigError("embedding aligner: batch_size must be >= 1")
        if not model:
            # no silent hub download: the encoder is always named by the user
            raise ConfigError("the embedding aligner needs an encoder: --encoder PATH_OR_NAME "
                              "(config: encoder: …), e.g. a local e5-small or mBERT folder")
        settings = dict(model=str(model), layers=layers, pooling=pooling, batch_size=int(batch_size), device=device,
                        max_length=max_length, num_threads=num_threads, cache_size=int(cache_size), dtype=dtype,
                        skip_space=bool(skip_space))
        self.encoder: Encoder = (encoders or EncoderPool()).get(**settings)
        self.method = method
        self.pooling = pooling
        self.threshold = float(threshold)
        self.temperature = None if temperature is None else float(temperature)
        self.distortion = float(distortion)
        self.min_score = min_score
        self.center = center

    @property
    def model_name(self) -> str:
        return self.encoder.model_name

    @property
    def layers(self) -> list[int]:
        return self.encoder.layers

    def load(self) -> "EmbeddingAligner":
        """Load the encoder's model now (it is loaded on first use otherwise)."""
        self.encoder.load()
        return self

    def embed(self, sentences: Sequence[Tokens]) -> list[Embedded]:
        """Vectors for every sentence (cached by the encoder)."""
        return self.encoder.embed(sentences)

    def clear_cache(self) -> None:
        self.encoder.cache.clear()

    # similarity and extraction --------------------------------------------
    def _centers(self, es: Sequence[Embedded], et: Sequence[Embedded]):
        """Mean vectors to subtract per side (``batch`` centering), else None."""
        if self.center != "batch":
            return None, None
        out = []
        for side in (es, et):
            vecs = [e.vectors for e in side if len(e.vectors)]
            out.append(np.concatenate(vecs).mean(axis=0) if vecs else None)
        return out[0], out[1]

    def _vectors(self, e: Embedded, mu: np.ndarray | None) -> np.ndarray:
        if self.center == "sentence" and len(e.vectors):
            return e.vectors - e.vectors.mean(axis=0, keepdims=True)
        if mu is not None:
            return e.vectors - mu
        return e.vectors

    def unit_similarity(self, a: Embedded, b: Embedded, mu_a: np.ndarray | None = None,
                        mu_b: np.ndarray | None = None) -> np.ndarray:
        return cosine_matrix(self._vectors(a, mu_a), self._vectors(b, mu_b)).astype(np.float32)

    def word_similarity(self, a: Embedded, b: Embedded, mu_a: np.ndarray | None = None,
                        mu_b: np.ndarray | None = None) -> np.ndarray:
        """Word × word cosine similarities (max over sub-word pairs under
        ``subword`` pooling); words without sub-words get -1."""
        sim = self.unit_similarity(a, b, mu_a, mu_b)
        out = np.full((a.n_words, b.n_words), -1.0, dtype=np.float32)
        if sim.size:
            np.maximum.at(out, (a.word_of[:, None], b.word_of[None, :]), sim)
        return out

    def similarities(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[np.ndarray]:
        """Word-level similarity matrices of every pair (for ensembles and scoring)."""
        check_batch(src, tgt)
        es, et = self.embed(src), self.embed(tgt)
        mu_s, mu_t = self._centers(es, et)
        return [self.word_similarity(a, b, mu_s, mu_t) for a, b in zip(es, et)]

    def extract_pair(self, a: Embedded, b: Embedded, method: str | None = None,
                     sim: np.ndarray | None = None, mu_a: np.ndarray | None = None,
                     mu_b: np.ndarray | None = None) -> Alignment:
        """Links of one embedded pair with ``method`` (default: the aligner's)."""
        method = method or self.method
        if method not in METHODS:
            raise ConfigError(f"unknown extraction method {method!r} (use one of {', '.join(METHODS)})")
        if not len(a.vectors) or not len(b.vectors):
            return Alignment(np.zeros((0, 2), np.int64), np.zeros(0, np.float32))
        usim = self.unit_similarity(a, b, mu_a, mu_b) if sim is None else sim
        if method == "softmax":
            if self.temperature is None:  # awesome-align: raw dot products
                logits = self._vectors(a, mu_a) @ self._vectors(b, mu_b).T
            else:  # cosine similarities sharpened by a temperature
                logits = apply_distortion(usim, self.distortion) / self.temperature
            links = softmax_extract(logits, self.threshold)
        else:
            links = extract(apply_distortion(usim, self.distortion), method)
        idx = np.argwhere(links)
        wi, wj = a.word_of[idx[:, 0]], b.word_of[idx[:, 1]]
        sc = usim[idx[:, 0], idx[:, 1]]
        if self.min_score is not None:
            keep = sc >= self.min_score
            wi, wj, sc = wi[keep], wj[keep], sc[keep]
        # Alignment keeps the highest score of duplicate word links
        return Alignment(np.stack([wi, wj], axis=1) if len(wi) else np.zeros((0, 2), np.int64), sc)

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        es, et = self.embed(src), self.embed(tgt)
        mu_s, mu_t = self._centers(es, et)
        return [self.extract_pair(a, b, None, None, mu_s, mu_t) for a, b in zip(es, et)]

    def align_all_methods(self, src: Sequence[Tokens], tgt: Sequence[Tokens],
                          methods: Iterable[str] = METHODS) -> dict[str, list[Alignment]]:
        """One embedding pass, every extraction method: ``{method: alignments}``."""
        check_batch(src, tgt)
        methods = list(methods)
        es, et = self.embed(src), self.embed(tgt)
        out: dict[str, list[Alignment]] = {m: [] for m in methods}
        mu_s, mu_t = self._centers(es, et)
        for a, b in zip(es, et):
            sim = self.unit_similarity(a, b, mu_s, mu_t) if len(a.vectors) and len(b.vectors) else None
            for m in methods:
                out[m].append(self.extract_pair(a, b, m, sim, mu_s, mu_t))
        return out

    def with_method(self, method: str, **changes: Any) -> "EmbeddingAligner":
        """A copy of this aligner with another extraction method (and other extraction
        settings in ``changes``), sharing its encoder and so its vectors."""
        if method not in METHODS:
            raise ConfigError(f"unknown extraction method {method!r} (use one of {', '.join(METHODS)})")
        clone = copy.copy(self)
        clone.method = method
        for k, v in changes.items():
            if k not in _EXTRACTION_SETTINGS:
                raise ConfigError(f"with_method: {k!r} is not an extraction setting "
                                  f"({', '.join(_EXTRACTION_SETTINGS)})")
            setattr(clone, k, v)
        return clone

    def __repr__(self) -> str:
        return (f"EmbeddingAligner(model={self.model_name!r}, layer={self.layers}, method={self.method!r}, "
                f"pooling={self.pooling!r})")
