"""Typed options of the registered components (pydantic), shared field types and
the validation helpers every options model uses.

Every registered factory (aligner, projector, translator, tagger, candidate
extractor, scorer) declares an ``Options`` model derived from :class:`Options`:
unknown keys are refused, types are checked, numbers must be finite and in
range. A configuration is validated against these models when it is loaded,
so a misspelt key or a bad value at any depth fails before any work, with the
path of the key (and, from a file, its line).
"""

from __future__ import annotations

from typing import Annotated, Any, Mapping, NoReturn

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .errors import ConfigError

__all__ = ["Options", "Unit", "Cosine", "Positive", "NonNegative", "PositiveInt", "NonNegativeInt", "Flag", "fail",
           "check_components", "parse_options", "options_model"]

# finite numbers in a range (NaN and infinities are refused)
Unit = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Cosine = Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(ge=1, strict=True)]  # strict: "2" or 2.5 is not an integer
NonNegativeInt = Annotated[int, Field(ge=0, strict=True)]
Flag = Annotated[bool, Field(strict=True)]  # strict: "yes" is not a boolean


class Options(BaseModel):
    """Base of the options models: unknown keys refused, strict about what is given."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, protected_namespaces=())


def fail(loc: tuple, message: str, value: Any = None) -> NoReturn:
    """Raise a pydantic ValidationError at ``loc`` (inside a validator, the caller's
    field is prefixed, so the error keeps its full path for FILE:LINE messages)."""
    raise ValidationError.from_exception_data(
        "options", [InitErrorDetails(type=PydanticCustomError("invalid_option", message.replace("{", "(")
                                                              .replace("}", ")")), loc=loc, input=value)])


def options_model(kind: str, name: str) -> type[BaseModel] | None:
    """The options model of a registered component (``None``: it declares none).
    ``embedding:itermax`` names the ``embedding`` aligner with a method."""
    from .registry import get

    return getattr(get(kind, name.partition(":")[0]), "Options", None)


def check_components(kind: str, mapping: Mapping[str, Any], *, allowed: set[str] | None = None) -> dict[str, Any]:
    """Validate ``{component name: options}``: every name is a registered ``kind``
    (or in ``allowed``) and its options fit the component's model. Returns the
    mapping unchanged (the validated models are built again by :func:`parse_options`)."""
    from .registry import names

    if not isinstance(mapping, Mapping):
        fail((), f"expected a mapping of {kind} names to their options, not {type(mapping).__name__}", mapping)
    known = set(names(kind))
    for key, value in mapping.items():
        base, _, method = str(key).partition(":")
        if base not in known or (allowed is not None and key not in allowed and base not in allowed):
            choices = sorted(allowed) if allowed is not None else sorted(known)
            fail((key,), f"unknown {kind} {key!r} (known: {', '.join(choices)})", value)
        model = options_model(kind, base)
        if model is None:
            continue
        value = dict(value) if isinstance(value, Mapping) else value
        if method and isinstance(value, dict):
            value = {**value, "method": method}
        try:
            TypeAdapter(dict[str, model]).validate_python({key: value})
        except ValidationError as exc:
            err = exc.errors()[0]
            if err["type"] != "extra_forbidden":
                raise
            loc = tuple(err["loc"])
            known = ", ".join(model_at(model, loc[1:-1]).model_fields)
            fail(loc, f"unknown option {loc[-1]!r} for {kind} {key!r} (known: {known})", err["input"])
    return dict(mapping)


def parse_options(model: type[BaseModel] | None, data: Any, what: str) -> Any:
    """``data`` (a mapping, or already a model) validated into ``model``; a problem is a
    :class:`ConfigError` naming ``what`` and the key (for library callers; files go
    through :func:`projner.config.load_config`, which adds the line)."""
    if model is None or isinstance(data, model):
        return data
    try:
        return model.model_validate(dict(data or {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        if err["type"] == "extra_forbidden":
            known = ", ".join(model_at(model, err["loc"][:-1]).model_fields)
            raise ConfigError(f"{what}: unknown option {loc!r} (known: {known})") from None
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{what}: {loc + ': ' if loc else ''}{msg}") from None


def model_at(model: type[BaseModel], path: Any) -> type[BaseModel]:
    """The (nested) options model reached by following ``path`` through ``model``'s
    fields (stops at the last field that holds a model)."""
    import typing

    cls = model
    for part in path:
        f = cls.model_fields.get(str(part)) if isinstance(part, str) else None
        if f is None:
            break
        ann = f.annotation
        cands = [a for a in (typing.get_args(ann) or (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not cands:
            break
        cls = cands[0]
    return cls
