"""Typed settings (pydantic v2) built from a table of defaults, and the one error format every layer uses.

A settings table is a nested dict of defaults (``lrl.config.DEFAULTS``) plus two side tables by dotted
key: fixed choices and numeric ranges. :func:`build` turns them into a pydantic model: ``Literal`` for a
choice, ``ge``/``le`` for a range, strict types (an int widens to float; nothing else is coerced) and
``extra="forbid"`` everywhere. Adding a setting is one line in the table (plus a choice or range line
beside it); the model, the errors and ``lrl steps list`` follow from it.

This module imports nothing of lrl but the error type, so anything may use it without a cycle.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import tomllib
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from lrl.errors import ConfigError


class Strict(BaseModel):
    """Every section: unknown keys are errors, values are not coerced (except int → float)."""

    model_config = ConfigDict(extra="forbid", strict=True, protected_namespaces=())


def _not_nan(x: float) -> float:
    if math.isnan(x):  # NaN passes every comparison: a silent "no threshold"
        raise ValueError("nan")
    return x


@dataclass(frozen=True)
class Leaf:
    """What the error messages and ``lrl steps list`` need to know about one setting."""

    default: Any
    allowed: tuple[Any, ...] | None = None
    bounds: tuple[float | None, float | None] = (None, None)
    meaning: str = ""
    kind: str = ""  # the type's name where there is no default (a required key)

    def bound_text(self) -> str:
        lo, hi = self.bounds
        return f">= {lo}" if hi is None else f"<= {hi}" if lo is None else f"between {lo} and {hi}"

    def type_name(self) -> str:
        return self.kind or type(self.default).__name__


@dataclass
class Schema:
    """A pydantic model and, by dotted key, its leaves and sections (for messages and listings)."""

    model: type[BaseModel]
    leaves: dict[str, Leaf] = field(default_factory=dict)
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def validate(self, layer: Mapping[str, Any], source: str) -> dict[str, Any]:
        """The keys ``layer`` sets, typed and checked (ints widened to floats); errors name ``source``."""
        try:
            return self.model.model_validate(layer).model_dump(exclude_unset=True)
        except ValidationError as exc:
            raise ConfigError(explain(self, exc, source, layer)) from None

    def dump(self, values: Mapping[str, Any], source: str = "settings") -> dict[str, Any]:
        """Every setting: ``values`` over the defaults, as the nested dict the modules read."""
        try:
            return self.model.model_validate(values).model_dump()
        except ValidationError as exc:
            raise ConfigError(explain(self, exc, source, values)) from None


def _leaf_type(leaf: Leaf) -> Any:
    d = leaf.default
    if leaf.allowed is not None:
        choice: Any = Literal.__getitem__(leaf.allowed)  # Literal["a", "b"] from a tuple known at run time
        return list[choice] if isinstance(d, list) else choice
    lo, hi = leaf.bounds
    if isinstance(d, bool):
        return bool
    if isinstance(d, float):
        return Annotated[float, Field(ge=lo, le=hi), AfterValidator(_not_nan)]
    if isinstance(d, int):
        return Annotated[int, Field(ge=lo, le=hi)]
    if isinstance(d, list):
        return list[type(d[0])] if d else list[str]  # type: ignore[misc]
    return type(d)


def build(name: str, defaults: Mapping[str, Any], choices: Mapping[str, tuple[Any, ...]],
          ranges: Mapping[str, tuple[float | None, float | None]],
          meanings: Mapping[str, str] | None = None) -> Schema:
    """The model of ``defaults`` (a dict value is a section) with ``choices`` and ``ranges`` by dotted key."""
    schema = Schema(model=Strict)

    def section(model_name: str, table: Mapping[str, Any], prefix: str) -> type[BaseModel]:
        fields: dict[str, Any] = {}
        schema.sections[prefix.rstrip(".")] = tuple(table)
        for key, default in table.items():
            dotted = f"{prefix}{key}"
            if isinstance(default, dict):
                sub = section(f"{model_name}_{key}", default, f"{dotted}.")
                fields[key] = (sub, Field(default_factory=sub))
                continue
            leaf = Leaf(default, choices.get(dotted), ranges.get(dotted, (None, None)),
                        (meanings or {}).get(dotted, ""))
            schema.leaves[dotted] = leaf
            fields[key] = (_leaf_type(leaf), Field(default_factory=lambda d=default: copy.deepcopy(d)))
        return create_model(model_name, __base__=Strict, **fields)

    schema.model = section(name, defaults, "")
    return schema


def explain(schema: Schema, exc: ValidationError, source: str, given: Any) -> str:
    """The first error as one line: the layer, the dotted key, what is allowed."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    key, value = ".".join(loc), err.get("input")
    kind = err["type"]
    if kind == "missing" and key in schema.sections:  # a required section: name its first required key
        required = [k for k in schema.sections[key] if schema.leaves.get(f"{key}.{k}", Leaf(0)).kind]
        key = f"{key}.{required[0]}" if required else key
    if kind == "extra_forbidden":
        parent = ".".join(loc[:-1])
        known = ", ".join(sorted(schema.sections.get(parent, ()))) or "(none)"
        return f"{source}: unknown setting '{key}' — known here: {known}"
    if key in schema.sections and kind in ("model_type", "model_attributes_type", "dict_type"):
        first = schema.sections[key][0] if schema.sections[key] else "..."
        return f"{source}: '{key}' is a section; give keys under it, e.g. {key}.{first}=..."
    leaf = schema.leaves.get(key)
    if leaf is None:  # a required manifest key, or a section with no leaf metadata
        return f"{source}: '{key}': {err['msg']}"
    if kind == "missing" and leaf is not None:
        return f"{source}: missing required key '{key}' ({leaf.meaning})"
    if isinstance(value, float) and math.isnan(value):
        return f"{source}: '{key}' = nan is not a number lrl can compare with"
    if kind in ("literal_error", "enum") and leaf.allowed is not None:
        return f"{source}: '{key}' = {value!r} is not allowed — allowed: {', '.join(map(str, leaf.allowed))}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{source}: '{key}' = {value!r} is out of range — it must be {leaf.bound_text()}"
    if any(isinstance(p, int) for p in err["loc"]):
        return f"{source}: '{key}' must be a list of {_item_name(leaf)}, got the item {value!r}"
    like = f"({leaf.meaning})" if leaf.meaning else f"(like {leaf.default!r})"
    return f"{source}: '{key}' must be {leaf.type_name()} {like}, got {value!r}"


def _item_name(leaf: Leaf) -> str:
    d = leaf.default
    return type(d[0]).__name__ if isinstance(d, list) and d else "str"


def from_model(model: type[BaseModel]) -> Schema:
    """The :class:`Schema` of a hand-written model (the plugin manifest): leaves from its fields'
    defaults, ``Literal`` choices, ``ge``/``le`` bounds and descriptions."""
    from pydantic_core import PydanticUndefined

    schema = Schema(model=model)

    def walk(m: type[BaseModel], prefix: str) -> None:
        schema.sections[prefix.rstrip(".")] = tuple(m.model_fields)
        for key, info in m.model_fields.items():
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, f"{prefix}{key}.")
                continue
            required = info.default is PydanticUndefined and info.default_factory is None
            default = None if required else info.get_default(call_default_factory=True)
            allowed = tuple(getattr(ann, "__args__", ())) if getattr(ann, "__origin__", None) is Literal else None
            lo = next((x.ge for x in info.metadata if hasattr(x, "ge")), None)
            hi = next((x.le for x in info.metadata if hasattr(x, "le")), None)
            kind = getattr(ann, "__name__", str(ann)) if required else ""
            schema.leaves[f"{prefix}{key}"] = Leaf(default, allowed, (lo, hi), info.description or "", kind)

    walk(model, "")
    return schema


# --- the layers: command-line values, settings files, merging ------------------------------------------


def parse_value(text: str) -> Any:
    """A command-line value: a TOML literal if it parses as one (``3``, ``0.5``, ``true``,
    ``["a","b"]``), else the plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def deep_update(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_update(base[key], value)
        else:
            base[key] = value
    return base


def dotted_to_nested(pairs: dict[str, Any]) -> dict[str, Any]:
    """``{"filters.langid.min_chars": 9}`` → ``{"filters": {"langid": {"min_chars": 9}}}``."""
    nested: dict[str, Any] = {}
    for dotted, value in pairs.items():
        node = nested
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"command line: '{dotted}' conflicts with another setting")
        node[leaf] = value
    return nested


def load_file(path: Path, what: str = "config file") -> dict[str, Any]:
    """A TOML file as a dict; a missing, unreadable or malformed file is one ConfigError naming it (the
    run settings, a plugin's prompts.toml and the eval settings all read TOML through here)."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["a.b=1", "c=x"]`` → ``{"a.b": 1, "c": "x"}``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"command line: '{item}' is not key=value (e.g. templates.count=500)")
        out[key.strip()] = parse_value(value.strip())
    return out
