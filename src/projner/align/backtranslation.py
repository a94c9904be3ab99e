"""Back-translation refinement (Politov et al. 2025).

The labelled source sentence is translated into the target language (by any
translator, or read from a file): a *back-translation* ``bt``. Aligning ``bt``
with the original target sentence is a same-language problem — mostly identical
or inflected words — which lexical, statistical and neural evidence solve far
more reliably than the cross-lingual alignment. Two ways to use it:

- :class:`BackTranslationAligner` (``backtranslation``, also ``embedding-backtranslation``
  so that ``--encoder`` reaches it): source→target links are the composition of a
  cross-lingual source→bt alignment with the same-language bt→target alignment,
  optionally combined with a direct source→target aligner.
- :func:`projner.pipelines.project_via_backtranslation`: when ``bt`` already carries
  entity spans (marker-based translation, :mod:`projner.translate.markers`), its spans
  are projected straight onto the target through the same-language alignment.

:class:`SameLanguageAligner` (``same-language``) aligns two sentences of one language.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ConfigError, InputError
from ..types import Alignment, Sentence
from .base import Aligner, Shared, Tokens, check_batch
from .combine import augment, combine_alignments
from ..text.similarity import fold, token_similarity

__all__ = ["SameLanguageAligner", "BackTranslationAligner", "same_language_links", "compose_scored",
           "align_via_backtranslation", "entity_block_links"]


def same_language_links(a: Tokens, b: Tokens, threshold: float = 0.7, min_length: int = 4) -> Alignment:
    """Links between two sentences of the same language (pure function).

    Every pair of words is scored by string similarity (identical after case and
    accent folding = 1, else edit/prefix similarity of words of at least
    ``min_length`` characters, 0 below ``threshold``); identical punctuation counts
    too. A small bonus for similar relative position breaks ties between repeated
    words; links are mutual best matches, repeated while words remain unaligned
    (so both copies of a repeated word find their partner).
    """
    n, m = len(a), len(b)
    if not n or not m:
        return Alignment(np.zeros((0, 2), np.int64), np.zeros(0, np.float32))
    fa, fb = [fold(x) for x in a], [fold(x) for x in b]
    sim = np.zeros((n, m), dtype=np.float32)
    for i in range(n):
        for j in range(m):
            if fa[i] == fb[j]:
                sim[i, j] = 1.0
            else:
                s = token_similarity(a[i], b[j], min_length)
                if s >= threshold:
                    sim[i, j] = s
    pos = 1.0 - np.abs(np.arange(n)[:, None] / max(n - 1, 1) - np.arange(m)[None, :] / max(m - 1, 1))
    score = np.where(sim > 0, sim + 0.01 * pos, 0.0)
    links: list[tuple[int, int]] = []
    free = score.copy()
    while free.max() > 0:
        fwd = free.argmax(axis=1)
        bwd = free.argmax(axis=0)
        new = [(i, int(fwd[i])) for i in range(n) if free[i, fwd[i]] > 0 and bwd[fwd[i]] == i]
        if not new:
            break
        for i, j in new:
            links.append((i, j))
            free[i, :] = 0
            free[:, j] = 0
    if not links:
        return Alignment(np.zeros((0, 2), np.int64), np.zeros(0, np.float32))
    arr = np.array(links, dtype=np.int64)
    return Alignment(arr, sim[arr[:, 0], arr[:, 1]])


class SameLanguageAligner:
    """Aligns two sentences of the same language: string matches first, then
    neural links (``embedding`` options, or ``neural`` aligner) and statistical
    links (``statistical`` aligner) for the words left unaligned.

    threshold / min_length: see :func:`same_language_links`.
    model: an encoder; when given, an ``embedding`` aligner (IterMax) adds its
        links for words the string matches left unaligned.
    embedding: further options of that embedding aligner.
    statistical: an aligner name (e.g. ``eflomal``) or object adding links for words
        still unaligned after that.
    encoders: an :class:`~projner.align.encoder.EncoderPool` for the embedding aligner.
    """

    name = "same-language"

    def __init__(self, threshold: float = 0.7, min_length: int = 4, model: str | None = None,
                 embedding: Mapping[str, Any] | None = None, neural: Aligner | None = None,
                 statistical: Aligner | str | None = None,
                 statistical_options: Mapping[str, Any] | None = None, encoders: Any = None) -> None:
        self.threshold = threshold
        self.min_length = min_length
        if neural is None and model is not None:
            from .embedding import EmbeddingAligner

            neural = EmbeddingAligner(model=model, **{"method": "itermax", **dict(embedding or {})}, encoders=encoders)
        self.neural = neural
        if isinstance(statistical, str):
            from .build import build_member

            statistical = build_member(statistical, statistical_options, Shared(encoders=encoders))
        self.statistical = statistical

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        out = [same_language_links(a, b, self.threshold, self.min_length) for a, b in zip(src, tgt)]
        for extra in (self.neural, self.statistical):
            if extra is None:
                continue
            more = extra.align(src, tgt)
            out = [_fill(a, b) for a, b in zip(out, more)]
        return out


def _fill(base: Alignment, extra: Alignment) -> Alignment:
    """``base`` plus the ``extra`` links whose source and target are both unaligned in ``base``."""
    if not len(extra):
        return base
    keep = ~(np.isin(extra.links[:, 0], base.links[:, 0]) | np.isin(extra.links[:, 1], base.links[:, 1]))
    if not keep.any():
        return base
    sc_b = base.scores if base.scores is not None else np.ones(len(base), np.float32)
    sc_e = extra.scores[keep] if extra.scores is not None else np.ones(int(keep.sum()), np.float32)
    return Alignment(np.concatenate([base.links, extra.links[keep]]), np.concatenate([sc_b, sc_e]))


def compose_scored(ab: Alignment, bc: Alignment) -> Alignment:
    """A→C links through B; a link's score is the best product of the two link scores."""
    if not len(ab) or not len(bc):
        return Alignment(np.zeros((0, 2), np.int64), np.zeros(0, np.float32))
    sa = ab.scores if ab.scores is not None else np.ones(len(ab), np.float32)
    sb = bc.scores if bc.scores is not None else np.ones(len(bc), np.float32)
    by_b: dict[int, list[tuple[int, float]]] = {}
    for (b, c), s in zip(bc.links.tolist(), sb.tolist()):
        by_b.setdefault(b, []).append((c, s))
    links, scores = [], []
    for (a, b), s in zip(ab.links.tolist(), sa.tolist()):
        for c, t in by_b.get(b, ()):
            links.append((a, c))
            scores.append(s * t)
    if not links:
        return Alignment(np.zeros((0, 2), np.int64), np.zeros(0, np.float32))
    return Alignment(links, scores)


def entity_block_links(source: Sentence, back: Sentence) -> Alignment:
    """Links every token of each source entity to every token of its counterpart
    span in the labelled back-translation ``back``.

    The counterpart is given by ``back.meta["source_entity"]`` (one source span
    index per back span, as :func:`projner.translate.markers.translate_with_markers`
    records it), else spans are paired by label in order.
    """
    mapping = back.meta.get("source_entity") if back.meta else None
    pairs: list[tuple[int, int]] = []
    if mapping is None:
        mapping = []
        used: set[int] = set()
        for sp in back.spans:
            k = next((k for k, e in enumerate(source.spans) if e.label == sp.label and k not in used), None)
            mapping.append(k)
            if k is not None:
                used.add(k)
    for sp, k in zip(back.spans, mapping):
        if k is None or k >= len(source.spans):
            continue
        e = source.spans[k]
        pairs.extend((i, j) for i in range(e.start, e.end) for j in range(sp.start, sp.end))
    return Alignment(pairs) if pairs else Alignment()


def align_via_backtranslation(src: Sequence[Tokens], tgt: Sequence[Tokens], back: Sequence[Tokens],
                              cross: Aligner, same: Aligner, *, direct: Aligner | None = None,
                              combine: str = "augment",
                              extra_src_back: Sequence[Alignment] | None = None) -> list[Alignment]:
    """Source→target alignments through back-translations ``back`` (target language).

    ``cross`` aligns source with back-translation, ``same`` back-translation with
    target; the composition is combined with ``direct`` source→target links
    (``augment``: composed links override direct ones for the words they cover;
    ``union``; ``intersection``). ``extra_src_back`` adds known source→bt links
    (e.g. entity blocks from marker-based translation), which override ``cross``.
    """
    check_batch(src, tgt)
    check_batch(src, back)
    sb = cross.align(src, back)
    if extra_src_back is not None:
        sb = [augment(a, e) for a, e in zip(sb, extra_src_back)]
    bt = same.align(back, tgt)
    composed = [compose_scored(a, b) for a, b in zip(sb, bt)]
    if direct is None:
        return composed
    d = direct.align(src, tgt)
    return [combine_alignments([x, y], combine) for x, y in zip(d, composed)]


class BackTranslationAligner:
    """Source→target alignment through a back-translation of the source into the
    target language (see :func:`align_via_backtranslation`).

    translations: the back-translations, a file path (one sentence per line,
        whitespace-tokenised; ``tokenize=True`` splits raw text) or a list of
        token lists, line-parallel with the corpus being aligned.
    translator: instead of ``translations``, any object with
        ``translate(texts) -> texts`` (the source is detokenised first).
    cross: aligner spec for source→back-translation (default ``embedding``).
    direct: aligner spec for direct source→target links to combine with (or None).
    combine: ``augment`` (default), ``union`` or ``intersection``.
    model: encoder for ``embedding`` members (cross, direct, same-language).
    same_language: options of the :class:`SameLanguageAligner` (or ``same``: a built one).
    options: per-member options, as in a config's ``aligner_options``.
    cross / direct may be built aligners or specs; specs are built with ``options``
    and the ``shared`` resources (one encoder pool for every embedding aligner inside).
    """

    name = "backtranslation"

    def __init__(self, translations: str | Sequence[Sequence[str]] | None = None, translator: Any = None,
                 cross: Aligner | str = "embedding", direct: Aligner | str | None = "embedding",
                 combine: str = "augment", model: str | None = None, same_language: Mapping[str, Any] | None = None,
                 options: Mapping[str, Mapping[str, Any]] | None = None, tokenize: bool = False, *,
                 same: Aligner | None = None, shared: Shared | None = None) -> None:
        from .build import build_spec

        if translations is None and translator is None:
            raise ConfigError("backtranslation: give translations (a file or a list) or a translator")
        if combine not in ("augment", "union", "intersection"):
            raise ConfigError(f"backtranslation: unknown combine {combine!r}")
        shared = (shared or Shared()).with_encoder(model)
        self.cross = build_spec(cross, options, shared) if isinstance(cross, str) else cross
        self.direct = build_spec(direct, options, shared) if isinstance(direct, str) else direct
        if same is None:
            sl = dict(same_language or {})
            if shared.encoder is not None and sl.get("model", None) is None and sl.pop("neural", True):
                sl["model"] = shared.encoder
            sl.pop("neural", None)
            same = SameLanguageAligner(**sl, encoders=shared.pool())
        self.same = same
        self.combine = combine
        self.translator = translator
        self.tokenize = tokenize
        self.translations = None
        if translations is not None:
            self.translations = _read_translations(translations, tokenize)

    def back_translations(self, src: Sequence[Tokens]) -> list[list[str]]:
        if self.translations is not None:
            if len(self.translations) != len(src):
                raise InputError(f"{len(self.translations)} back-translations for {len(src)} sentences")
            return [list(t) for t in self.translations]
        from ..text.tokenize import detokenize, tokenize

        out = self.translator.translate([detokenize(list(s)) for s in src])
        if len(out) != len(src):
            raise ValueError(f"the translator returned {len(out)} translations for {len(src)} sentences")
        return [tokenize(t) for t in out]

    def align(self, src: Sequence[Tokens], tgt: Sequence[Tokens]) -> list[Alignment]:
        check_batch(src, tgt)
        back = self.back_translations(src)
        return align_via_backtranslation(src, tgt, back, self.cross, self.same, direct=self.direct,
                                         combine=self.combine)


def _read_translations(translations, tokenize: bool) -> list[list[str]]:
    if isinstance(translations, (str, bytes)) or hasattr(translations, "__fspath__"):
        from ..text.tokenize import tokenize as word_tokenize

        out = []
        try:
            with open(translations, encoding="utf-8") as fh:
                for line in fh:
                    line = line.rstrip("\r\n")
                    out.append(word_tokenize(line) if tokenize else line.split())
        except OSError as exc:
            raise InputError(f"cannot read back-translations: {exc.strerror}", translations) from None
        return out
    return [list(t) for t in translations]
