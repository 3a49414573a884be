"""What a pipeline is, as data: one :class:`PipelineSpec` per pipeline, the names ``neurocomp run
--pipeline`` takes, the labels the report prints, and a line describing each name. The single
description of a pipeline's shape: a pipeline carries its spec, its checkpoint stores it, the
report reads it. Imports neither torch nor any learner, so the command line reads it at once.
"""

from __future__ import annotations

import difflib
import itertools
from functools import cache
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from environments.errors import clip
from neural.settings import AUGMENTS, POLICY_NAMES

__all__ = [
    "DESCRIPTIONS",
    "PIPELINE_KINDS",
    "PIPELINE_NAMES",
    "VARIANTS",
    "PipelineSpec",
    "Strict",
    "pipeline_fields",
    "pipeline_labels",
    "shares_training",
    "spec_named",
    "spec_of",
]

PipelineKind = Literal["hybrid", "monolithic", "ppo", "oracle"]
PIPELINE_KINDS: tuple[str, ...] = get_args(PipelineKind)
Supervision = Literal["labels", "abduced", "legend"]
Inputs = Literal["pixels", "symbols"]
Training = Literal["bc", "dagger", "distilled"]
Augment = Literal["symmetry", "colour", "both"]
Perception = Literal["linear", "conv"]
Rules = Literal["written", "induced"]
Target = Literal["action", "grid"]
# What `neurocomp run --pipeline` takes: the kinds, and their variants by name.
VARIANTS: dict[str, dict[str, Any]] = {
    "hybrid-abduced": {"kind": "hybrid", "supervision": "abduced"},
    "hybrid-legend": {"kind": "hybrid", "supervision": "legend"},
    "hybrid-induced": {"kind": "hybrid", "rules": "induced"},
    "hybrid-autonomous": {"kind": "hybrid", "supervision": "abduced", "rules": "induced"},
    "hybrid-sym": {"kind": "hybrid", "augment": "symmetry"},
    "hybrid-aug": {"kind": "hybrid", "augment": "both"},
    "hybrid-colour": {"kind": "hybrid", "augment": "colour"},
    "hybrid-conv": {"kind": "hybrid", "perception": "conv"},
    "hybrid-conv-colour": {"kind": "hybrid", "perception": "conv", "augment": "colour"},
    "hybrid-conv-aug": {"kind": "hybrid", "perception": "conv", "augment": "both"},
    "monolithic-sym": {"kind": "monolithic", "augment": "symmetry"},
    "monolithic-aug": {"kind": "monolithic", "augment": "both"},
    "monolithic-symbolic": {"kind": "monolithic", "inputs": "symbols"},
    "monolithic-dagger": {"kind": "monolithic", "training": "dagger"},
    "monolithic-distilled": {"kind": "monolithic", "training": "distilled"},
    "monolithic-grid": {"kind": "monolithic", "target": "grid"},
}
PIPELINE_NAMES: tuple[str, ...] = (
    "oracle",
    "hybrid",
    *(v for v in VARIANTS if v.startswith("hybrid-")),
    "monolithic",
    *(v for v in VARIANTS if v.startswith("monolithic-")),
    *(k for k in PIPELINE_KINDS if k not in ("oracle", "hybrid", "monolithic")),
)
# What a field left unset means (a label leaves it out; so does a name's spec).
FIELD_DEFAULTS: dict[str, str] = {
    "supervision": "labels",
    "rules": "written",
    "perception": "linear",
    "inputs": "pixels",
    "training": "bc",
    "target": "action",
}


class Strict(BaseModel):
    """A model that refuses unknown fields and never changes once made."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PipelineSpec(Strict):
    """One pipeline of the comparison. ``kind`` may also name the whole pipeline as ``neurocomp
    run --pipeline`` does (``hybrid-abduced``) or as the report labels it (``mono-small-dagger``):
    the same pipeline as its fields written out."""

    kind: PipelineKind
    size: str | None = Field(None, description="monolithic only: network size")
    supervision: Supervision | None = Field(
        None,
        description=(
            "hybrid only: how perception learns -- true cell labels (default), none at all "
            "(abduced from actions and rules), or one labelled cell per kind (legend)"
        ),
    )

    augment: Augment | None = Field(
        None,
        description=(
            "train on augmented screens: the board's symmetries (symmetry: actions remapped, "
            "or facing kinds turned), random colour maps (colour), or both (true means both)"
        ),
    )
    rules: Rules | None = Field(
        None,
        description=(
            "hybrid only: the game's rule file as written (written, default), or rules learned "
            "from the demonstrations and the pipeline's own play (induced)"
        ),
    )
    perception: Perception | None = Field(
        None,
        description=(
            "hybrid only: what reads each cell -- one linear layer (linear, default; fast, "
            "bound to the colours it saw) or a small convolutional network (conv; with colour "
            "augmentation it reads palettes it never saw)"
        ),
    )
    inputs: Inputs | None = Field(
        None, description="monolithic only: read the screen (pixels, default) or the true grid"
    )
    training: Training | None = Field(
        None,
        description=(
            "monolithic only: behaviour cloning (bc, default), DAgger (the expert labels the "
            "states the network visits) or distillation from a labelled hybrid"
        ),
    )

    target: Target | None = Field(
        None,
        description=(
            "monolithic only: what the network outputs -- the next action (action, default) "
            "or, where actions write values into cells, the filled grid (grid), trained on the "
            "cells the expert writes only"
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        """``kind = "hybrid-abduced"`` (a name ``run`` takes, or a label of the report) means
        the fields it stands for; a field also written must agree with them. A name alone
        (``"mono-small"``) is ``{kind = "mono-small"}``."""
        if isinstance(data, str):
            data = {"kind": data}
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            return data
        if data["kind"] in PIPELINE_KINDS:
            return data
        named = pipeline_fields(data["kind"], data.get("size"))
        for name, value in data.items():  # a field the name does not set is left as written
            if name != "kind" and value is not None and named.get(name, value) != value:
                raise ValueError(
                    f"kind {data['kind']!r} means {name} = {named[name]!r}, not {clip(value)}"
                )
        return {**data, **named}

    @field_validator("augment", mode="before")
    @classmethod
    def _both(cls, v: Any) -> Any:
        return {True: "both", False: None}.get(v, v) if isinstance(v, bool) else v

    @field_validator("size")
    @classmethod
    def _known_size(cls, v: str | None) -> str | None:
        if v is not None and v not in POLICY_NAMES:
            raise ValueError(f"size must be one of {', '.join(POLICY_NAMES)}")
        return v

    @model_validator(mode="after")
    def _size_only_for_monolithic(self) -> PipelineSpec:
        if self.kind == "monolithic" and self.size is None:
            raise ValueError("a monolithic pipeline needs a size: small, medium, large or pooled")
        if self.kind != "monolithic" and self.size is not None:
            raise ValueError(f"size applies to monolithic pipelines only, not {self.kind}")
        for name in ("supervision", "perception", "rules"):
            if self.kind != "hybrid" and getattr(self, name) is not None:
                raise ValueError(f"{name} applies to hybrid pipelines only, not {self.kind}")
        for name in ("inputs", "training", "target"):
            if self.kind != "monolithic" and getattr(self, name) is not None:
                raise ValueError(f"{name} applies to monolithic pipelines only, not {self.kind}")
        if self.augment and self.kind not in ("hybrid", "monolithic"):
            raise ValueError(f"augment applies to hybrid and monolithic pipelines, not {self.kind}")
        return self

    @property
    def label(self) -> str:
        """As the pipeline itself names it (``mono-medium-symbolic-aug-dagger``)."""
        parts = [self.kind]
        if self.kind == "monolithic":
            parts = [f"mono-{self.size}"] + (["symbolic"] if self.inputs == "symbols" else [])
        if self.kind == "hybrid" and self.supervision == "abduced" and self.rules == "induced":
            parts.append("autonomous")  # perception and rules learned together
        elif self.kind == "hybrid" and self.supervision not in (None, "labels"):
            parts.append(str(self.supervision))
        if self.kind == "hybrid" and self.rules == "induced" and self.supervision != "abduced":
            parts.append("induced")
        if self.kind == "hybrid" and self.perception == "conv":
            parts.append("conv")
        parts += [AUGMENTS[self.augment]] if self.augment else []
        parts += [self.training] if self.training not in (None, "bc") else []
        parts += ["grid"] if self.target == "grid" else []
        return "-".join(parts)

    @classmethod
    def of(cls, kind: str, **fields: Any) -> PipelineSpec:
        """The spec of a pipeline built with ``fields``, each left unset where it is unset or
        at its default (as a name's spec leaves it), so that it is equal to the spec that
        names the same pipeline."""
        kept = {k: v for k, v in fields.items() if v is not None and v != FIELD_DEFAULTS.get(k)}
        return cls(kind=kind, **kept)

    def key_fields(self) -> dict[str, Any]:
        """What identifies this pipeline's results: every field that is set (a field added
        later and left unset keeps older results resumable)."""
        shape = self.model_dump()
        return {k: v for k, v in shape.items() if k in ("kind", "size") or v}

    @property
    def imitates(self) -> bool:
        """Learns from demonstrations (the hybrid, the monolithic networks)."""
        return self.kind in ("hybrid", "monolithic")


def spec_named(name: str, size: str | None = None) -> PipelineSpec:
    """The pipeline ``neurocomp run --pipeline NAME [--size SIZE]`` means (or a report label,
    see :func:`pipeline_fields`)."""
    return PipelineSpec(**pipeline_fields(name, size))


def pipeline_fields(name: str, size: str | None = None) -> dict[str, Any]:
    """The :class:`PipelineSpec` fields a pipeline's name stands for: a name that ``neurocomp
    run --pipeline`` takes (``monolithic-dagger``: a medium network unless ``size`` says
    otherwise) or a label the report prints (``mono-small-dagger``, ``hybrid-abduced-conv``).
    Raises ValueError, with close names, for any other name."""
    if name in PIPELINE_NAMES:
        fields = dict(VARIANTS.get(name, {"kind": name}))
        if fields["kind"] == "monolithic":
            fields["size"] = size or "medium"
        return fields
    labelled = pipeline_labels().get(name)
    if labelled is not None:
        if size is not None and labelled.get("size") != size:
            raise ValueError(f"{name!r} means size = {labelled['size']!r}, not {clip(size)}")
        return dict(labelled)
    known = dict.fromkeys([*PIPELINE_NAMES, *pipeline_labels()])  # the names first
    close = difflib.get_close_matches(name, list(known), n=3)
    if close:
        hint = f"did you mean {' or '.join(map(repr, close))}?"
    else:
        hint = f"name one of {', '.join(PIPELINE_NAMES)}, or a label of the report (mono-small)"
    raise ValueError(f"unknown pipeline {clip(name)}; {hint}")


def spec_of(label: str) -> PipelineSpec | None:
    """The pipeline a report label names (``mono-small-dagger``), or None for a label no
    pipeline of the toolkit has."""
    fields = pipeline_labels().get(label)
    return None if fields is None else PipelineSpec(**fields)


@cache
def pipeline_labels() -> dict[str, dict[str, Any]]:
    """Every label a pipeline can have (``PipelineSpec.label``), with the fields that make it:
    every combination of the kinds' options, each option left unset when it is its default."""
    options: dict[str, tuple[tuple[str, tuple[Any, ...]], ...]] = {
        "hybrid": (
            ("supervision", get_args(Supervision)),
            ("rules", get_args(Rules)),
            ("perception", get_args(Perception)),
            ("augment", get_args(Augment)),
        ),
        "monolithic": (
            ("size", POLICY_NAMES),
            ("inputs", get_args(Inputs)),
            ("augment", get_args(Augment)),
            ("training", get_args(Training)),
            ("target", get_args(Target)),
        ),
    }
    labels: dict[str, dict[str, Any]] = {}
    for kind in PIPELINE_KINDS:
        fields = options.get(kind, ())
        # an option at its default is left unset (None); a size is always given
        choices = [
            list(values)
            if name == "size"
            else [None, *(v for v in values if v != FIELD_DEFAULTS.get(name))]
            for name, values in fields
        ]
        for values in itertools.product(*choices):
            spec = {"kind": kind} | {
                name: v for (name, _), v in zip(fields, values, strict=True) if v is not None
            }
            label = PipelineSpec(**spec).label
            assert label not in labels, f"two pipelines are labelled {label}"
            labels[label] = spec
    return labels


# Each name's line in `run --help` and `compare --help`.
DESCRIPTIONS: dict[str, str] = {
    "oracle": "learns nothing: the true scene through the game's rules (an upper bound)",
    "hybrid": "perception learns each cell's kind from labelled cells; the game's Prolog rules "
    "plan",
    "hybrid-abduced": "as hybrid with no cell label: the kinds are abduced from the expert's "
    "actions and the rules",
    "hybrid-legend": "as hybrid-abduced, plus one labelled cell per kind",
    "hybrid-induced": "as hybrid, with no game rule written: its rules are learned from the "
    "demonstrations and its own play",
    "hybrid-autonomous": "no cell label and no game rule: cells named by appearance (k0, k1, "
    "...), rules learned over those names from the demonstrations and its own play",
    "hybrid-sym": "as hybrid, perception trained on the board's symmetries",
    "hybrid-aug": "as hybrid, perception trained on the symmetries and random colour maps",
    "hybrid-colour": "as hybrid, perception trained on random colour maps (where kinds are "
    "named by colour, as MiniGrid's: the game's colours swapped between cells, kinds with them)",
    "hybrid-conv": "as hybrid, each cell read by a small convolutional network",
    "hybrid-conv-colour": "as hybrid-conv, trained on random colour maps: it reads palettes it "
    "never saw",
    "hybrid-conv-aug": "as hybrid-conv, trained on the symmetries and random colour maps",
    "monolithic": "one network from screen to action, cloning the expert (--size: small, medium, "
    "large or pooled)",
    "monolithic-sym": "as monolithic, plus the board's symmetries (actions remapped)",
    "monolithic-aug": "as monolithic, plus the symmetries and random colour maps",
    "monolithic-symbolic": "as monolithic, reading the true grid of kinds instead of the screen",
    "monolithic-dagger": "as monolithic, then 3 rounds of DAgger: the expert labels the states "
    "it visits",
    "monolithic-distilled": "as monolithic, cloning a labelled hybrid's actions on 200 fresh "
    "levels",
    "monolithic-grid": "where actions write values into cells (VisualSudoku): the screen "
    "straight to the filled grid",
    "ppo": "Stable-Baselines3 PPO from the game's reward alone (its budget: --frames)",
}


def shares_training(spec: PipelineSpec) -> bool:
    """Whether one training run serves every budget of ``spec`` (PPO: a run to the largest
    frame budget, its policy kept at each smaller one, is the run of each budget alone)."""
    return spec.kind == "ppo"
