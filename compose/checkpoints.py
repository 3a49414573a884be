"""Saved pipelines on disk: ``pipeline.json`` (the manifest, checked before anything is
allocated), ``weights.pt`` (read with ``torch.load(..., weights_only=True)``, which never runs
code from the file) and, for a hybrid, ``rules.pl`` (re-checked when loaded)."""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from compose.errors import CheckpointError
from compose.files import replacing, write_json, write_text
from environments.errors import clip
from environments.registry import games
from environments.spec import GameSpec
from symbolic.reasoner import Reasoner

__all__ = [
    "CHECKPOINT_FORMAT",
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


def game_named(name: str) -> GameSpec:
    """A registered game's specification by its name (``keydoor``)."""
    for game in games():
        if game.name == name:
            return game
    known = ", ".join(g.name for g in games())
    raise CheckpointError(f"no registered game is named {name!r}; the games are {known}")


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
    augment: Literal["symmetry", "colour", "both"] | None = None
    inputs: Literal["pixels", "symbols"] = "pixels"
    training: Literal["bc", "dagger", "distilled"] = "bc"
    target: Literal["action", "grid"] = "action"
    perception: Literal["linear", "conv"] = "linear"

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
    """Load ``directory/weights.pt`` into ``module``; anything but plain tensors is refused."""
    try:
        with warnings.catch_warnings():  # torch's advice on pickle protocols is not ours
            warnings.simplefilter("ignore", UserWarning)
            state = torch.load(directory / "weights.pt", weights_only=True, map_location="cpu")
    except (pickle.UnpicklingError, EOFError) as e:
        raise CheckpointError(
            f"cannot load the pipeline in {directory}: weights.pt holds something other "
            "than plain tensors (or is cut short). Neurocomp reads weights with "
            "torch.load(weights_only=True), which never runs code from the file, and "
            f"refuses anything else ({type(e).__name__}); save the pipeline again"
        ) from None
    module.load_state_dict(state)
