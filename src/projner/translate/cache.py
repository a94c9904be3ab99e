"""An on-disk translation cache keyed by model, options and text, so that a
rerun never translates the same sentence twice.

The cache is one SQLite file (safe for concurrent readers and writers); keys are
SHA-256 digests of the translator's identity (:meth:`cache_key`, else its name)
and the input text.

    tr = CachedTranslator(HFTranslator(...), "~/.cache/projner/translations.sqlite")
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Sequence

from ..errors import ConfigError

__all__ = ["CachedTranslator", "TranslationCache", "default_cache_path"]


def default_cache_path() -> Path:
    base = os.environ.get("PROJNER_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "projner"
    )
    return Path(base) / "translations.sqlite"


class TranslationCache:
    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=60)
            self.db.execute("CREATE TABLE IF NOT EXISTS tr (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open translation cache: {exc}", self.path) from None

    @staticmethod
    def key(model_key: str, text: str) -> str:
        return hashlib.sha256((model_key + "\x00" + text).encode("utf-8")).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        uniq = list(dict.fromkeys(keys))
        for i in range(0, len(uniq), 500):
            chunk = uniq[i : i + 500]
            q = "SELECT key, value FROM tr WHERE key IN (%s)" % ",".join("?" * len(chunk))
            found.update(self.db.execute(q, chunk).fetchall())
        return found

    def put_many(self, items: dict[str, str]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO tr (key, value) VALUES (?, ?)", list(items.items()))

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM tr").fetchone()[0])

    def close(self) -> None:
        self.db.close()


class CachedTranslator:
    """Wraps any translator; only texts missing from the cache reach it (deduplicated),
    ``chunk`` texts at a time, each chunk stored as soon as it is translated."""

    def __init__(self, inner: Any, cache: str | os.PathLike | TranslationCache | None = None,
                 chunk: int = 1024) -> None:
        self.inner = inner
        self.chunk = max(1, int(chunk))
        self.name = getattr(inner, "name", type(inner).__name__)
        self.cache = cache if isinstance(cache, TranslationCache) else TranslationCache(cache or default_cache_path())
        ident = inner.cache_key() if hasattr(inner, "cache_key") else {"name": self.name}
        self.model_key = json.dumps(ident, sort_keys=True, default=str)
        self.hits = 0
        self.misses = 0

    def cache_key(self) -> dict[str, Any]:
        return json.loads(self.model_key)

    def translate(self, texts: Sequence[str]) -> list[str]:
        keys = [self.cache.key(self.model_key, t) for t in texts]
        found = self.cache.get_many(keys)
        todo: dict[str, str] = {}
        for k, t in zip(keys, texts):
            if k not in found:
                todo.setdefault(k, t)
        self.hits += len(texts) - sum(1 for k in keys if k not in found)
        self.misses += len(todo)
        items = list(todo.items())
        for i in range(0, len(items), self.chunk):
            # stored chunk by chunk: an interrupted run keeps what it translated
            part = items[i : i + self.chunk]
            outs = self.inner.translate([t for _, t in part])
            if len(outs) != len(part):
                raise ValueError(f"the translator returned {len(outs)} translations for {len(part)} texts")
            new = {k: o for (k, _), o in zip(part, outs)}
            self.cache.put_many(new)
            found.update(new)
        return [found[k] for k in keys]
