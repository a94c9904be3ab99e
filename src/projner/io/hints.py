"""Warnings about inputs that are readable but probably not what the user meant.

Each function returns messages (no printing); the commands log them as
``projner: warning: …`` lines. Nothing here stops a run.
"""

from __future__ import annotations

import os
import re
from typing import Sequence

from ..types import Sentence

_GLUED = re.compile(r"^\w.*\w[.,;:!?»\"')]+$|^[\"'(«]+\w", re.UNICODE)
LABELLED = ("conll", "jsonl", "hf", "parquet", "spacy")


def _lines(numbers: Sequence[int], shown: int = 5) -> str:
    head = ", ".join(str(n) for n in numbers[:shown])
    return head + (f", … ({len(numbers)} in all)" if len(numbers) > shown else "")


def source_hints(sources: Sequence[Sentence], source: os.PathLike | str, target: os.PathLike | str,
                 source_format: str, target_format: str) -> list[str]:
    """A labelled source without entities; source and target that look swapped."""
    if any(s.spans for s in sources):
        return []
    if source_format not in LABELLED and target_format in LABELLED:
        return [f"{source} is plain text and {target} is {target_format}: the files look swapped "
                "(projner project takes the labelled SOURCE first, then the TARGET sentences)"]
    return [f"{source} has no entities: nothing will be projected (is it the labelled source file? "
            "check --scheme and --source-format)"]


def target_hints(targets: Sequence[Sentence], target: os.PathLike | str, target_format: str,
                 option: str = "--target-format") -> list[str]:
    """Blank lines in a line-parallel target; plain-text tokens with punctuation glued on."""
    out = []
    blank = [t.meta.get("line") for t in targets if not t.tokens and t.meta.get("line")]
    if blank and target_format in ("text", "raw"):
        many = len(blank) != 1
        out.append(f"{target}: {len(blank)} blank line{'s' * many} (line{'s' * many} {_lines(blank)}) read as "
                   f"{'empty sentences' if many else 'an empty sentence'}: nothing is projected onto "
                   f"{'them' if many else 'it'}")
    if target_format == "text":
        glued = [tok for t in targets[:2000] for tok in t.tokens if len(tok) > 2 and _GLUED.match(tok)]
        n_tok = sum(len(t) for t in targets[:2000])
        if n_tok and len(glued) >= max(3, 0.02 * n_tok):
            examples = ", ".join(repr(t) for t in list(dict.fromkeys(glued))[:3])
            out.append(f"{target}: tokens carry punctuation ({examples}, …): if this is untokenised text, "
                       f"{option} raw splits it into words")
    return out
