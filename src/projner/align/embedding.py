"""Embedding aligner over any transformers encoder (SimAlign / awesome-align style).

Words are split into sub-words with the model's own tokenizer, encoded once, and
represented by the hidden states of a chosen layer (or the mean of several
layers). Word vectors come from pooling their sub-words (``mean`` or ``first``),
or alignment runs on sub-words and is lifted to words (``pooling="subword"``:
two words are linked when any of their sub-words are). The similarity matrix is
then turned into links by one of the extraction methods:

- ``argmax``: mutual argmax (SimAlign ArgMax);
- ``itermax``: mutual argmax repeated over still-unaligned words (SimAlign IterMax);
- ``match``: maximum-weight bipartite matching (SimAlign Match, Hungarian);
- ``softmax``: awesome-align's extraction, softmax over dot products in both
  directions, links where both probabilities exceed ``threshold``.

Embeddings are computed once per sentence and cached, so every extraction method
(:meth:`EmbeddingAligner.extract`, :meth:`EmbeddingAligner.align_all_methods`)
and every ensemble reuses them. Link scores are the cosine similarities of the
linked words. Sentences longer than the model's window are encoded in
overlapping windows of whole words.

torch and transformers are imported only when a model is loaded; the model is
loaded with ``from_pretrained`` (a local folder, or a hub name on a machine with
network access).
"""

from __future__ import annotations

import os

from collections import OrderedDict
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import ConfigError, ModelError
from ..types import Alignment
from .base import Tokens, check_batch

METHODS = ("argmax", "itermax", "match", "softmax")
POOLINGS = ("mean", "first", "subword")
CENTERINGS = ("none", "batch", "sentence")

__all__ = [
    "EmbeddingAligner",
    "Embedded",
    "METHODS",
    "POOLINGS",
    "extract",
    "mutual_argmax",
    "iter_max",
    "max_weight_match",
    "softmax_extract",
    "cosine_matrix",
]


# ----------------------------------------------------------------------------
# extraction methods: pure functions over a similarity matrix (n_src, n_tgt)


def mutual_argmax(sim: np.ndarray) -> np.ndarray:
    """Boolean matrix of links (i, j) where j is i's best and i is j's best."""
    n, m = sim.shape
    out = np.zeros((n, m), dtype=bool)
    if not n or not m:
        return out
    fwd = sim.argmax(axis=1)
    bwd = sim.argmax(axis=0)
    rows = np.arange(n)
    mutual = bwd[fwd] == rows
    out[rows[mutual], fwd[mutual]] = True
    return out


def iter_max(sim: np.ndarray, max_count: int = 2, alpha: float = 0.9) -> np.ndarray:
    """SimAlign IterMax: mutual argmax, then again over words still unaligned
    (rows/columns already aligned are down-weighted by ``alpha``), ``max_count`` rounds."""
    n, m = sim.shape
    inter = mutual_argmax(sim).astype(np.float64)
    if min(n, m) <= 2:
        return inter.astype(bool)
    count = 1
    while count < max_count:
        mask_x = 1.0 - np.clip(inter.sum(1), 0.0, 1.0)[:, None] * np.ones((1, m))
        mask_y = 1.0 - np.clip(inter.sum(0), 0.0, 1.0)[None, :] * np.ones((n, 1))
        mask = np.clip(alpha * mask_x + alpha * mask_y, 0.0, 1.0)
        mask_zeros = 1.0 - (1.0 - mask_x) * (1.0 - mask_y)
        if mask_x.sum() < 1.0 or mask_y.sum() < 1.0:
            break
        new_sim = sim * mask
        fwd = np.zeros((n, m))
        fwd[np.arange(n), new_sim.argmax(axis=1)] = 1.0
        bwd = np.zeros((n, m))
        bwd[new_sim.argmax(axis=0), np.arange(m)] = 1.0
        new_inter = fwd * bwd * mask_zeros
        if not new_inter.any():
            break
        inter = np.clip(inter + new_inter, 0.0, 1.0)
        count += 1
    return inter.astype(bool)


def max_weight_match(sim: np.ndarray) -> np.ndarray:
    """SimAlign Match: maximum-weight bipartite matching (min(n, m) links)."""
    from scipy.optimize import linear_sum_assignment

    n, m = sim.shape
    out = np.zeros((n, m), dtype=bool)
    if not n or not m:
        return out
    r, c = linear_sum_assignment(-sim)
    out[r, c] = True
    return out


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_extract(dots: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """awesome-align: softmax over targets and over sources of the dot products;
    a link where both probabilities exceed ``threshold``."""
    n, m = dots.shape
    if not n or not m:
        return np.zeros((n, m), dtype=bool)
    return (_softmax(dots, 1) > threshold) & (_softmax(dots, 0) > threshold)


def apply_distortion(sim: np.ndarray, ratio: float) -> np.ndarray:
    """SimAlign's distortion correction: penalise links far from the diagonal."""
    n, m = sim.shape
    if ratio == 0.0 or n < 2 or m < 2:
        return sim
    px = np.arange(n)[:, None] / (n - 1)
    py = np.arange(m)[None, :] / (m - 1)
    return sim * (1.0 - ratio * (px - py) ** 2)


def extract(sim: np.ndarray, method: str, *, dots: np.ndarray | None = None, threshold: float = 1e-3,
            max_count: int = 2, alpha: float = 0.9) -> np.ndarray:
    """Links (boolean matrix) from a similarity matrix with one of :data:`METHODS`.

    ``softmax`` works on raw dot products (``dots``; ``sim`` divided by
    ``threshold``-independent temperature when not given)."""
    if method == "argmax":
        return mutual_argmax(sim)
    if method == "itermax":
        return iter_max(sim, max_count=max_count, alpha=alpha)
    if method == "match":
        return max_weight_match(sim)
    if method == "softmax":
        return softmax_extract(sim if dots is None else dots, threshold)
    raise ConfigError(f"unknown extraction method {method!r} (use one of {', '.join(METHODS)})")


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    return (a / np.maximum(na, 1e-8)) @ (b / np.maximum(nb, 1e-8)).T


# ----------------------------------------------------------------------------

# loaded encoders and sentence vectors shared by aligners with the same settings
_LOADED: dict[tuple, dict[str, Any]] = {}
_CACHES: dict[tuple, "OrderedDict[tuple[str, ...], Embedded]"] = {}


class Embedded:
    """Vectors of one sentence: ``vectors`` (units, dim) float32 and ``word_of``
    (units,) mapping each unit (a word, or a sub-word under ``subword`` pooling)
    to its word; ``n_words`` words (words without sub-words have no unit)."""

    __slots__ = ("vectors", "word_of", "n_words")

    def __init__(self, vectors: np.ndarray, word_of: np.ndarray, n_words: int) -> None:
        self.vectors = vectors
        self.word_of = word_of
        self.n_words = n_words


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
        self.model_name = str(model)
        self.layers = layers
        self.method = method
        self.pooling = pooling
        self.batch_size = int(batch_size)
        self.device = device
        self.threshold = float(threshold)
        self.temperature = None if temperature is None else float(temperature)
        self.distortion = float(distortion)
        self.max_length = max_length
        self.num_threads = num_threads
        self.cache_size = int(cache_size)
        self.min_score = min_score
        self.dtype = dtype
        self.center = center
        self.skip_space = bool(skip_space)
        self._model = None
        self._tokenizer = None
        # aligners with the same encoder settings share vectors within a process
        key = (self.model_name, self.dtype, tuple(self.layers), self.pooling, self.max_length, self.skip_space)
        self._cache: OrderedDict[tuple[str, ...], Embedded] = _CACHES.setdefault(key, OrderedDict())

    # loading ---------------------------------------------------------------
    def load(self) -> "EmbeddingAligner":
        if self._model is not None:
            return self
        key = (self.model_name, self.dtype, self.device, max(self.layers), self.max_length)
        if key in _LOADED:
            self.__dict__.update(_LOADED[key])
            return self
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelError(
                f"the embedding aligner needs torch and transformers ({exc}); pip install 'projner[neural]'"
            ) from None
        if self.num_threads:
            torch.set_num_threads(int(self.num_threads))
        name = str(self.model_name)
        if (name.startswith((".", "/", "~")) or os.sep in name.strip(os.sep) and name.count("/") > 1) \
                and not os.path.isdir(os.path.expanduser(name)):
            raise ModelError(f"encoder folder not found: {name} (give a local model folder, or a hub name "
                             "on a machine that can download it)")
        try:
            tok = AutoTokenizer.from_pretrained(self.model_name, use_fast=True)
        except Exception as exc:  # noqa: BLE001 - any loading failure is a user-facing model error
            raise ModelError(f"cannot load the tokenizer of {self.model_name!r}: {exc}") from None
        if not getattr(tok, "is_fast", False):
            raise ModelError(f"{self.model_name!r}: a fast (Rust) tokenizer is needed for word alignment")
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
        except Exception:  # noqa: BLE001 - quieter logs are optional
            pass
        try:
            dtype = getattr(torch, resolve_dtype(self.dtype, self.device or ("cuda" if torch.cuda.is_available() else "cpu")))
            model = AutoModel.from_pretrained(self.model_name, dtype=dtype)
        except Exception as exc:  # noqa: BLE001
            raise ModelError(f"cannot load the encoder {self.model_name!r}: {exc}") from None
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        n_layers = getattr(model.config, "num_hidden_layers", None)
        if n_layers is not None and max(self.layers) > n_layers:
            raise ConfigError(f"embedding aligner: layer {max(self.layers)} but {self.model_name!r} has {n_layers} layers")
        _truncate_layers(model, max(self.layers))
        model.eval().to(device)
        self._torch_device = device
        self._model = model
        self._tokenizer = tok
        limit = self.max_length or getattr(model.config, "max_position_embeddings", 512) or 512
        limit = min(int(limit), int(getattr(tok, "model_max_length", limit) or limit))
        # RoBERTa-style position ids start after the padding index
        if getattr(model.config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") and not self.max_length:
            limit = min(limit, int(model.config.max_position_embeddings) - 2)
        probe = tok([["a"]], is_split_into_words=True, add_special_tokens=True)
        ids, wids = probe["input_ids"][0], probe.word_ids(0)
        inside = [k for k, w in enumerate(wids) if w is not None]
        first, last = (inside[0], inside[-1]) if inside else (len(ids), len(ids) - 1)
        self._prefix_ids = list(ids[:first])
        self._suffix_ids = list(ids[last + 1:])
        self._prefix = len(self._prefix_ids)
        self._n_special = len(self._prefix_ids) + len(self._suffix_ids)
        self._window = max(8, limit - self._n_special)
        self._pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
        # SentencePiece tokenizers (XLM-R, e5...) often split a word into a bare word-boundary
        # piece '▁' plus the word's pieces; the bare piece carries no meaning of the word and is
        # left out of pooling (it stays in the model input)
        space = tok.convert_tokens_to_ids("\u2581") if "\u2581" in tok.get_vocab() else None
        self._space_id = space if space != getattr(tok, "unk_token_id", None) else None
        _LOADED[key] = {k: getattr(self, k) for k in (
            "_torch_device", "_model", "_tokenizer", "_prefix_ids", "_suffix_ids", "_prefix", "_n_special",
            "_window", "_pad_id", "_space_id")}
        return self

    # embedding -------------------------------------------------------------
    def _word_pieces(self, sentences: Sequence[Tokens]) -> list[list[list[int]]]:
        tok = self._tokenizer
        enc = tok([list(s) for s in sentences], is_split_into_words=True, add_special_tokens=False)
        out = []
        for b, sent in enumerate(sentences):
            pieces: list[list[int]] = [[] for _ in sent]
            ids = enc["input_ids"][b]
            for pos, w in enumerate(enc.word_ids(b)):
                if w is not None:
                    pieces[w].append(ids[pos])
            out.append(pieces)
        return out

    def _windows(self, pieces: list[list[int]]) -> list[tuple[int, int, int, int]]:
        """Windows ``(ctx_start, core_start, core_end, ctx_end)`` over words whose
        sub-words fit the model; the core words take their vectors from the window."""
        lens = [max(1, len(p)) for p in pieces]
        total = sum(lens)
        n = len(pieces)
        if total <= self._window:
            return [(0, 0, n, n)]
        ctx = self._window // 8
        core_budget = self._window - 2 * ctx
        out = []
        start = 0
        while start < n:
            end, used = start, 0
            while end < n and (used + lens[end] <= core_budget or end == start):
                used += lens[end]
                end += 1
            left, budget = start, self._window - used
            # context: as much on both sides as fits, alternating
            right = end
            grew = True
            while grew:
                grew = False
                if left > 0 and lens[left - 1] <= budget:
                    left -= 1
                    budget -= lens[left]
                    grew = True
                if right < n and lens[right] <= budget:
                    budget -= lens[right]
                    right += 1
                    grew = True
            out.append((left, start, end, right))
            start = end
        return out

    def embed(self, sentences: Sequence[Tokens]) -> list[Embedded]:
        """Vectors for every sentence (cached by tokens)."""
        todo: dict[tuple[str, ...], None] = {}
        for s in sentences:
            key = tuple(s)
            if key not in self._cache and key not in todo:
                todo[key] = None
        if todo:
            self._embed_new(list(todo))
        out = []
        fresh = {}
        for s in sentences:
            key = tuple(s)
            e = self._cache.get(key) or fresh.get(key)
            if e is None:  # evicted while embedding a large batch
                self._embed_new([key], store=fresh)
                e = fresh[key]
            else:
                self._cache.move_to_end(key)
            out.append(e)
        return out

    def clear_cache(self) -> None:
        self._cache.clear()

    @staticmethod
    def release_models() -> None:
        """Forget every loaded encoder and cached vector of this process."""
        _LOADED.clear()
        for c in _CACHES.values():
            c.clear()

    def _embed_new(self, sentences: list[tuple[str, ...]], store: dict | None = None) -> None:
        import torch

        self.load()
        model = self._model
        nonempty = [s for s in sentences if len(s)]
        pieces_all = self._word_pieces(nonempty) if nonempty else []
        # segments: (sentence index, window) with their ids
        segs = []
        for si, pieces in enumerate(pieces_all):
            for w in self._windows(pieces):
                ids = [i for p in pieces[w[0]:w[3]] for i in p]
                if len(ids) > self._window:  # a single huge word: cut its pieces
                    ids = ids[: self._window]
                segs.append((si, w, ids))
        order = sorted(range(len(segs)), key=lambda k: len(segs[k][2]))
        seg_states: list[np.ndarray | None] = [None] * len(segs)
        with torch.inference_mode():
            for b0 in range(0, len(order), self.batch_size):
                batch = [segs[k] for k in order[b0:b0 + self.batch_size]]
                seqs = [self._prefix_ids + list(ids) + self._suffix_ids for _, _, ids in batch]
                width = max(len(x) for x in seqs)
                input_ids = torch.full((len(seqs), width), self._pad_id, dtype=torch.long)
                mask = torch.zeros((len(seqs), width), dtype=torch.long)
                for r, x in enumerate(seqs):
                    input_ids[r, : len(x)] = torch.tensor(x, dtype=torch.long)
                    mask[r, : len(x)] = 1
                outputs = model(
                    input_ids=input_ids.to(self._torch_device),
                    attention_mask=mask.to(self._torch_device),
                    output_hidden_states=True,
                )
                hs = outputs.hidden_states
                h = hs[self.layers[0]]
                for li in self.layers[1:]:
                    h = h + hs[li]
                if len(self.layers) > 1:
                    h = h / len(self.layers)
                h = h.float().cpu().numpy()
                for r, k in enumerate(order[b0:b0 + self.batch_size]):
                    n_ids = len(segs[k][2])
                    seg_states[k] = h[r, self._prefix : self._prefix + n_ids]
        # assemble per sentence
        per_sent: dict[int, list[tuple[tuple[int, int, int, int], np.ndarray]]] = {}
        for k, (si, w, _) in enumerate(segs):
            per_sent.setdefault(si, []).append((w, seg_states[k]))
        dim = None
        results: dict[tuple[str, ...], Embedded] = {}
        for si, sent in enumerate(nonempty):
            pieces = pieces_all[si]
            unit_vecs, unit_word = [], []
            for (left, cs, ce, _right), states in per_sent.get(si, []):
                dim = states.shape[1]
                pos = 0
                for wi in range(left, ce):
                    n_p = len(pieces[wi])
                    vec = states[pos : pos + n_p]
                    pos += n_p
                    if wi < cs or n_p == 0 or not len(vec):
                        continue
                    if self._space_id is not None and len(vec) > 1 and self.skip_space:
                        keep = np.asarray(pieces[wi][: len(vec)]) != self._space_id
                        if keep.any() and not keep.all():
                            vec = vec[keep]
                    if self.pooling == "subword":
                        unit_vecs.append(vec)
                        unit_word.extend([wi] * len(vec))
                    elif self.pooling == "first":
                        unit_vecs.append(vec[:1])
                        unit_word.append(wi)
                    else:
                        unit_vecs.append(vec.mean(axis=0, keepdims=True))
                        unit_word.append(wi)
            vecs = np.concatenate(unit_vecs).astype(np.float32) if unit_vecs else np.zeros((0, dim or 1), np.float32)
            results[sent] = Embedded(vecs, np.asarray(unit_word, dtype=np.int64), len(sent))
        for s in sentences:
            if not len(s):
                results[s] = Embedded(np.zeros((0, dim or 1), np.float32), np.zeros(0, np.int64), 0)
        target = self._cache if store is None else store
        for key, e in results.items():
            target[key] = e
        if store is None:
            while len(self._cache) > max(self.cache_size, len(sentences)):
                self._cache.popitem(last=False)

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
        """A view of this aligner with another extraction method sharing model and cache."""
        clone = object.__new__(EmbeddingAligner)
        clone.__dict__.update(self.__dict__)
        if method not in METHODS:
            raise ConfigError(f"unknown extraction method {method!r} (use one of {', '.join(METHODS)})")
        clone.method = method
        for k, v in changes.items():
            setattr(clone, k, v)
        return clone

    def __repr__(self) -> str:
        return (f"EmbeddingAligner(model={self.model_name!r}, layer={self.layers}, method={self.method!r}, "
                f"pooling={self.pooling!r})")


def cpu_has_bf16() -> bool:
    """True when the CPU has native bfloat16 matrix instructions (AMX or AVX512-BF16)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"amx_bf16", "avx512_bf16"})
    except OSError:
        pass
    return False


def resolve_dtype(dtype: str, device: str) -> str:
    """The torch dtype name for ``dtype`` (``auto``: bfloat16 on a CPU with native support)."""
    if dtype != "auto":
        if dtype not in ("float32", "bfloat16", "float16"):
            raise ConfigError(f"embedding aligner: unknown dtype {dtype!r} (use float32, bfloat16, float16 or auto)")
        return dtype
    if str(device).startswith("cpu") and cpu_has_bf16():
        return "bfloat16"
    return "float32"


def _truncate_layers(model: Any, keep: int) -> None:
    """Drop encoder layers above ``keep`` (they do not influence the layers used)."""
    import torch

    for path in ("encoder.layer", "transformer.layer", "encoder.layers", "layers"):
        obj = model
        parent, attr = None, None
        ok = True
        for part in path.split("."):
            if not hasattr(obj, part):
                ok = False
                break
            parent, attr, obj = obj, part, getattr(obj, part)
        if ok and isinstance(obj, torch.nn.ModuleList) and keep < len(obj):
            setattr(parent, attr, torch.nn.ModuleList(list(obj)[: max(keep, 0)]))
            if hasattr(model.config, "num_hidden_layers"):
                model.config.num_hidden_layers = max(keep, 0)
            return
