"""Ensembles of aligners: weighted voting on link scores, and statistical links
filtered and rescued by neural similarity. Both receive their members built
(the registered factories in :mod:`projner.align.factories` build them from
their options and the run's shared resources; names given here are built the
same way):

- ``embedding-vote`` (:class:`VoteAligner`): every member proposes links; a link's
  vote is the weighted sum of the members that propose it (their link scores when
  ``use_scores``), plus ``similarity_weight`` × the neural cosine similarity of the
  two words; links whose vote reaches ``threshold`` × the total weight are kept.
- ``embedding-rescue`` (:class:`RescueAligner`): statistical links (eflomal,
  grow-diag-final-and by default) are dropped when the encoder finds the two
  words dissimilar (``filter_threshold``) and completed by the encoder's own
  links for words left unaligned (``rescue_threshold``); lexical links for names
  and numbers override both (``lexical``).

Members are registry names (``eflomal``, ``lexical``, ``embedding``...);
``embedding:itermax`` selects another extraction method of the same encoder,
which shares the sentence vectors. All link scores are kept: the output score of
a link is its neural similarity when an encoder is present, else its vote.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ConfigError
from ..types import Alignment
from .base import Aligner, Shared, Tokens, check_batch
from .combine import augment

__all__ = ["VoteAligner", "RescueAligner", "vote", "rescue", "confirmed"]


def _members(members: Sequence[Aligner | str], options: Mapping[str, Any] | None, shared: Shared) -> list[Aligner]:
    """Members as given; a name is built by its registered factory (its options from
    ``options``, under the name or its base name), sharing ``shared``."""
    from .build import build_member

    options = dict(options or {})
    return [build_member(m, options.get(m, options.get(m.partition(":")[0])), shared) if isinstance(m, str) else m
            for m in members]


def _neural(members: Sequence[Aligner]):
    from .embedding import EmbeddingAligner

    for m in members:
        if isinstance(m, EmbeddingAligner):
            return m
    return None


def vote(alignments: Sequence[Alignment], weights: Sequence[float], threshold: float, *,
         use_scores: bool = False, similarity: np.ndarray | None = None,
         similarity_weight: float = 0.0) -> Alignment:
    """Weighted vote over the members' links of one sentence pair (pure function).

    A link's vote is Σ weight × (score if ``use_scores`` else 1) over the members
    proposing it, plus ``similarity_weight`` × max(similarity, 0); it is kept when
    the vote is at least ``threshold`` × (Σ weights + similarity_weight). The
    output score is the vote divided by that total.
    """
    total = float(sum(weights)) + (similarity_weight if similarity is not None else 0.0)
    acc: dict[tuple[int, int], float] = {}
    for a, w in zip(alignments, weights):
        sc = a.scores if (use_scores and a.scores is not None) else None
        for k, (i, j) in enumerate(a.links.tolist()):
            acc[(i, j)] = acc.get((i, j), 0.0) + w * (float(np.clip(sc[k], 0.0, 1.0)) if sc is not None else 1.0)
    if not acc or total <= 0:
        return Alignment(np.zeros((0, 2), np.int64), np.zeros(0, np.float32))
    links = np.array(list(acc), dtype=np.int64)
    votes = np.array(list(acc.values()), dtype=np.float64)
    if similarity is not None and similarity_weight:
        votes = votes + similarity_weight * np.maximum(similarity[links[:, 0], links[:, 1]], 0.0)
    votes /= total
    keep = votes >= threshold - 1e-9
    return Alignment(links[keep], votes[keep].astype(np.float32))


def confirmed(alignment: Alignment, similarity: np.ndarray, threshold: float) -> Alignment:
    """The links of ``alignment`` whose cosine ``similarity`` is at least ``threshold``."""
    if not len(alignment):
        return alignment
    keep = similarity[alignment.links[:, 0], alignment.links[:, 1]] >= threshold
    return Alignment(alignment.links[keep])


def rescue(base: Alignment, neural: Alignment, similarity: np.ndarray, *, filter_threshold: float | None,
           rescue_threshold: float | None) -> Alignment:
    """Statistical ``base`` links filtered by ``similarity`` and completed by
    ``neural`` links of words that ``base`` leaves unaligned (pure function).
    Output scores are similarities."""
    links = base.links
    if filter_threshold is not None and len(links):
        links = links[similarity[links[:, 0], links[:, 1]] >= filter_threshold]
    if rescue_threshold is not None and len(neural):
        src_done = set(links[:, 0].tolist())
        tgt_done = set(links[:, 1].tolist())
        extra = [(i, j) for i, j in neural.links.tolist()
                 if (i not in src_done or j not in tgt_done) and similarity[i, j] >= rescue_threshold]
        if extra:
            links = np.concatenate([links, np.array(extra, dtype=links.dtype).reshape(-1, 2)])
    if not len(links):
        return Alignment(np.zeros((0, 2), np.int64), np.zeros(0, np.float32))
    return Alignment(links, similarity[links[:, 0], links[:, 1]])


class VoteAligner:
    """Weighted voting over several aligners (see :func:`vote`).

    members: aligner names (``embedding:itermax`` picks an extraction method).
    weights: one per member (default 1 each).
    threshold: fraction of the total weight a link needs.
    use_scores: weigh each member's vote by its link score (clipped to [0, 1]).
    similarity_weight: weight of the neural similarity of every proposed link
        (needs an ``embedding`` member).
    names: the members' names (default: the given names, or the aligners' ``name``).
    members may be built aligners (as the registered factory gives them) or names,
    built here with ``options`` (per member name) and ``shared`` resources (the
    default encoder ``model``; the members share one encoder pool).
    scores: link scores of the output, ``vote`` (the vote fraction, default),
        ``similarity`` (the neural cosine similarity; needs an embedding member) or
        ``none`` (no scores: every link that passed the vote counts fully in projection).
    confirm_similarity: links of ``confirm_member`` whose neural cosine similarity is
        at least this get ``confirm_weight`` more votes (the total weight grows by it);
        ``None`` (default) = off. With members eflomal + three encoder methods,
        ``confirm_similarity: 0.4`` and ``threshold: 0.4`` (2 of 5 votes), an eflomal link
        passes when the encoder finds its words similar *or* one encoder method proposes
        it, and an encoder link passes when a second method (or eflomal) agrees.
    confirm_member / confirm_weight: see ``confirm_similarity`` (default ``eflomal`` / 1).
    trust_pairs: when ``confirm_member`` was trained on at least this many sentence pairs
        (its ``trained_pairs`` after aligning: the pairs being aligned plus its bitext), all
        its links get the confirmation vote, similar or not: a statistical aligner that saw
        that much text links rare phrasings (``bus boy`` -> ``serveur``) the encoder finds
        dissimilar, and the confirmation exists for the garbage-collected links of words a
        few hundred pairs cannot teach. ``None`` (default) = always check the similarity.
    """

    name = "embedding-vote"

    def __init__(self, members: Sequence[Aligner | str] = ("eflomal", "embedding:argmax", "embedding:itermax",
                                                          "lexical"),
                 weights: Sequence[float] | None = None, threshold: float = 0.5, use_scores: bool = False,
                 similarity_weight: float = 0.0, scores: str = "vote", confirm_similarity: float | None = None,
                 confirm_member: str = "eflomal", confirm_weight: float = 1.0, names: Sequence[str] | None = None,
                 trust_pairs: int | None = None, *, model: str | None = None,
                 options: Mapping[str, Mapping[str, Any]] | None = None, shared: Shared | None = None) -> None:
        if scores not in ("vote", "similarity", "none"):
            raise ConfigError(f"embedding-vote: scores must be 'vote', 'similarity' or 'none', not {scores!r}")
        self.scores = scores
        if isinstance(members, str):
            members = [m.strip() for m in members.split(",") if m.strip()]
        if not members:
            raise ConfigError("embedding-vote needs at least one member")
        weights = [1.0] * len(members) if weights is None else [float(w) for w in weights]
        if len(weights) != len(members):
            raise ConfigError(f"embedding-vote: {len(weights)} weights for {len(members)} members")
        if not 0.0 <= threshold <= 1.0:
            raise ConfigError("embedding-vote: threshold must be in [0, 1]")
        self.member_names = list(names) if names is not None else [
            m if isinstance(m, str) else getattr(m, "name", type(m).__name__) for m in members]
        self.weights = weights
        self.threshold = float(threshold)
        self.use_scores = use_scores
        self.similarity_weight = float(similarity_weight)
        self.members = _members(members, options, (shared or Shared()).with_encoder(model))
        self.neural = _neural(self.members)
        if (self.similarity_weight or scores == "similarity") and self.neural is None:
            raise ConfigError("embedding-vote: similarity_weight / scores='similarity' need an embedding member")
        self.confirm_similarity = None if confirm_similarity is None else float(confirm_similarity)
        self.confirm_weight = float(confirm_weight)
        self.confirm_index = None
        if self.confirm_similarity is not None:
            if self.neural is None:
                raise ConfigError("embedding-vote: confirm_similarity needs an embedding member")
            if confirm_member not in self.member_names:
                raise ConfigError(f"embedding-vote: confirm_member {confirm_member!r} is not one of the members "
                                  f"({', '.join(self.member_names)})")
            if self.confirm_weight <= 0:
                raise ConfigError("embedding-vote: confirm_weight must be positive")
            self.confirm_index = self.member_names.index(confirm_member)
        if trust_pairs is not None and (self.confirm_index is None or trust_pairs < 1):
            raise ConfigError("embedding-vote: trust_pairs needs confirm_similarity and must be a positive integer")
        self.trust_pairs = trust_pairs

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        results = [m.align(src, tgt) for m in self.members]
        need_sims = self.similarity_weight or self.scores == "similarity" or self.confirm_index is not None
        sims = self.neural.similarities(src, tgt) if need_sims else None
        weights = list(self.weights) + ([self.confirm_weight] if self.confirm_index is not None else [])
        trusted = self.trusted()
        if trusted:
            logging.getLogger("projner").info(
                "embedding-vote: %s was trained on %d sentence pairs (trust_pairs %d): its links need no confirmation",
                self.member_names[self.confirm_index], self.members[self.confirm_index].trained_pairs, self.trust_pairs)
        out = []
        for k in range(len(src)):
            sim = sims[k] if sims is not None else None
            members = [r[k] for r in results]
            if self.confirm_index is not None:
                base = members[self.confirm_index]
                members.append(base if trusted else confirmed(base, sim, self.confirm_similarity))
            a = vote(members, weights, self.threshold, use_scores=self.use_scores,
                     similarity=sim, similarity_weight=self.similarity_weight)
            if self.scores == "similarity" and sim is not None and len(a):
                a = Alignment(a.links, sim[a.links[:, 0], a.links[:, 1]])
            elif self.scores == "none":
                a = Alignment(a.links)
            out.append(a)
        return out

    def trusted(self) -> bool:
        """Whether the confirm member's links skip the similarity check (see ``trust_pairs``);
        asked after the members aligned (a member without ``trained_pairs`` is never trusted)."""
        if self.trust_pairs is None or self.confirm_index is None:
            return False
        seen = getattr(self.members[self.confirm_index], "trained_pairs", None)
        return seen is not None and seen >= self.trust_pairs


class RescueAligner:
    """Statistical links filtered and rescued by neural similarity (see :func:`rescue`).

    statistical: the statistical member (default ``eflomal``).
    method: extraction method of the neural links used for rescue.
    filter_threshold: drop statistical links whose cosine similarity is below it
        (None: keep all).
    rescue_threshold: add neural links of unaligned words at or above it (None: none).
    lexical: override with lexical links (names, numbers) at the end (``True``: the
        ``lexical`` aligner, or a built aligner; ``False``/``None``: none).
    statistical / neural may be built aligners or names; a name is built with
    ``options`` and ``shared``; without ``neural``, an ``embedding`` aligner with
    ``method`` and the encoder options in ``embedding`` (layer, pooling, batch_size...).
    """

    name = "embedding-rescue"

    def __init__(self, statistical: Aligner | str = "eflomal", neural: Aligner | None = None,
                 lexical: Aligner | bool | None = True, filter_threshold: float | None = 0.3,
                 rescue_threshold: float | None = 0.5, *, method: str = "argmax", model: str | None = None,
                 embedding: Mapping[str, Any] | None = None, options: Mapping[str, Mapping[str, Any]] | None = None,
                 shared: Shared | None = None) -> None:
        shared = (shared or Shared()).with_encoder(model)
        opts = {k: dict(v) for k, v in dict(options or {}).items()}
        if neural is None:
            opts["embedding"] = {**opts.get("embedding", {}), **dict(embedding or {}), "method": method}
            neural = "embedding"
        names = [statistical, neural] + (["lexical"] if lexical is True else [lexical] if lexical else [])
        members = _members(names, opts, shared)
        self.statistical, self.neural = members[0], members[1]
        self.lexical = members[2] if len(members) > 2 else None
        self.filter_threshold = filter_threshold
        self.rescue_threshold = rescue_threshold

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        base = self.statistical.align(src, tgt)
        neural = self.neural.align(src, tgt)
        sims = self.neural.similarities(src, tgt)
        lex = self.lexical.align(src, tgt) if self.lexical is not None else None
        out = []
        for k in range(len(src)):
            a = rescue(base[k], neural[k], sims[k], filter_threshold=self.filter_threshold,
                       rescue_threshold=self.rescue_threshold)
            if lex is not None and len(lex[k]):
                a = augment(a, lex[k])
                if len(a):
                    a = Alignment(a.links, sims[k][a.links[:, 0], a.links[:, 1]])
            out.append(a)
        return out
