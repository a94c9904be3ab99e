"""Tag schemes at the reading boundary: one policy for every labelled input.

``scheme`` says how a file's tags are meant (``iob2``, ``iob1``, ``bioes``, ``io``)
or ``auto`` (any mixture, read leniently). Every scheme is converted to spans the
same way (:func:`projner.types.iob_to_spans`): ``B-``/``S-`` start an entity,
``I-``/``E-`` continue one of the same type or start one, ``E-``/``S-`` close it —
what seqeval does.

A tag that breaks the declared scheme (a stray ``I-X`` after ``O`` or another type
in IOB2, an unclosed BIOES entity, ...) is a *violation*. In strict mode (the
default) a file with violations is refused with ONE error that counts them all and
names the first few lines; with ``repair=True`` they are read the lenient way and
counted, and the count is reported as a warning (logger ``projner``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Sequence

from ..errors import InputError
from ..types import Span, iob_to_spans

SCHEMES = ("iob2", "iob1", "bioes", "io", "auto")
TAG_RE = re.compile(r"^(?:O|([BIESLU])-(\S+))$")
SHOWN = 5  # violations named in an error message
_log = logging.getLogger("projner")


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise InputError(f"unknown tag scheme {scheme!r} (use one of {', '.join(SCHEMES)})")
    return scheme


def _parse(tag: str) -> tuple[str, str] | None:
    m = TAG_RE.match(tag)
    if not m:
        return None
    prefix, label = (m.group(1) or "O"), (m.group(2) or "")
    return {"L": "E", "U": "S"}.get(prefix, prefix), label


HINTS = {
    "stray-iob2": ("in IOB2 an I-X continues an X entity; --repair-tags reads a stray I-X as B-X (as seqeval does); "
                   "--scheme iob1 reads IOB1 files"),
    "bioes-tag": "--scheme bioes (or auto) reads BIOES files",
    "b-in-io": "--scheme iob2 reads IOB2 files",
    "bioes": ("in BIOES an entity is B-X I-X* E-X or S-X; --repair-tags reads the tags the lenient way "
              "(as seqeval does)"),
}


def _violation(scheme: str, prev: tuple[str, str], cur: tuple[str, str], tag: str) -> tuple[str, str] | None:
    """``(kind, why)`` when ``tag`` (parsed ``cur``) may not follow ``prev`` under ``scheme``, else None."""
    (pp, pl), (p, lab) = prev, cur
    inside = pp in ("B", "I") and pl == lab
    if scheme in ("iob2", "iob1", "io") and p in ("E", "S"):
        return "bioes-tag", f"{tag} is a BIOES tag"
    if scheme == "io" and p == "B":
        return "b-in-io", f"{tag} (IO has no B- tags)"
    if (scheme == "iob2" and p == "I" or scheme == "bioes" and p in ("I", "E")) and not inside:
        after = "the sentence start" if not pp else ("O" if pp == "O" else f"{pp}-{pl}")
        return ("stray-iob2" if scheme == "iob2" else "bioes"), f"{tag} after {after}"
    if scheme == "bioes" and pp in ("B", "I") and not (p in ("I", "E") and pl == lab):
        return "bioes", f"{pp}-{pl} is not closed by E-{pl} before {tag}"
    return None


@dataclass
class TagChecker:
    """Validates the tags of one file sentence by sentence and collects every violation.

    ``spans(tags, lines)`` converts one sentence; ``finish()`` (after the last
    sentence) raises one :class:`InputError` listing the violations in strict mode,
    or logs how many tags were repaired.
    """

    scheme: str = "iob2"
    repair: bool = False
    path: object = None
    unit: str = "line"  # what the numbers in ``lines`` count: file lines, or dataset rows
    violations: list = field(default_factory=list)  # (line, message), the first SHOWN kept
    kinds: dict = field(default_factory=dict)  # kind -> count, in order of appearance
    count: int = 0

    def __post_init__(self) -> None:
        check_scheme(self.scheme)

    @property
    def failed(self) -> bool:
        """True once a strict-mode violation was seen (callers stop producing output)."""
        return bool(self.count) and not self.repair

    def _note(self, line, kind: str, message: str) -> None:
        self.count += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if len(self.violations) < SHOWN:
            self.violations.append((line, message))

    def spans(self, tags: Sequence[str], lines: Sequence[int] | None = None) -> list[Span]:
        norm: list[str] = []
        prev = ("", "")  # the sentence start
        for i, tag in enumerate(tags):
            cur = _parse(tag)
            line = None if lines is None else lines[i]
            if cur is None:
                msg = f"invalid tag {tag!r}: expected O or PREFIX-TYPE with PREFIX one of B, I, E, S"
                if self.unit != "line" and line is not None:
                    msg, line = f"{self.unit} {line}: {msg}", None
                raise InputError(msg, self.path, line)
            if self.scheme != "auto":
                why = _violation(self.scheme, prev, cur, tag)
                if why:
                    self._note(line, *why)
            norm.append("O" if cur[0] == "O" else f"{cur[0]}-{cur[1]}")
            prev = cur
        if self.scheme == "bioes" and prev[0] in ("B", "I"):
            self._note(None if lines is None else lines[-1], "bioes",
                       f"{prev[0]}-{prev[1]} is not closed by E-{prev[1]} at the end of the sentence")
        return iob_to_spans(norm)

    def finish(self) -> None:
        if not self.count:
            return
        first_line = self.violations[0][0] if self.unit == "line" else None
        plural = "s" * (self.count != 1)
        if self.repair:
            _log.warning(f"{self.path or 'input'}: repaired {self.count} tag{plural} that break{'s' * (self.count == 1)} "
                         f"{self.scheme.upper()} (read as seqeval does: a stray I-X as B-X; first at "
                         f"{self._where(0)})")
            return
        hint = "; ".join(HINTS[k] for k in self.kinds)
        shown = "; ".join(f"{self._where(k)}: {msg}" for k, (_, msg) in enumerate(self.violations))
        more = f", the first {len(self.violations)}" if self.count > len(self.violations) else ""
        raise InputError(f"{self.count} tag{plural} break{'s' * (self.count == 1)} {self.scheme.upper()} ({shown}{more}): {hint}",
                         self.path, first_line)

    def _where(self, k: int) -> str:
        line = self.violations[k][0]
        return f"sequence {k + 1}" if line is None else f"{self.unit} {line}"


def check_tags(tags: Sequence[str], scheme: str, path=None, lines: Sequence[int] | None = None,
               *, repair: bool = False) -> list[Span]:
    """Validate one sentence's ``tags`` under ``scheme`` and return the spans.

    ``lines`` gives the file line of each tag, for error messages.
    """
    checker = TagChecker(scheme, repair, path)
    spans = checker.spans(tags, lines)
    checker.finish()
    return spans
