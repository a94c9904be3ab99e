"""Matching source entities to target candidates given a score matrix.

Every matcher returns a list of ``(entity index, candidate index, score)`` with
non-overlapping candidates and at most ``k`` candidates per entity:

- ``greedy``: global argmax, repeatedly, skipping conflicts;
- ``bipartite``: exact one-to-one assignment (``scipy.optimize.linear_sum_assignment``,
  entities repeated ``k`` times), then overlapping picks dropped lowest score first;
- ``ilp``: integer program (``scipy.optimize.milp``): maximise the total score such
  that every target token belongs to at most one projected entity and every source
  entity projects to at most ``k`` candidates. Solved exactly; when the per-entity
  best candidates do not conflict they are already optimal and the solver is skipped.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .candidates import Candidate

Match = tuple[int, int, float]
MATCHERS = ("greedy", "bipartite", "ilp")


def _free(used: np.ndarray, cand: Candidate) -> bool:
    return not used[cand[0] : cand[1]].any()


def match_greedy(scores: np.ndarray, candidates: Sequence[Candidate], n_tokens: int,
                 min_score: float = 0.0, k: int = 1) -> list[Match]:
    E, C = scores.shape
    if not E or not C:
        return []
    flat = np.argsort(-scores, axis=None, kind="stable")
    used = np.zeros(n_tokens, dtype=bool)
    per_entity = np.zeros(E, dtype=np.int64)
    out: list[Match] = []
    for f in flat:
        e, c = divmod(int(f), C)
        s = float(scores[e, c])
        if s <= min_score:
            break
        if per_entity[e] >= k or not _free(used, candidates[c]):
            continue
        used[candidates[c][0] : candidates[c][1]] = True
        per_entity[e] += 1
        out.append((e, c, s))
        if (per_entity >= k).all():
            break
    return out


def _drop_conflicts(matches: list[Match], candidates: Sequence[Candidate], n_tokens: int) -> list[Match]:
    used = np.zeros(n_tokens, dtype=bool)
    out = []
    for e, c, s in sorted(matches, key=lambda m: -m[2]):
        if _free(used, candidates[c]):
            used[candidates[c][0] : candidates[c][1]] = True
            out.append((e, c, s))
    return out


def match_bipartite(scores: np.ndarray, candidates: Sequence[Candidate], n_tokens: int,
                    min_score: float = 0.0, k: int = 1) -> list[Match]:
    from scipy.optimize import linear_sum_assignment

    E, C = scores.shape
    if not E or not C:
        return []
    rep = np.repeat(scores, k, axis=0)
    rows, cols = linear_sum_assignment(rep, maximize=True)
    matches = [(int(r // k), int(c), float(rep[r, c])) for r, c in zip(rows, cols) if rep[r, c] > min_score]
    return _drop_conflicts(matches, candidates, n_tokens)


def _conflict_free_best(scores: np.ndarray, candidates: Sequence[Candidate], n_tokens: int,
                        min_score: float) -> list[Match] | None:
    """Each entity's unique best candidate, if those never overlap (then optimal for k=1)."""
    best = scores.argmax(axis=1)
    used = np.zeros(n_tokens, dtype=bool)
    out = []
    for e, c in enumerate(best.tolist()):
        s = float(scores[e, c])
        if s <= min_score:
            continue
        if (scores[e] == s).sum() > 1 or not _free(used, candidates[c]):
            return None
        used[candidates[c][0] : candidates[c][1]] = True
        out.append((e, c, s))
    return out


def match_ilp(scores: np.ndarray, candidates: Sequence[Candidate], n_tokens: int,
              min_score: float = 0.0, k: int = 1) -> list[Match]:
    E, C = scores.shape
    if not E or not C:
        return []
    if k == 1:
        fast = _conflict_free_best(scores, candidates, n_tokens, min_score)
        if fast is not None:
            return fast
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, vstack

    ent_idx, cand_idx = np.nonzero(scores > min_score)
    V = len(ent_idx)
    if not V:
        return []
    weight = scores[ent_idx, cand_idx]
    # at most k candidates per entity
    a_ent = coo_matrix((np.ones(V), (ent_idx, np.arange(V))), shape=(E, V))
    # every target token in at most one chosen candidate
    cand = np.asarray(candidates, dtype=np.int64)[cand_idx]
    lens = cand[:, 1] - cand[:, 0]
    tok_rows = np.concatenate([np.arange(s, e) for s, e in cand])
    tok_cols = np.repeat(np.arange(V), lens)
    a_tok = coo_matrix((np.ones(len(tok_rows)), (tok_rows, tok_cols)), shape=(n_tokens, V))
    A = vstack([a_ent, a_tok]).tocsr()
    ub = np.concatenate([np.full(E, k), np.ones(n_tokens)])
    # a tiny preference for earlier, shorter candidates makes ties deterministic
    tie = 1e-6 * (lens / (lens.max() + 1))
    res = milp(
        c=-(weight - tie),
        constraints=LinearConstraint(A, -np.inf, ub),
        integrality=np.ones(V),
        bounds=Bounds(0, 1),
    )
    if res.x is None:  # pragma: no cover - the problem is always feasible (x = 0)
        return match_greedy(scores, candidates, n_tokens, min_score, k)
    chosen = np.nonzero(res.x > 0.5)[0]
    return sorted((int(ent_idx[v]), int(cand_idx[v]), float(weight[v])) for v in chosen)


def match(method: str, scores: np.ndarray, candidates: Sequence[Candidate], n_tokens: int,
          min_score: float = 0.0, k: int = 1) -> list[Match]:
    if method == "greedy":
        return match_greedy(scores, candidates, n_tokens, min_score, k)
    if method == "bipartite":
        return match_bipartite(scores, candidates, n_tokens, min_score, k)
    if method == "ilp":
        return match_ilp(scores, candidates, n_tokens, min_score, k)
    raise ValueError(f"unknown matching method {method!r} (use one of {', '.join(MATCHERS)})")
