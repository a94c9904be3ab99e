"""Word vectors from any transformers encoder: loading, batching, windows, and an
explicit vector cache.

An :class:`Encoder` turns tokenised sentences into :class:`Embedded` vectors
(one per word, or per sub-word under ``subword`` pooling). Words are split into
sub-words with the model's own tokenizer, encoded in batches of similar length,
and represented by the hidden states of a chosen layer (or the mean of several
layers); sentences longer than the model's window are encoded in overlapping
windows of whole words.

Vectors are kept in the encoder's :class:`VectorCache` (keyed by the tokens),
so that every extraction method and every aligner given the same encoder reuse
them. There is no process-wide state: whoever builds an encoder owns it and its
cache, and releases both with :meth:`Encoder.close` (or ``with encoder: ...``).
An :class:`EncoderPool` hands out one encoder per distinct setting, so the
aligners of one run share vectors by being given the same pool.

torch and transformers are imported only when a model is loaded, with
``from_pretrained`` (a local folder, or a hub name on a machine with network access).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from .encoder_model import Loaded, check_location, cpu_has_bf16, load_model, resolve_dtype, word_pieces, word_windows

POOLINGS = ("mean", "first", "subword")
DTYPES = ("float32", "bfloat16", "float16", "auto")
Tokens = Sequence[str]

__all__ = ["Embedded", "Encoder", "EncoderSettings", "EncoderPool", "VectorCache", "POOLINGS", "resolve_dtype",
           "cpu_has_bf16", "check_location"]


class Embedded:
    """Vectors of one sentence: ``vectors`` (units, dim) float32 and ``word_of``
    (units,) mapping each unit (a word, or a sub-word under ``subword`` pooling)
    to its word; ``n_words`` words (words without sub-words have no unit)."""

    __slots__ = ("vectors", "word_of", "n_words")

    def __init__(self, vectors: np.ndarray, word_of: np.ndarray, n_words: int) -> None:
        self.vectors = vectors
        self.word_of = word_of
        self.n_words = n_words


class VectorCache:
    """Least-recently-used sentence vectors, keyed by the sentence's tokens.

    ``with cache: ...`` empties it on leaving the block."""

    def __init__(self, max_size: int = 50_000) -> None:
        self.max_size = int(max_size)
        self._items: OrderedDict[tuple[str, ...], Embedded] = OrderedDict()

    def __contains__(self, key: tuple[str, ...]) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, ...]) -> Embedded | None:
        e = self._items.get(key)
        if e is not None:
            self._items.move_to_end(key)
        return e

    def put(self, key: tuple[str, ...], value: Embedded) -> None:
        self._items[key] = value

    def shrink(self, keep: int) -> None:
        """Drop the oldest entries beyond ``max(max_size, keep)``."""
        while len(self._items) > max(self.max_size, keep):
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __enter__(self) -> "VectorCache":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.clear()


@dataclass(frozen=True)
class EncoderSettings:
    """What determines an encoder's vectors (and so which aligners may share them)."""

    model: str
    layers: tuple[int, ...] = (8,)
    pooling: str = "mean"
    dtype: str = "float32"
    device: str | None = None
    max_length: int | None = None
    skip_space: bool = True


class Encoder:
    """Sentence vectors from a transformers encoder (see the module docstring).

    model: local folder or hub name of an encoder (mBERT, XLM-R, LaBSE, e5...).
    layers: hidden layers to average (0 = embeddings); layers above the highest are not run.
    pooling: ``mean`` / ``first`` sub-word pooling into word vectors, or ``subword``.
    batch_size: sentences (windows) per forward pass, sorted by length.
    device: ``cpu``, ``cuda``... (default: cuda when available).
    max_length: window in sub-words including special tokens (default: the model's).
    num_threads: torch CPU threads (default: torch's choice).
    cache_size: sentences whose vectors the cache keeps.
    dtype: ``float32``, ``bfloat16``, ``float16`` or ``auto`` (see :func:`resolve_dtype`).
    skip_space: leave SentencePiece's bare ``▁`` piece out of the pooling of longer words.
    """

    def __init__(self, model: str, layers: Sequence[int] = (8,), pooling: str = "mean", batch_size: int = 32,
                 device: str | None = None, max_length: int | None = None, num_threads: int | None = None,
                 cache_size: int = 50_000, dtype: str = "float32", skip_space: bool = True) -> None:
        self.settings = EncoderSettings(str(model), tuple(int(x) for x in layers), pooling, dtype, device,
                                        max_length, bool(skip_space))
        self.batch_size = int(batch_size)
        self.num_threads = num_threads
        self.cache = VectorCache(cache_size)
        self._loaded: Loaded | None = None

    @property
    def model_name(self) -> str:
        return self.settings.model

    @property
    def layers(self) -> list[int]:
        return list(self.settings.layers)

    @property
    def loaded(self) -> Loaded:
        """The loaded model (loading it on first use)."""
        return self.load()._loaded  # type: ignore[return-value]

    # lifecycle -------------------------------------------------------------
    def load(self) -> "Encoder":
        if self._loaded is None:
            s = self.settings
            self._loaded = load_model(s.model, s.layers, s.dtype, s.device, s.max_length, self.num_threads)
        return self

    def close(self) -> None:
        """Release the model and the cached vectors."""
        self._loaded = None
        self.cache.clear()

    def __enter__(self) -> "Encoder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # embedding -------------------------------------------------------------
    def embed(self, sentences: Sequence[Tokens]) -> list[Embedded]:
        """Vectors for every sentence (from the cache when already computed)."""
        todo: dict[tuple[str, ...], None] = {}
        for s in sentences:
            key = tuple(s)
            if key not in self.cache and key not in todo:
                todo[key] = None
        if todo:
            self._embed_new(list(todo))
        out = []
        fresh: dict[tuple[str, ...], Embedded] = {}
        for s in sentences:
            key = tuple(s)
            e = self.cache.get(key) or fresh.get(key)
            if e is None:  # evicted while embedding a large batch
                self._embed_new([key], store=fresh)
                e = fresh[key]
            out.append(e)
        return out

    def windows(self, pieces: list[list[int]]) -> list[tuple[int, int, int, int]]:
        """Windows ``(ctx_start, core_start, core_end, ctx_end)`` over words whose
        sub-words fit the model; the core words take their vectors from the window."""
        return word_windows([max(1, len(p)) for p in pieces], self.loaded.window)

    def _embed_new(self, sentences: list[tuple[str, ...]], store: dict | None = None) -> None:
        lo = self.loaded
        nonempty = [s for s in sentences if len(s)]
        pieces_all = word_pieces(lo.tokenizer, nonempty) if nonempty else []
        segs = []  # (sentence index, window, ids)
        for si, pieces in enumerate(pieces_all):
            for w in self.windows(pieces):
                ids = [i for p in pieces[w[0]:w[3]] for i in p]
                segs.append((si, w, ids[: lo.window]))  # a single huge word: its pieces cut
        states = self._forward([ids for _, _, ids in segs])
        per_sent: dict[int, list[tuple[tuple[int, int, int, int], np.ndarray]]] = {}
        for k, (si, w, _) in enumerate(segs):
            per_sent.setdefault(si, []).append((w, states[k]))
        dim = next((st.shape[1] for parts in per_sent.values() for _, st in parts), None)
        results: dict[tuple[str, ...], Embedded] = {}
        for si, sent in enumerate(nonempty):
            results[sent] = self._pool(sent, pieces_all[si], per_sent.get(si, []), dim)
        for s in sentences:
            if not len(s):
                results[s] = Embedded(np.zeros((0, dim or 1), np.float32), np.zeros(0, np.int64), 0)
        if store is not None:
            store.update(results)
            return
        for key, e in results.items():
            self.cache.put(key, e)
        self.cache.shrink(len(sentences))

    def _forward(self, segments: list[list[int]]) -> list[np.ndarray]:
        """Hidden states (averaged over the layers) of every segment's sub-words."""
        import torch

        lo = self.loaded
        layers = self.settings.layers
        order = sorted(range(len(segments)), key=lambda k: len(segments[k]))
        out: list[np.ndarray | None] = [None] * len(segments)
        with torch.inference_mode():
            for b0 in range(0, len(order), self.batch_size):
                batch = order[b0:b0 + self.batch_size]
                seqs = [lo.prefix_ids + list(segments[k]) + lo.suffix_ids for k in batch]
                width = max(len(x) for x in seqs)
                input_ids = torch.full((len(seqs), width), lo.pad_id, dtype=torch.long)
                mask = torch.zeros((len(seqs), width), dtype=torch.long)
                for r, x in enumerate(seqs):
                    input_ids[r, : len(x)] = torch.tensor(x, dtype=torch.long)
                    mask[r, : len(x)] = 1
                hs = lo.model(input_ids=input_ids.to(lo.device), attention_mask=mask.to(lo.device),
                              output_hidden_states=True).hidden_states
                h = hs[layers[0]]
                for li in layers[1:]:
                    h = h + hs[li]
                if len(layers) > 1:
                    h = h / len(layers)
                h = h.float().cpu().numpy()
                for r, k in enumerate(batch):
                    out[k] = h[r, lo.prefix: lo.prefix + len(segments[k])]
        return out  # type: ignore[return-value]

    def _pool(self, sent: tuple[str, ...], pieces: list[list[int]],
              parts: list[tuple[tuple[int, int, int, int], np.ndarray]], dim: int | None) -> Embedded:
        """One sentence's units from the states of its windows' core words."""
        space_id = self.loaded.space_id if self.settings.skip_space else None
        pooling = self.settings.pooling
        unit_vecs, unit_word = [], []
        for (left, cs, ce, _right), states in parts:
            pos = 0
            for wi in range(left, ce):
                n_p = len(pieces[wi])
                vec = states[pos: pos + n_p]
                pos += n_p
                if wi < cs or n_p == 0 or not len(vec):
                    continue
                if space_id is not None and len(vec) > 1:
                    keep = np.asarray(pieces[wi][: len(vec)]) != space_id
                    if keep.any() and not keep.all():
                        vec = vec[keep]
                if pooling == "subword":
                    unit_vecs.append(vec)
                    unit_word.extend([wi] * len(vec))
                elif pooling == "first":
                    unit_vecs.append(vec[:1])
                    unit_word.append(wi)
                else:
                    unit_vecs.append(vec.mean(axis=0, keepdims=True))
                    unit_word.append(wi)
        vecs = np.concatenate(unit_vecs).astype(np.float32) if unit_vecs else np.zeros((0, dim or 1), np.float32)
        return Embedded(vecs, np.asarray(unit_word, dtype=np.int64), len(sent))

    def __repr__(self) -> str:
        s = self.settings
        return f"Encoder(model={s.model!r}, layers={list(s.layers)}, pooling={s.pooling!r}, dtype={s.dtype!r})"


class EncoderPool:
    """One :class:`Encoder` per distinct :class:`EncoderSettings`: the aligners of a run
    given the same pool share models and vectors. ``with pool: ...`` closes them all."""

    def __init__(self) -> None:
        self._encoders: dict[EncoderSettings, Encoder] = {}

    def get(self, model: str, layers: Sequence[int] = (8,), pooling: str = "mean", batch_size: int = 32,
            device: str | None = None, max_length: int | None = None, num_threads: int | None = None,
            cache_size: int = 50_000, dtype: str = "float32", skip_space: bool = True) -> Encoder:
        enc = Encoder(model, layers, pooling, batch_size, device, max_length, num_threads, cache_size, dtype,
                      skip_space)
        return self._encoders.setdefault(enc.settings, enc)

    def __iter__(self) -> Iterable[Encoder]:
        return iter(list(self._encoders.values()))

    def close(self) -> None:
        for enc in self._encoders.values():
            enc.close()
        self._encoders.clear()

    def __enter__(self) -> "EncoderPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
