"""What the networks are and how they learn, in names and numbers only (no torch): the sizes of
the monolithic sweep, the augmentations a learner may be trained with, and the trainer's knobs.
An experiment's configuration and the command line read these without loading torch."""

from __future__ import annotations

import os
from dataclasses import dataclass

from environments.errors import MemoryCeilingError, clip
from environments.spec import GameSpec

__all__ = [
    "AUGMENTS",
    "MEMORY_CEILING_GIB",
    "POLICY_NAMES",
    "POLICY_SIZES",
    "TrainConfig",
    "augment_parts",
    "check_memory",
    "colour_refusal",
    "colour_words",
    "memory_ceiling",
]

# Sizes of the monolithic sweep; parameter counts are for an 8x8 grid with 8-pixel tiles.
POLICY_SIZES: dict[str, dict[str, int]] = {
    "small": {"width": 16, "depth": 2, "hidden": 0},  # ~11k parameters
    "medium": {"width": 32, "depth": 3, "hidden": 32},  # ~100k
    "large": {"width": 64, "depth": 4, "hidden": 192},  # ~1M
}
POLICY_NAMES = (*POLICY_SIZES, "pooled")  # every size a monolithic pipeline can have

# What a learner may be trained with, and the suffix its label takes.
AUGMENTS: dict[str, str] = {"symmetry": "sym", "colour": "colour", "both": "aug"}


def augment_parts(augment: str | None) -> tuple[bool, bool]:
    """``(symmetry, colour)`` of an ``augment`` setting (None: neither)."""
    if augment is not None and augment not in AUGMENTS:
        raise ValueError(f"augment must be one of {', '.join(AUGMENTS)}, not {augment!r}")
    return augment in ("symmetry", "both"), augment in ("colour", "both")


def colour_refusal(game: GameSpec, targets: str = "cells") -> str | None:
    """Why colour augmentation cannot train a learner of ``game`` whose ``targets`` are
    ``cells`` (perception) or ``actions`` (a policy), or None if it can."""
    if not game.coloured_kinds:
        return None
    if not game.colours:
        return (
            f"colour augmentation would erase {game.title}'s kinds that differ in colour only "
            '(e.g. a red and a blue key); use augment = "symmetry" or none'
        )
    if targets != "cells":
        return (
            f"{game.title}'s kinds differ in colour only (e.g. a red and a blue key): colours "
            "are swapped with the kinds of perception's cells, which a policy's screens do not "
            'name; use augment = "symmetry" or none'
        )
    return None


def colour_words(game: GameSpec | None) -> str:
    """The ledger's words for colour augmentation of a learner of ``game``."""
    if game is not None and game.coloured_kinds:
        return "the game's colours swapped between cells, each cell's kind with its colour"
    return "random colour maps"


# What one learner may take in memory, refused before it is allocated: the screens of its
# demonstrations and, for a network, its weights with what training adds to them. The
# environment variable NEUROCOMP_MEMORY_GIB sets another ceiling.
MEMORY_CEILING_GIB = 8.0
TRAIN_BYTES_PER_PARAMETER = 16  # float32 weights, gradients and Adam's two moments


def memory_ceiling() -> float:
    """The ceiling in bytes (``NEUROCOMP_MEMORY_GIB``, else ``MEMORY_CEILING_GIB``)."""
    text = os.environ.get("NEUROCOMP_MEMORY_GIB", "")
    try:
        gib = float(text) if text else MEMORY_CEILING_GIB
    except ValueError:
        gib = -1.0
    if not gib > 0:
        raise MemoryCeilingError(
            f"NEUROCOMP_MEMORY_GIB must be a positive number of GiB, not {clip(text)}"
        )
    return gib * 2**30


def check_memory(needed: float, what: str) -> None:
    """Refuse ``what`` if it ``needed`` more bytes than the ceiling allows."""
    ceiling = memory_ceiling()
    if needed > ceiling:
        raise MemoryCeilingError(
            f"{what} would need {_gib(needed)} GiB, over the ceiling of {_gib(ceiling)} GiB; "
            "use a smaller size or budget, or raise the ceiling with NEUROCOMP_MEMORY_GIB"
        )


def _gib(n: float) -> str:
    gib = n / 2**30
    return f"{gib:,.1f}" if gib >= 1 else f"{gib:.2g}"


@dataclass(frozen=True)
class TrainConfig:
    """How to train; one line per knob."""

    learning_rates: tuple[float, ...] = (3e-3, 1e-3)  # tried in turn; best on validation wins
    max_steps: int = 1500  # optimizer steps per learning rate, at most
    eval_every: int = 25  # steps between validation checks
    patience: int = 6  # validation checks without improvement before stopping
    min_steps: int = 0  # no early stop before this many steps (augmented data learns slower)
    # At least this many passes over the training rows: where they ask for more steps than
    # max_steps, max_steps and min_steps grow in proportion (augmented data at large budgets).
    min_epochs: float = 0.0
    batch_size: int = 64
    weight_decay: float = 1e-4
    val_fraction: float = 0.2  # share of episodes (frames, when there is one) held out
    balance_classes: bool = False  # weight the loss by inverse class frequency
    # Validate on augmented copies of the validation data (``VAL_COPIES`` of each row, one
    # fixed draw): for a learner whose augmentation is the point (reading unseen colours),
    # plain validation data is solved early and stops training too soon.
    augment_validation: bool = False
    # Once every validation row is right, this many more checks, then stop: only the loss can
    # still improve, i.e. the network grows more confident in answers it already gets right.
    # A learning rate that got there ends the search too (a later one can only tie). None:
    # train until ``patience`` checks bring no progress, whatever the accuracy.
    settle: int | None = 4
    seed: int = 0
