"""Name and number cores: the forms of a word that lexical linking compares.

Names are compared through their *cores* (:func:`cores`): the token itself and the
token without a short affix that the spelling marks off, so ``eGoli``, ``kwaZulu``,
``waseJalimane``, ``UPetru``, ``I-EU``, ``wase-Iraq``, ``IBRUSSELS``, ``ngo-1996`` and
``Ankara'da`` meet ``Goli``, ``Zulu``, ``Jalimane``, ``Petru``, ``EU``, ``Iraq``,
``BRUSSELS``, ``1996`` and ``Ankara``. The marks are orthographic (a lowercase run
before a capital, a capital letter before a capitalised word, a hyphen or apostrophe,
an all-capitals token that contains the other one, letters glued to digits), so no
language needs rules of its own. A name followed by a short case ending
(``Londonban``, ``Berliinissä`` after ``Berliini``) matches through
:func:`affix_similarity`. Folding is Unicode-aware (NFKD, case-folded, combining
marks such as tone marks and accents dropped), so ``Jámánì`` and ``Jamani`` are the same.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .similarity import edit_similarity, fold, prefix_similarity
from .similarity import is_number as _is_number

__all__ = ["cores", "affix_similarity", "core_similarity", "score_cores", "MAX_PREFIX", "MAX_AFFIX"]

MAX_PREFIX = 7  # lowercase letters before a capital (``eyayiyiSerbia``)
MAX_AFFIX = 4  # letters set off by a hyphen / apostrophe, glued to digits, or a case ending
_SEPARATORS = "-'’ʼ‐"


def _upper(ch: str) -> bool:
    return ch.isupper() or ch.istitle()


@lru_cache(maxsize=200_000)
def cores(token: str) -> tuple[tuple[str, bool], ...]:
    """The forms of ``token`` a name or number is compared through, folded, each with
    whether it is written like a name (capitalised or a number); the token itself first.

    A core is the token without a short affix marked by the spelling: a lowercase
    prefix of up to ``MAX_PREFIX`` letters before a capital (``kwaZulu`` → ``zulu``), one
    capital letter before a capitalised word (``UPetru`` → ``petru``), a prefix or suffix
    of up to ``MAX_AFFIX`` letters set off by a hyphen or apostrophe (``wase-Iraq`` →
    ``iraq``, ``Ankara'da`` → ``ankara``), the tail of an all-capitals token after one or
    two letters (``IBRUSSELS`` → ``brussels``, at least 4 letters left), and the digits of
    a number with letters glued on (``ngo1996``, ``1990s`` → ``1996``, ``1990``).
    """
    out = [(fold(token), _name_like(token))]
    seen = {out[0][0]}

    def add(part: str) -> None:
        f = fold(part)
        if f and f not in seen and any(c.isalnum() for c in f):
            seen.add(f)
            out.append((f, _name_like(part)))

    letters = [i for i, c in enumerate(token) if c.isalpha()]
    # lowercase prefix before a capital: eGoli, kwaZulu, waseJalimane
    if token[:1].islower():
        for i, c in enumerate(token[: MAX_PREFIX + 1]):
            if not c.isalpha():
                break
            if _upper(c):
                add(token[i:])
                break
    # one capital before a capitalised word: UPetru, IKhomishini
    if len(token) >= 4 and _upper(token[0]) and _upper(token[1]) and token[2:3].islower():
        add(token[1:])
    # all capitals: IBRUSSELS (the tail must keep at least 4 letters)
    if len(letters) >= 5 and token.isupper():
        for k in (1, 2):
            if len(token) - k >= 4 and token[k].isalpha():
                add(token[k:])
    # hyphen / apostrophe: wase-Iraq, I-EU, ngo-1996, Ankara'da
    for sep in _SEPARATORS:
        if sep in token[1:-1]:
            head, _, tail = token.partition(sep)  # a lowercase prefix, or one capital: wase-Iraq, I-EU
            if (0 < len(head) <= MAX_AFFIX and (head.islower() or len(head) == 1)
                    and any(c.isalnum() for c in tail)):
                add(tail.lstrip(_SEPARATORS))
            head, _, tail = token.rpartition(sep)  # a lowercase ending after a longer stem: Ankara'da
            if 0 < len(tail) <= MAX_AFFIX and tail.isalpha() and tail.islower() and len(head) > len(tail):
                add(head.rstrip(_SEPARATORS))
    # digits with letters glued on: ngo1996, 1990s
    digits = re.search(r"\d[\d.,:/]*\d|\d", token)
    if digits and digits.group() != token:
        rest = token[: digits.start()] + token[digits.end():]
        if rest.isalpha() and len(rest) <= MAX_PREFIX:
            add(digits.group())
    return tuple(out)


def _name_like(tok: str) -> bool:
    """Not a lowercase word: capitalised, a number, or starting with a non-letter."""
    return not tok[:1].isalpha() or _upper(tok[:1])


def affix_similarity(a: str, b: str, min_length: int = 4) -> float:
    """Similarity of two folded forms for name linking: 1 when equal; 0.9 when the
    shorter (longer than ``min_length`` characters) begins the longer and at most
    ``MAX_AFFIX`` characters follow (a case ending: ``london`` / ``londonban``);
    otherwise the larger of edit and common-prefix similarity, for forms of at least
    ``min_length`` characters that share their first letter (0 else)."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) < min_length or a[0] != b[0]:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if (len(short) > min_length and long_.startswith(short) and len(long_) - len(short) <= MAX_AFFIX
            and long_[len(short):].isalpha()):
        return 0.9
    return max(edit_similarity(a, b), prefix_similarity(a, b))


def core_similarity(s: str, t: str, min_length: int = 4, names_only: bool = True) -> float:
    """Best :func:`affix_similarity` over the cores of ``s`` and ``t`` (0 when not comparable).

    Numbers match only exactly (digits of the same value, as written, or through their
    cores); with ``names_only`` a core of the target must be written like a name (a
    name is rarely translated into a lowercase word). A match through an affix scores
    0.98 of the bare match, so the bare form wins ties."""
    return score_cores(cores(s), cores(t), min_length, names_only)


def score_cores(cs, ct, min_length: int = 4, names_only: bool = True) -> float:
    """:func:`core_similarity` of precomputed :func:`cores`."""
    best = 0.0
    for k, (fs, _) in enumerate(cs):
        for m, (ft, name) in enumerate(ct):
            if fs == ft:
                sc = 1.0 if any(c.isalnum() for c in fs) else 0.0
            elif fs[:1] != ft[:1] or _is_number(fs) or _is_number(ft) or (names_only and not name):
                continue
            else:
                sc = affix_similarity(fs, ft, min_length)
            if k or m:
                sc *= 0.98
            if sc > best:
                best = sc
    return best
