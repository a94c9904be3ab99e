"""A candidate extractor from any tagger: the tagger's spans with labels dropped.

Plugs into candidate-matching projection
(:class:`projner.project.MatchingOptions` ``extractor=``), which calls
``extractor(target) -> list[(start, end)]``. Target sentences are tagged in
batches and cached by their tokens, so call :meth:`prepare` with the whole
corpus first for speed (otherwise each sentence is tagged on its own).

Options: ``ngrams`` adds the n-gram candidates (up to ``max_len`` tokens)
to the tagger's spans, ``expand`` adds the spans grown or shrunk by one token
at either edge (taggers often miss a word of a name).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from ..types import Sentence

__all__ = ["TaggerCandidates"]


class TaggerCandidates:
    def __init__(self, tagger: Any, ngrams: bool = False, max_len: int = 8, expand: bool = False) -> None:
        self.tagger = tagger
        self.ngrams = ngrams
        self.max_len = max_len
        self.expand = expand
        self._cache: dict[tuple[str, ...], list[tuple[int, int]]] = {}

    def prepare(self, targets: Iterable[Sentence | Sequence[str]], batch_size: int = 256) -> "TaggerCandidates":
        todo: list[tuple[str, ...]] = []
        for t in targets:
            toks = tuple(t.tokens if isinstance(t, Sentence) else t)
            if toks not in self._cache and toks not in todo:
                todo.append(toks)
        for i in range(0, len(todo), batch_size):
            chunk = todo[i : i + batch_size]
            for toks, spans in zip(chunk, self.tagger.predict([list(x) for x in chunk])):
                self._cache[toks] = sorted({(s.start, s.end) for s in spans})
        return self

    def spans(self, tokens: Sequence[str]) -> list[tuple[int, int]]:
        key = tuple(tokens)
        if key not in self._cache:
            self.prepare([key])
        return self._cache[key]

    def __call__(self, target: Sentence) -> list[tuple[int, int]]:
        n = len(target.tokens)
        cands = set(self.spans(target.tokens))
        if self.expand:
            for a, b in list(cands):
                for na, nb in ((a - 1, b), (a + 1, b), (a, b - 1), (a, b + 1)):
                    if 0 <= na < nb <= n:
                        cands.add((na, nb))
        if self.ngrams:
            from ..project.candidates import ngram_candidates

            cands.update(ngram_candidates(target.tokens, self.max_len))
        return sorted(cands)
