"""Validated configuration, loaded from YAML/TOML files and CLI flags.

An invalid configuration fails before any work starts, with the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

DEFAULT_ALIGNER = "eflomal+lexical"
DEFAULT_METHOD = "ilp"


class ProjectionConfig(BaseModel):
    """What ``projner project`` and ``benchmark-projection`` run.

    aligner: aligner spec (``eflomal``, ``lexical``, ``embedding``, combined with
        ``+`` augment, ``|`` union, ``&`` intersection).
    aligner_options: keyword arguments per aligner name, e.g.
        ``{"eflomal": {"symmetrization": "grow-diag-final-and"}}``.
    method: ``heuristic``, ``greedy``, ``bipartite`` or ``ilp``.
    projection: options of the projector (see ``HeuristicOptions`` / ``MatchingOptions``).
    bitext: extra parallel text for statistical aligners, ``[[src, tgt], ...]``.
    lowercase: lowercase text for statistical alignment.
    encoder: a transformers encoder (path or name) for the ``embedding`` aligner.
    seed: seed eflomal for byte-identical alignments across runs (slower: one thread).
    label_map / ignore_labels: applied to the source labels before projection and
        to both sides in evaluation.
    """

    model_config = ConfigDict(extra="forbid")

    aligner: str = DEFAULT_ALIGNER
    aligner_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    method: Literal["heuristic", "greedy", "bipartite", "ilp"] = DEFAULT_METHOD
    projection: dict[str, Any] = Field(default_factory=dict)
    bitext: list[tuple[str, str]] = Field(default_factory=list)
    lowercase: bool = True
    encoder: str | None = None
    seed: int | None = Field(default=None, ge=0)
    label_map: dict[str, str] = Field(default_factory=dict)
    ignore_labels: list[str] = Field(default_factory=list)

    @field_validator("aligner")
    @classmethod
    def _aligner_spec(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.:-]+(?:\s*[+|&]\s*[A-Za-z0-9_.:-]+)*", v.strip()):
            raise ValueError(f"invalid aligner spec {v!r}")
        return v.strip()

    @field_validator("projection")
    @classmethod
    def _projection_options(cls, v: dict[str, Any], info) -> dict[str, Any]:
        from .project import projection_option_names

        known = projection_option_names(info.data.get("method", DEFAULT_METHOD))
        for key in v:
            if key not in known:
                raise ValueError(
                    f"unknown option {key!r} for method {info.data.get('method', DEFAULT_METHOD)!r} "
                    f"(known: {', '.join(sorted(known))})"
                )
        if "refine" in v:
            from .project import refine_options

            try:
                refine_options(v["refine"])
            except TypeError as exc:  # unknown option, or not a mapping: the message says which
                raise ValueError(str(exc)) from None
            except ValueError as exc:  # a bad value, from RefineOptions
                raise ValueError(f"refine: {exc}") from None
        return v

    def member_options(self) -> dict[str, dict[str, Any]]:
        """Per-aligner options with the shared settings (bitext, lowercase, encoder) filled in."""
        opts = {k: dict(v) for k, v in self.aligner_options.items()}
        members = re.split(r"\s*[+|&]\s*", self.aligner)
        if "eflomal" in members:
            ef = opts.setdefault("eflomal", {})
            ef.setdefault("lowercase", self.lowercase)
            if self.seed is not None:
                ef.setdefault("seed", self.seed)
            if self.bitext:
                ef["bitext"] = list(ef.get("bitext", [])) + [tuple(b) for b in self.bitext]
        for name in members:
            if name.startswith("embedding") and self.encoder:
                opts.setdefault(name, {})["model"] = self.encoder
            if name in ("embedding-vote", "embedding-rescue", "backtranslation", "embedding-backtranslation"):
                # ensembles hand these on to their eflomal member
                ens = opts.setdefault(name, {})
                ens.setdefault("lowercase", self.lowercase)
                if self.bitext:
                    ens["bitext"] = list(ens.get("bitext", [])) + [tuple(b) for b in self.bitext]
        return opts


def _key_line(text: str, *keys: str) -> int | None:
    """Line of a (nested) key in a YAML/TOML text: each key searched after the previous."""
    lines = text.splitlines()
    found = None
    start = 0
    for key in keys:
        for i in range(start, len(lines)):
            if re.match(rf"^\s*[\"']?{re.escape(str(key))}[\"']?\s*[:=]", lines[i]) or \
                    re.search(rf"[{{,]\s*[\"']?{re.escape(str(key))}[\"']?\s*[:=]", lines[i]):
                found, start = i + 1, i
                break
        else:
            break
    return found


def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read a YAML, TOML or JSON file into a dict, with file/line errors."""
    p = Path(path)
    if not p.exists():
        raise ConfigError("config file not found", p)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config: {exc}", p) from None
    suffix = p.suffix.lower()
    try:
        if suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib

            data = tomllib.loads(text)
        elif suffix == ".json":
            from .yamlload import load_json

            data = load_json(text, p)
        else:
            from .yamlload import load_yaml

            data = load_yaml(text, p)
    except ConfigError:
        raise
    except Exception as exc:  # parser errors of three libraries
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        line = line + 1 if line is not None else getattr(exc, "lineno", None)
        msg = str(getattr(exc, "problem", None) or getattr(exc, "msg", None) or exc).splitlines()[0]
        raise ConfigError(f"cannot parse config: {msg}", p, line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("a config file must hold a mapping of keys to values", p, 1)
    return data


def validate(model: type[BaseModel], data: Mapping[str, Any], path: str | Path | None = None,
             text: str | None = None) -> Any:
    """Validate ``data`` into ``model``; the first problem becomes a ConfigError."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        top = str(err["loc"][0]) if err["loc"] else ""
        line = _key_line(text, *[str(x) for x in err["loc"]]) if text and top else None
        if err["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields)
            msg = f"unknown key {loc!r} (known keys: {known})"
        else:
            msg = f"{loc}: {err['msg'].removeprefix('Value error, ')}"
            bad = re.search(r"unknown option '([^']+)'", msg)
            if bad and text:
                line = _key_line(text, *[str(x) for x in err["loc"]], bad.group(1)) or line
        raise ConfigError(msg, path, line) from None


def load_config(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None,
                model: type[BaseModel] = ProjectionConfig) -> Any:
    """Load ``path`` (if given), apply non-None ``overrides`` (CLI flags), validate.

    Relative bitext paths in a config file are resolved against the file's folder.
    """
    data: dict[str, Any] = {}
    text = None
    if path is not None:
        data = load_mapping(path)
        text = Path(path).read_text(encoding="utf-8")
        if "bitext" in data and isinstance(data["bitext"], list):
            base = Path(path).parent
            data["bitext"] = [
                [str(base / x) if isinstance(x, str) and not Path(x).is_absolute() else x for x in pair]
                if isinstance(pair, (list, tuple)) else pair
                for pair in data["bitext"]
            ]
    for k, v in (overrides or {}).items():
        if v is None:
            continue
        if k == "bitext":
            data["bitext"] = list(data.get("bitext", [])) + [list(b) for b in v]
        elif k == "projection":
            data["projection"] = {**data.get("projection", {}), **v}
        else:
            data[k] = v
    return validate(model, data, path, text)
