"""Link extraction from word similarity matrices: pure functions over numpy arrays.

The methods of SimAlign (ArgMax, IterMax, Match) and awesome-align (softmax in
both directions), SimAlign's distortion correction and cosine similarity. No
model, no state: :class:`~projner.align.embedding.EmbeddingAligner` feeds them
the similarity matrices of an :class:`~projner.align.encoder.Encoder`'s vectors.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError

METHODS = ("argmax", "itermax", "match", "softmax")

__all__ = ["METHODS", "mutual_argmax", "iter_max", "max_weight_match", "softmax_extract", "apply_distortion",
           "extract", "cosine_matrix"]


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
