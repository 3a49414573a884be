"""Saved pipelines on disk: ``pipeline.json`` (the manifest, checked before anything is
allocated), ``weights.pt`` (size-capped, then read with ``torch.load(..., weights_only=True)``,
which never runs code from the file) and, for a hybrid, ``rules.pl`` (re-checked when loaded,
like any user's rule file)."""

from __future__ import annotations

import json
import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from compose.abduction.invented import MAX_SYMBOLS, SymbolTable, symbol_names
from compose.common.errors import CheckpointError
from compose.common.files import replacing, write_json, write_text
from environments.errors import clip
from environments.registry import specs
from environments.spec import GameSpec
from symbolic.reasoner import Reasoner

__all__ = [
    "CHECKPOINT_FORMAT",
    "MAX_WEIGHTS_BYTES",
    "Manifest",
    "game_named",
    "load_weights",
    "read_manifest",
    "rules_text",
    "save_checkpoint",
    "save_weights",
    "write_manifest",
]

CHECKPOINT_FORMAT = 2

# The largest weights.pt Neurocomp writes -- a monolithic "large" policy on KeyDoor-16x16,
# 8-pixel cells -- holds 13,232,565 bytes (torch 2.13; every registered game and pipeline kind
# measured). The cap leaves about five times that for larger games; a bigger file is no
# pipeline of ours and is refused before it is read, as is an archive whose records would
# unpack to more (torch allocates what a record declares).
MAX_WEIGHTS_BYTES = 64 * 1024 * 1024


def game_named(name: str) -> GameSpec:
    """A registered game's specification by its name (``keydoor``)."""
    for game in specs():
        if game.name == name:
            return game
    known = ", ".join(g.name for g in specs())
    raise CheckpointError(f"no registered game is named {name!r}; the games are {known}")


class SavedSymbols(BaseModel):
    """An autonomous hybrid's invented symbols (see ``compose.abduction.invented``)."""

    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(min_length=1, max_length=MAX_SYMBOLS)
    agents: dict[str, list[str]] = Field(default_factory=dict, max_length=MAX_SYMBOLS)
    background: str
    border: str = ""
    counts: dict[str, tuple[int, int]] = Field(default_factory=dict, max_length=MAX_SYMBOLS)

    @model_validator(mode="after")
    def _named(self) -> SavedSymbols:
        if self.names != list(symbol_names(len(self.names))):
            raise ValueError("symbols are named k0, k1, ... in order")
        held = {h for items in self.agents.values() for h in items}
        used = {
            self.background,
            *self.agents,
            *held,
            *self.counts,
            *([self.border] * bool(self.border)),
        }
        if any(not 0 <= low <= high <= 1 for low, high in self.counts.values()):
            raise ValueError("counts are (fewest, most) cells of a symbol on a screen: 0 or 1")
        if not used <= set(self.names):
            raise ValueError(f"{sorted(used - set(self.names))[:3]} are not among its symbols")
        return self

    def table(self) -> SymbolTable:
        agents = {name: tuple(held) for name, held in self.agents.items()}
        counts = {name: (low, high) for name, (low, high) in self.counts.items()}
        return SymbolTable(tuple(self.names), agents, self.background, self.border, counts)


class Manifest(BaseModel):
    """``pipeline.json``: what built a saved pipeline, checked before anything is allocated."""

    model_config = ConfigDict(extra="ignore")

    format: int
    game: str = Field(max_length=64)
    kinds: list[str] = Field(max_length=256)
    kind: Literal["hybrid", "monolithic", "ppo"]
    tile: int = Field(ge=4, le=32)
    search: str | None = Field(None, max_length=64)
    size: str | None = Field(None, max_length=64)
    grid: tuple[int, int] | None = None
    supervision: Literal["labels", "abduced", "legend"] = "labels"
    rules: Literal["written", "induced"] = "written"
    augment: Literal["symmetry", "colour", "both"] | None = None
    inputs: Literal["pixels", "symbols"] = "pixels"
    training: Literal["bc", "dagger", "distilled"] = "bc"
    target: Literal["action", "grid"] = "action"
    perception: Literal["linear", "conv"] = "linear"
    symbols: SavedSymbols | None = None  # an autonomous hybrid's invented kinds
    # ... and the true kind each most often covered (measured, for audits; never played by)
    translation: dict[str, list[str]] | None = Field(None, max_length=MAX_SYMBOLS)

    @field_validator("grid")
    @classmethod
    def _grid(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and not all(1 <= n <= 64 for n in v):
            raise ValueError("a grid side is from 1 to 64 cells")
        return v


def read_manifest(directory: Path) -> Manifest:
    """The checked ``pipeline.json`` of a saved pipeline (CheckpointError if it is not one)."""
    path = directory / "pipeline.json"
    if not path.is_file():
        raise CheckpointError(f"{directory} holds no saved pipeline (pipeline.json is missing)")
    if path.stat().st_size > 1_000_000:
        raise CheckpointError(f"{path}: {path.stat().st_size:,} bytes is not a pipeline.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise CheckpointError(f"{path} is not JSON ({e}); save the pipeline again") from None
    if not isinstance(data, dict):
        raise CheckpointError(
            f"{path} must hold a table of settings, not a {type(data).__name__}; save the "
            "pipeline again"
        )
    if data.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path}: unsupported checkpoint format {clip(data.get('format'))} "
            f"(this Neurocomp reads format {CHECKPOINT_FORMAT}); train and save it again"
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(map(str, first["loc"])) or "pipeline.json"
        got = f" (got {clip(first['input'])})" if first["type"] != "missing" else ""
        raise CheckpointError(
            f"{path}: {where}: {first['msg']}{got}; save the pipeline again"
        ) from None


def write_manifest(directory: Path, game: GameSpec, data: dict[str, Any]) -> None:
    head = {"format": CHECKPOINT_FORMAT, "game": game.name, "kinds": list(game.kind_names)}
    write_json(directory / "pipeline.json", {**head, **data})


def save_weights(module: torch.nn.Module, directory: Path) -> None:
    with replacing(directory / "weights.pt") as tmp:
        torch.save(module.state_dict(), tmp)


def rules_text(reasoner: Reasoner) -> str:
    if reasoner.rules.text is not None:  # rules given as text (learned ones)
        return reasoner.rules.text
    source = Path(reasoner.rules.source)
    if not source.is_file():
        raise CheckpointError(f"the rules ({reasoner.rules.source}) are not a file to save")
    return source.read_text(encoding="utf-8")


def save_checkpoint(
    directory: str | Path,
    game: GameSpec,
    module: torch.nn.Module,
    settings: dict[str, Any],
    reasoner: Reasoner | None = None,
) -> Path:
    """Save a pipeline: its network's weights, its manifest (``settings`` after the game's
    name and kinds) and, for one that reasons, its rule file. Returns the directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if reasoner is not None:
        write_text(directory / "rules.pl", rules_text(reasoner))
    save_weights(module, directory)
    write_manifest(directory, game, settings)
    return directory


def load_weights(module: torch.nn.Module, directory: Path) -> None:
    """Load ``directory/weights.pt`` into ``module``; anything but plain tensors that fit it is
    refused, and so is a file larger than :data:`MAX_WEIGHTS_BYTES`, before it is read."""
    path = directory / "weights.pt"
    where = f"cannot load the pipeline in {directory}: weights.pt"
    _check_weights_file(path, where)
    try:
        with warnings.catch_warnings():  # torch's advice on pickle protocols is not ours
            warnings.simplefilter("ignore", UserWarning)
            state = torch.load(path, weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as e:
        wanted = re.search(r"GLOBAL (\S+)", str(e))
        raise CheckpointError(
            f"{where} holds something other than plain tensors"
            + (f" (it asks for {wanted.group(1)})" if wanted else "")
            + f". {_NO_CODE}; save the pipeline again"
        ) from None
    except (EOFError, RuntimeError, ValueError, OSError) as e:
        raise CheckpointError(
            f"{where} is damaged ({_first_line(e)}); save the pipeline again"
        ) from None
    _check_fit(module, state, where)
    module.load_state_dict(state)


_NO_CODE = (
    "Neurocomp reads weights with torch.load(weights_only=True), which never runs code from "
    "the file, and refuses anything else"
)


def _check_weights_file(path: Path, where: str) -> None:
    """Refuse a weights file that is no file, is too large, is not in the zip format of
    ``torch.save`` or would unpack to too much -- looking at its size and zip directory only."""
    if not path.is_file():
        what = "is not a regular file" if path.exists() else "is missing"
        raise CheckpointError(f"{where} {what}; save the pipeline again")
    size = path.stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(
            f"{where} holds {size:,} bytes, more than any Neurocomp pipeline saves (at most "
            f"{MAX_WEIGHTS_BYTES:,}), so it was not read; save the pipeline again with "
            "`neurocomp run --save`"
        )
    if not zipfile.is_zipfile(path):  # the format torch.save has written since torch 1.6
        raise CheckpointError(
            f"{where} is not a weights file written by torch.save. {_NO_CODE}; save the "
            "pipeline again"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CheckpointError(
            f"{where} is damaged ({_first_line(e)}); save the pipeline again"
        ) from None
    if unpacked > MAX_WEIGHTS_BYTES:
        raise CheckpointError(
            f"{where} would unpack to {unpacked:,} bytes, more than any Neurocomp pipeline "
            f"saves (at most {MAX_WEIGHTS_BYTES:,}), so it was not loaded; save the pipeline "
            "again with `neurocomp run --save`"
        )


def _check_fit(module: torch.nn.Module, state: object, where: str) -> None:
    """Refuse weights that are not the tensors ``module`` has, saying which do not fit."""
    if not isinstance(state, dict):
        raise CheckpointError(
            f"{where} holds a {type(state).__name__}, not a network's weights; save the "
            "pipeline again"
        )
    expected = module.state_dict()
    missing = [name for name in expected if name not in state]
    unexpected = [str(name) for name in state if name not in expected]
    reshaped = [
        name
        for name, tensor in expected.items()
        if name in state
        and (not isinstance(state[name], torch.Tensor) or state[name].shape != tensor.shape)
    ]
    problems = [
        f"{label} {_few(names)}"
        for label, names in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("of another shape", reshaped),
        )
        if names
    ]
    if problems:
        raise CheckpointError(
            f"{where} does not fit the network pipeline.json describes ({'; '.join(problems)}); "
            "save the pipeline again"
        )


def _few(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _first_line(error: BaseException, limit: int = 160) -> str:
    lines = str(error).strip().splitlines()
    line = lines[0] if lines else type(error).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"
