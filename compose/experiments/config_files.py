"""Reading an experiment config: the defaults, then a preset, then a TOML, YAML or JSON file,
then overrides (the CLI's flags), into one :class:`~compose.experiments.config.ExperimentConfig`.

A file is read with limits (its size, what its YAML aliases expand to), and a bad value is
blamed on where it came from, e.g. ``my.toml: budgets[1]: must be at least 1 (got -3)`` or
``--budgets``.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from compose.common.errors import ConfigError
from compose.experiments.config import PRESETS, ExperimentConfig, SplitSpec, TrainSettings, runnable
from compose.pipelines.spec import PipelineSpec
from environments.errors import clip

__all__ = ["MAX_CONFIG_BYTES", "MAX_YAML_VALUES", "load_config"]

MAX_CONFIG_BYTES = 1_000_000  # a config is a page of settings, not a data set
MAX_YAML_VALUES = 100_000  # values a YAML document may expand to through its aliases


def load_config(
    path: Path | None = None,
    preset: str | None = None,
    *,
    from_flags: bool = False,
    **overrides: Any,
) -> ExperimentConfig:
    """Defaults, then a preset, then a TOML/YAML/JSON file, then ``overrides`` (not None).

    A bad value is blamed on where it came from: the file for a setting written there, the
    override for one given here (as the flag ``--budgets`` when ``from_flags``: the CLI's).
    """
    if preset is not None and preset not in PRESETS:
        raise ConfigError(f"unknown preset {clip(preset)}; choose one of {sorted(PRESETS)}")
    data: dict[str, Any] = dict(PRESETS[preset]) if preset else {}
    chosen = False  # pipelines written by the user, not by a preset or the defaults
    if path is not None:
        written = _read(Path(path))
        chosen = "pipelines" in written
        data.update(written)
    given = {k for k, v in overrides.items() if v is not None}
    data.update({k: overrides[k] for k in given})
    flagged = {f"--{k}" if from_flags else k: k for k in given}
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_explain(e, path, flagged)) from None
    if not chosen and "pipelines" not in given:  # leave out what cannot play this game
        config = config.model_copy(
            update={"pipelines": runnable(config.pipelines, config.env, config.view)}
        )
    try:
        config.check()
    except ConfigError as e:
        field = re.split(r"[:\[.]", str(e), maxsplit=1)[0]
        raise ConfigError(_blame(field, path, flagged) + str(e).removeprefix(field)) from None
    return config


def _blame(field: str, path: Path | None, given: dict[str, str]) -> str:
    """Where a bad setting came from: ``--budgets`` (a flag), ``budgets`` (an override) or
    ``FILE: budgets`` (the config file)."""
    for label, name in given.items():
        if name == field:
            return label.replace("_", "-")
    return f"{path}: {field}" if path is not None else field


def _read(path: Path) -> dict[str, Any]:
    """A config file's settings; too large, not UTF-8, malformed or explosive files are
    refused before their values are looked at."""
    if not path.is_file():
        raise ConfigError(f"config file {clip(str(path))} does not exist")
    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path}: {size:,} bytes is too large for a config (at most {MAX_CONFIG_BYTES:,})"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start})"
        ) from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = _load_yaml(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise ConfigError(
                f"{path}: use a .toml, .yaml, .yml or .json file (got {clip(suffix)})"
            )
    except (tomllib.TOMLDecodeError, yaml.YAMLError, json.JSONDecodeError) as e:
        message = " ".join(str(e).split())
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()}: {message[:300]}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nests values too deeply to be a config") from None
    except ValueError as e:  # the YAML alias bound
        raise ConfigError(f"{path}: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a table of settings")
    return data


# The C loader parses about 20 times faster; the pure-Python one is the fallback.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str) -> Any:
    """Safe YAML whose aliases cannot multiply it: the node graph is counted, with every
    alias expanded, before any value is built (a "billion laughs" document stops here)."""
    node = yaml.compose(text, Loader=_YAML_LOADER)
    if node is None:
        return {}
    sizes: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        if id(n) not in sizes:
            sizes[id(n)] = 0  # a cycle counts once
            children: list[yaml.Node] = []
            if isinstance(n, yaml.SequenceNode):
                children = list(n.value)
            elif isinstance(n, yaml.MappingNode):
                children = [x for pair in n.value for x in pair]
            total = 1
            for child in children:
                total += size(child)
                if total > MAX_YAML_VALUES:
                    break
            sizes[id(n)] = total
        return sizes[id(n)]

    if size(node) > MAX_YAML_VALUES:
        raise ValueError(
            f"its aliases expand to more than {MAX_YAML_VALUES:,} values; a config has no "
            "need of that many (a 'billion laughs' document?)"
        )
    return yaml.load(text, Loader=_YAML_LOADER)


def _explain(error: ValidationError, path: Path | None, flagged: dict[str, str]) -> str:
    lines = []
    for item in error.errors():
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"]).lstrip(
            "."
        )
        top = str(item["loc"][0]) if item["loc"] else ""
        message = item["msg"].removeprefix("Value error, ")
        got = (
            f" (got {clip(item['input'])})" if "input" in item and item["type"] != "missing" else ""
        )
        if item["type"] == "extra_forbidden":
            message, got = "unknown setting" + _suggest(item["loc"]), ""
        if "(got" in message or isinstance(item.get("input"), dict):
            got = ""
        where = (
            _blame(top, path, flagged) + field.removeprefix(top)
            if top
            else (f"{path}: config" if path else "config")
        )
        lines.append(f"{where}: {message}{got}")
    if len(lines) == 1:
        return f"invalid experiment config: {lines[0]}"
    return "invalid experiment config:\n  " + "\n  ".join(lines)


def _suggest(loc: tuple[Any, ...]) -> str:
    """`; did you mean 'budgets'?` for a misspelt setting."""
    model: type[BaseModel] = ExperimentConfig
    nested = {"train": TrainSettings, "pipelines": PipelineSpec, "splits": SplitSpec}
    if len(loc) > 1 and loc[0] in nested:
        model = nested[loc[0]]
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else " (check the spelling)"
