"""Shared helpers of the transformers and CTranslate2 translators: loading a
tokenizer offline, resolving language codes, batching, splitting long inputs.

Imports of transformers happen inside the functions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..errors import ConfigError, ModelError

_SENT_SPLIT_RE = re.compile(r"(?<=[.!?;:])\s+")


from ..hub import check_model_location, looks_like_path  # noqa: F401  (re-exported)
from ..hub import load_error_message as _load_message


def load_tokenizer(model: str, *, offline: bool = True, what: str = "translation model"):
    try:
        from transformers import AutoTokenizer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModelError(f"the transformers package is needed for {what}s (pip install 'projner[translate]'): {exc}")
    try:
        return AutoTokenizer.from_pretrained(model, local_files_only=offline)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(_load_message(model, what, exc, offline), model if Path(model).exists() else None) from None


def _all_tokens(tokenizer: Any) -> set[str]:
    """Vocabulary plus language and added special tokens (some tokenizers, e.g.
    M2M100 under transformers 5, keep language tokens out of ``get_vocab()``)."""
    toks = set(tokenizer.get_vocab())
    for attr in ("lang_token_to_id", "lang_code_to_token"):
        m = getattr(tokenizer, attr, None)
        if isinstance(m, dict):
            toks.update(str(x) for x in (m.keys() if attr == "lang_token_to_id" else m.values()))
    for attr in ("additional_special_tokens", "extra_special_tokens"):
        extra = getattr(tokenizer, attr, None)
        if isinstance(extra, dict):
            extra = list(extra.values())
        if isinstance(extra, (list, tuple)):
            toks.update(str(x) for x in extra)
    dec = getattr(tokenizer, "added_tokens_decoder", None)
    if isinstance(dec, dict):
        toks.update(str(getattr(x, "content", x)) for x in dec.values())
    return toks


def language_token(tokenizer: Any, code: str) -> str | None:
    """The vocabulary token of a language code (``de``, ``__de__``, ``deu_Latn``, ``de_DE``), or None."""
    toks = _all_tokens(tokenizer)
    unk = tokenizer.unk_token_id
    for cand in (code, f"__{code}__", f">>{code}<<"):
        if cand in toks and cand != tokenizer.unk_token:
            tid = tokenizer.convert_tokens_to_ids(cand)
            if tid is not None and tid != unk:
                return cand
    return None


def language_codes(tokenizer: Any) -> list[str]:
    """Language codes the tokenizer knows (M2M100 ``__xx__``, NLLB ``xxx_Yyyy``, mBART ``xx_XX``, Marian ``>>xx<<``)."""
    codes = []
    for tok in _all_tokens(tokenizer):
        m = re.fullmatch(r"__([a-z]{2,3})__|([a-z]{3}_[A-Z][a-z]{3})|([a-z]{2}_[A-Z]{2})|>>([a-z_A-Z]{2,8})<<", tok)
        if m:
            codes.append(next(g for g in m.groups() if g))
    return sorted(set(codes))


def model_family(tokenizer: Any, config: Any | None = None) -> str:
    """``multilingual`` (M2M100/NLLB/mBART: language tokens), ``marian-multi`` (>>xx<< prefixes) or ``plain``."""
    toks = _all_tokens(tokenizer)
    marian = any(t.startswith(">>") and t.endswith("<<") for t in toks)
    if hasattr(tokenizer, "src_lang") and language_codes(tokenizer) and not marian:
        return "multilingual"
    if marian:
        return "marian-multi"
    return "plain"


class LanguageSetup:
    """What a model needs for a source/target language pair.

    * multilingual models: ``src_lang`` set on the tokenizer, ``forced_bos`` token for the target;
    * Marian multi-target models: a ``>>xx<<`` prefix on the input;
    * bilingual models: nothing (codes, if given, are only checked to be plausible).
    """

    def __init__(self, tokenizer: Any, src_lang: str | None, tgt_lang: str | None, model: str) -> None:
        self.family = model_family(tokenizer)
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.forced_bos: str | None = None
        self.prefix = ""
        # ids of language tokens, removed from outputs before decoding
        self.lang_ids: set[int] = set()
        if self.family == "multilingual":
            for tok in _all_tokens(tokenizer):
                if re.fullmatch(r"__[a-z]{2,3}__|[a-z]{3}_[A-Z][a-z]{3}|[a-z]{2}_[A-Z]{2}", tok):
                    tid = tokenizer.convert_tokens_to_ids(tok)
                    if tid is not None and tid != tokenizer.unk_token_id:
                        self.lang_ids.add(int(tid))
        known = language_codes(tokenizer)
        shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
        if self.family == "multilingual":
            if not src_lang or not tgt_lang:
                raise ConfigError(
                    f"translation model {model!r} is multilingual: give src_lang and tgt_lang (e.g. {shown})"
                )
            for role, code in (("source", src_lang), ("target", tgt_lang)):
                if language_token(tokenizer, code) is None:
                    raise ConfigError(
                        f"unknown {role} language code {code!r} for translation model {model!r} (known: {shown})"
                    )
            tokenizer.src_lang = src_lang
            self.forced_bos = language_token(tokenizer, tgt_lang)
        elif self.family == "marian-multi":
            if tgt_lang:
                tok = language_token(tokenizer, tgt_lang)
                if tok is None or not tok.startswith(">>"):
                    raise ConfigError(
                        f"unknown target language code {tgt_lang!r} for translation model {model!r} (known: {shown})"
                    )
                self.prefix = tok + " "
        else:
            for role, code in (("source", src_lang), ("target", tgt_lang)):
                if code is not None and not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z]{2,4})?", code):
                    raise ConfigError(f"invalid {role} language code {code!r} for translation model {model!r}")


def decode(tokenizer: Any, ids: Sequence[int], drop: set[int]) -> str:
    return tokenizer.decode([i for i in ids if int(i) not in drop], skip_special_tokens=True)


def split_long(text: str, n_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` model tokens: at sentence
    punctuation first, then at word boundaries, so every piece can be translated."""
    if n_tokens(text) <= limit:
        return [text]
    pieces: list[str] = []
    for part in _SENT_SPLIT_RE.split(text):
        if not part:
            continue
        if n_tokens(part) <= limit:
            pieces.append(part)
            continue
        words = part.split()
        cur: list[str] = []
        for w in words:
            if cur and n_tokens(" ".join(cur + [w])) > limit:
                pieces.append(" ".join(cur))
                cur = []
            cur.append(w)
        if cur:
            pieces.append(" ".join(cur))
    # merge neighbours back while they fit
    merged: list[str] = []
    for p in pieces:
        if merged and n_tokens(merged[-1] + " " + p) <= limit:
            merged[-1] = merged[-1] + " " + p
        else:
            merged.append(p)
    return merged


def batches_by_length(items: Sequence[str], batch_size: int, key: Callable[[str], int]) -> Iterator[list[int]]:
    """Index batches over ``items`` sorted by length (less padding); order is restored by the caller."""
    order = sorted(range(len(items)), key=lambda i: key(items[i]))
    for i in range(0, len(order), batch_size):
        yield order[i : i + batch_size]


def progress_bar(total: int, description: str, enabled: bool):
    """A rich progress context (a no-op when disabled)."""
    if not enabled:
        return _NoProgress()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    )
    return _RichProgress(prog, total, description)


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def advance(self, n: int) -> None:
        pass


class _RichProgress:
    def __init__(self, prog, total, description):
        self.prog, self.total, self.description = prog, total, description

    def __enter__(self):
        self.prog.__enter__()
        self.task = self.prog.add_task(self.description, total=self.total)
        return self

    def __exit__(self, *exc):
        return self.prog.__exit__(*exc)

    def advance(self, n: int) -> None:
        self.prog.advance(self.task, n)


def translate_with_splitting(
    texts: Sequence[str],
    translate_batch: Callable[[list[str]], list[str]],
    n_tokens: Callable[[str], int],
    limit: int,
    batch_size: int,
    progress: bool = False,
    description: str = "translating",
) -> list[str]:
    """Split over-long inputs, translate all pieces in length-sorted batches, rejoin."""
    pieces: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(texts):
        if not t.strip():
            continue
        for p in split_long(t, n_tokens, limit):
            pieces.append(p)
            owner.append(i)
    out_pieces: list[str] = [""] * len(pieces)
    with progress_bar(len(pieces), description, progress) as bar:
        for idx in batches_by_length(pieces, batch_size, key=len):
            outs = translate_batch([pieces[i] for i in idx])
            for i, o in zip(idx, outs):
                out_pieces[i] = o.strip()
            bar.advance(len(idx))
    result: list[list[str]] = [[] for _ in texts]
    for i, o in zip(owner, out_pieces):
        result[i].append(o)
    return [" ".join(r) for r in result]
