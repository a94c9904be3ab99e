"""Validated configuration, loaded from YAML/TOML files and CLI flags.

An invalid configuration fails before any work starts, with the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, field_validator

from .errors import ConfigError, UsageError

DEFAULT_ALIGNER = "eflomal+lexical"
DEFAULT_METHOD = "ilp"


class FilterConfig(BaseModel):
    """Sentences left out of projected training data (see :mod:`projner.project.quality`).

    drop_incomplete: drop a sentence unless every source entity was projected.
    min_span_score: drop a sentence holding a projected span scoring below this.
    """

    model_config = ConfigDict(extra="forbid")

    drop_incomplete: bool = False
    min_span_score: float = Field(default=0.0, ge=0.0, le=1.0)


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
    filter: sentences left out of the projected corpus that ``project`` writes and
        ``translate-train`` trains on (:class:`FilterConfig`; default: none).
    """

    model_config = ConfigDict(extra="forbid")

    aligner: str = DEFAULT_ALIGNER
    aligner_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    method: Literal["heuristic", "greedy", "bipartite", "ilp"] = DEFAULT_METHOD
    projection: dict[str, Any] = Field(default_factory=dict)
    bitext: list[tuple[str, str]] = Field(default_factory=list)
    lowercase: StrictBool = True
    encoder: str | None = None
    seed: StrictInt | None = Field(default=None, ge=0)
    label_map: dict[str, str] = Field(default_factory=dict)
    ignore_labels: list[str] = Field(default_factory=list)
    filter: FilterConfig = Field(default_factory=FilterConfig)

    def sentence_filter(self):
        from .project.quality import SentenceFilter

        return SentenceFilter(self.filter.drop_incomplete, self.filter.min_span_score)

    @field_validator("aligner")
    @classmethod
    def _aligner_spec(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.:-]+(?:\s*[+|&]\s*[A-Za-z0-9_.:-]+)*", v.strip()):
            raise ValueError(f"invalid aligner spec {v!r}")
        from .align.build import spec_members
        from .registry import names

        try:
            members, _ = spec_members(v)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        for name in members:
            if name not in names("aligner"):
                raise ValueError(f"unknown aligner {name!r} (known: {', '.join(names('aligner'))})")
        return v.strip()

    @field_validator("aligner_options", mode="before")
    @classmethod
    def _aligner_options(cls, v: Any) -> Any:
        from .options import check_components

        return check_components("aligner", v) if isinstance(v, Mapping) else v

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
        from pydantic import TypeAdapter

        from .project.factories import options_for

        model = options_for(info.data.get("method", DEFAULT_METHOD))
        TypeAdapter(model).validate_python({k: x for k, x in v.items() if k != "refine"})
        return v


def _key_line(text: str, *keys: Any) -> int | None:
    """Line of a (nested) key in a YAML/TOML text: each key searched from the line of
    the previous one (list indices are skipped; TOML ``[section]`` headers count)."""
    lines = text.splitlines()
    found = None
    start = 0
    for key in (k for k in keys if not isinstance(k, int)):
        k = re.escape(str(key))
        for i in range(start, len(lines)):
            if re.match(rf"^\s*[\"']?{k}[\"']?\s*[:=]", lines[i]) or \
                    re.search(rf"[{{,]\s*[\"']?{k}[\"']?\s*[:=]", lines[i]) or \
                    re.match(rf"^\s*\[\s*(?:[\w.-]+\.)?{k}\s*\]", lines[i]):
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
             text: str | None = None, overridden: Sequence[str] = ()) -> Any:
    """Validate ``data`` into ``model``; the first problem becomes one ConfigError naming
    the file and the line of the offending key (or the command-line override it came from)."""
    from .options import model_at

    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        dotted = ".".join(str(x) for x in loc)
        if err["type"] == "extra_forbidden":
            known = ", ".join(model_at(model, loc[:-1]).model_fields)
            msg = f"unknown key {dotted!r} (known keys: {known})"
        elif err["type"] == "missing":
            msg = f"missing key {dotted!r}"
        else:
            why = err["msg"].removeprefix("Value error, ")
            msg = f"{dotted}: {why}" if dotted else why
        flag = next((o for o in overridden if dotted == o or dotted.startswith(o + ".") or o.startswith(dotted + ".")),
                    None)
        if flag is not None:
            raise ConfigError(f"{msg} (given as --{flag})") from None
        line = _key_line(text, *loc) if text and loc else None
        bad = re.search(r"unknown option '([^']+)'", msg)
        if bad and text:
            line = _key_line(text, *loc, bad.group(1)) or line
        raise ConfigError(msg, path, line) from None


def parse_overrides(args: Sequence[str]) -> dict[str, Any]:
    """Dotted overrides from the command line, in spaCy's style: ``--projection.k 2``,
    ``--aligner_options.eflomal.seed=1``; values are read as YAML (``1``, ``0.4``,
    ``true``, ``[6, 7]``; anything else is a string); a bare flag is ``true``."""
    import yaml

    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = str(args[i])
        name = arg[2:].partition("=")[0] if arg.startswith("--") else ""
        if not name or "." not in name.strip("."):
            what = f"no such option: {arg}" if arg.startswith("-") else f"unexpected extra argument {arg!r}"
            raise UsageError(f"{what} (dotted overrides look like --section.key VALUE)")
        if "=" in arg:
            value, i = arg.partition("=")[2], i + 1
        elif i + 1 < len(args) and not (str(args[i + 1]).startswith("--") and len(str(args[i + 1])) > 2):
            value, i = str(args[i + 1]), i + 2
        else:
            value, i = "true", i + 1
        try:
            out[name] = yaml.safe_load(value) if value.strip() else value
        except yaml.YAMLError:
            out[name] = value
    return out


def apply_overrides(data: dict[str, Any], dotted: Mapping[str, Any]) -> dict[str, Any]:
    """Set each ``a.b.c`` of ``dotted`` in the nested mapping ``data`` (in place)."""
    for key, value in dotted.items():
        parts = key.split(".")
        cur = data
        for part in parts[:-1]:
            nxt = cur.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                cur[part] = nxt
            cur = nxt
        cur[parts[-1]] = value
    return data


def load_config(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None,
                model: type[BaseModel] = ProjectionConfig, dotted: Mapping[str, Any] | None = None) -> Any:
    """Load ``path`` (if given), apply the non-None ``overrides`` (CLI flags) and then the
    ``dotted`` overrides (``{"projection.k": 2}``), validate.

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
        elif k in ("projection", "filter"):
            data[k] = {**data.get(k, {}), **v}
        else:
            data[k] = v
    apply_overrides(data, dotted or {})
    return validate(model, data, path, text, overridden=list(dotted or {}))
