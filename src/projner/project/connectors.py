"""Names joined by a connector: ``Umoja wa Mataifa``, ``Baraza la Usalama``, ``Banco de España``.

Many languages build a name as head + short lowercase connector + name (Kiswahili
``wa``/``ya``/``la``/``cha``/``za``, Romance ``de``/``di``, English ``of``). The source
name is often shorter (``U.N.`` → ``Umoja wa Mataifa``, ``European Union`` → ``Umoja wa
Ulaya``) and the alignment links only the head, so the projected span stops before the
connector. :func:`join_connectors` extends a projected span over ``connector + name
word`` on its right when nothing ties those words to the rest of the sentence:

- the connector is a lowercase word of at most 3 letters, or one of the corpus's
  learnt function words, and is not linked to a source word outside the entity;
- the word after it is linked to the source entity, or is capitalised and linked to no
  source word outside the entity (``Kenya na Uganda`` with ``Uganda`` linked to another
  source name stays two names).

A capital letter marks a name only where the language keeps capitals for names: German
writes every noun with one (``EU die Möglichkeit``). :class:`CapitalShare` learns this from
the corpus: when the target capitalises clearly more of its words (not counting the
first) than the source does (``CAPITALS_RATIO``; German 0.27 vs English 0.08 on
Europarl, Kiswahili 0.23 vs 0.23 on CoNLL), an unlinked capitalised word is not taken for
a name, and only words linked to the entity are joined.

On the left (``Chama cha Kidemokrasia`` for ``Democratic Party``) the evidence must be
stronger, since the word before a connector is often a title or a common noun
(``Rais wa Marekani``): the head word or the connector must be linked to the entity.
No word list per language: the connectors are recognised by their shape and the
corpus's own function words.
"""

from __future__ import annotations

from typing import Collection, Sequence

from ..text.affixes import cores

__all__ = ["join_connectors", "CapitalShare"]

MAX_STEPS = 3  # connector + name pairs added on each side
CAPITALS_RATIO = 1.5  # target / source share of capitalised words above which capitals do not mark names


class CapitalShare:
    """Counts the words after the first that start with a capital, sentence by sentence
    (:meth:`tokens` passes the token lists through)."""

    def __init__(self) -> None:
        self.words = self.capitalised = 0

    def tokens(self, sentences):
        for toks in sentences:
            for t in toks[1:]:
                if t[:1].isalpha():
                    self.words += 1
                    self.capitalised += t[0].isupper()
            yield toks

    @property
    def share(self) -> float:
        return self.capitalised / self.words if self.words else 0.0


def capitals_mark_names(source: CapitalShare, target: CapitalShare) -> bool:
    """Whether a capital marks a name in the target as much as in the source."""
    return target.share <= CAPITALS_RATIO * source.share


def _capitalised(tok: str) -> bool:
    """A word written like a name: a capital first letter (``Mataifa``), or a name behind a
    short lowercase prefix (``waseJalimane``)."""
    return bool(tok) and tok[0].isalpha() and (tok[0].isupper() or any(named for _, named in cores(tok)[1:]))


def _lower(tok: str) -> bool:
    return tok.isalpha() and tok[0].islower() and not _capitalised(tok)


def join_connectors(tokens: Sequence[str], start: int, end: int, lo: int, hi: int, inside: Collection[int],
                    outside: Collection[int], function_words: Collection[str] = (),
                    capitals: bool = True) -> tuple[int, int]:
    """``[start, end)`` extended within ``[lo, hi)`` over connector + name pairs (see the
    module text). ``inside`` / ``outside``: target positions linked to the source entity /
    to source words outside it; ``capitals``: an unlinked capitalised word is a name word."""

    def connector(j: int) -> bool:
        tok = tokens[j]
        return j not in outside and _lower(tok) and (len(tok) <= 3 or tok in function_words)

    def name(j: int) -> bool:
        return j in inside or (capitals and j not in outside and _capitalised(tokens[j]))

    for _ in range(MAX_STEPS):
        if end + 1 < hi and connector(end) and name(end + 1):
            end += 2
            while end < hi and end in inside:  # more words of the entity
                end += 1
        else:
            break
    for _ in range(MAX_STEPS):
        j = start - 1
        if j - 1 >= lo and connector(j) and name(j - 1) and (j in inside or j - 1 in inside):
            start = j - 1
        else:
            break
    return start, end
