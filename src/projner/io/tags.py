"""Tag schemes at the reading boundary: validation and conversion to spans."""

from __future__ import annotations

import re
from typing import Sequence

from ..errors import InputError
from ..types import Span, iob_to_spans

SCHEMES = ("iob2", "iob1", "bioes", "auto")
TAG_RE = re.compile(r"^(?:O|([BIESLU])-(\S+))$")


def check_tags(tags: Sequence[str], scheme: str, path=None, lines: Sequence[int] | None = None) -> list[Span]:
    """Validate ``tags`` under ``scheme`` and return the spans.

    ``lines`` gives the file line of each tag, for error messages.
    """
    if scheme not in SCHEMES:
        raise InputError(f"unknown tag scheme {scheme!r} (use one of {', '.join(SCHEMES)})")

    def where(i: int):
        return None if lines is None else lines[i]

    prev_prefix, prev_label = "O", ""
    norm: list[str] = []
    for i, tag in enumerate(tags):
        m = TAG_RE.match(tag)
        if not m:
            raise InputError(
                f"invalid tag {tag!r}: expected O or PREFIX-TYPE with PREFIX one of B, I, E, S",
                path,
                where(i),
            )
        prefix, label = (m.group(1) or "O"), (m.group(2) or "")
        if prefix == "L":
            prefix = "E"
        elif prefix == "U":
            prefix = "S"
        inside = prev_prefix in ("B", "I") and prev_label == label
        if scheme in ("iob2", "iob1") and prefix in ("E", "S"):
            raise InputError(
                f"tag {tag!r} belongs to BIOES; this file is read as {scheme.upper()} (use --scheme bioes)",
                path,
                where(i),
            )
        if scheme == "iob2" and prefix == "I" and not inside:
            raise InputError(
                f"{tag} does not continue a {label} entity (IOB2 needs B-{label} first; "
                "use --scheme iob1 for IOB1 files)",
                path,
                where(i),
            )
        if scheme == "bioes":
            if prefix in ("I", "E") and not inside:
                raise InputError(f"{tag} does not continue a {label} entity (BIOES needs B-{label} first)", path, where(i))
            if prev_prefix in ("B", "I") and not (prefix in ("I", "E") and prev_label == label):
                raise InputError(
                    f"{prev_prefix}-{prev_label} is not closed by E-{prev_label} before {tag!r} (BIOES)", path, where(i)
                )
        norm.append(tag if prefix == "O" else f"{prefix}-{label}")
        prev_prefix, prev_label = prefix, label
    if scheme == "bioes" and prev_prefix in ("B", "I"):
        raise InputError(
            f"{prev_prefix}-{prev_label} is not closed by E-{prev_label} at the end of the sentence (BIOES)",
            path,
            where(len(tags) - 1),
        )
    # one conversion serves all schemes: B-/S- start an entity, I-/E- continue
    # one of the same type (or start one, IOB1-style), E-/S- close it
    return iob_to_spans(norm)
