"""One supervised trainer for every network: seeded, validated, early-stopped, lr chosen on
validation data only.

The same loop trains the perception module (screens → per-cell kinds) and the monolithic
policies (screens → expert actions, i.e. behaviour cloning): ``F.cross_entropy`` accepts both
``(B, K)`` logits with ``(B,)`` targets and ``(B, K, H, W)`` logits with ``(B, H, W)`` targets.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neural.augment import Augment
from neural.modules import to_input
from neural.settings import TrainConfig

__all__ = ["TrainConfig", "TrainResult", "fit", "split_by_episode", "step_budget"]

MIN_LOSS_GAIN = 0.05  # a relative drop in validation loss smaller than this is no progress
PERFECT = 1 - 1e-9  # a validation accuracy this high leaves nothing to win but confidence
PRECOMPUTE_BYTES = 512 * 2**20  # training inputs up to this size are converted once, not per batch
IGNORE = -100  # a target cross-entropy skips (a cell with nothing to learn), as F's default
VAL_COPIES = 4  # augmented copies of each validation row, with ``augment_validation``


@dataclass
class TrainResult:
    """The best model found and how it was found."""

    model: nn.Module
    learning_rate: float
    val_loss: float
    val_accuracy: float
    steps: int
    seconds: float
    train_size: int
    val_size: int
    val_loss_by_lr: dict[float, float] = field(default_factory=dict)  # best loss per lr


def split_by_episode(
    episodes: np.ndarray, val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation rows: whole episodes are held out, so validation
    levels are unseen; with a single episode, a random share of its frames is held out."""
    rng = np.random.default_rng(seed)
    ids = np.unique(episodes)
    if len(ids) >= 2:
        n_val = max(1, round(val_fraction * len(ids)))
        val_ids = rng.choice(ids, size=n_val, replace=False)
        is_val = np.isin(episodes, val_ids)
    else:
        is_val = np.zeros(len(episodes), dtype=bool)
        n_val = max(1, round(val_fraction * len(episodes)))
        is_val[rng.choice(len(episodes), size=n_val, replace=False)] = True
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def _better(acc: float, loss: float, best_acc: float, best_loss: float) -> bool:
    """Validation accuracy decides; loss breaks ties (accuracy saturates at 100% for easy
    tasks, while loss alone stops behaviour cloning too early as it grows overconfident)."""
    if acc > best_acc + 1e-9:
        return True
    return abs(acc - best_acc) <= 1e-9 and loss < best_loss * (1 - MIN_LOSS_GAIN)


def fit(
    make_model: Callable[[], nn.Module],
    frames: np.ndarray,
    targets: np.ndarray,
    episodes: np.ndarray,
    config: TrainConfig = TrainConfig(),
    augment: Augment | None = None,
    inputs: Callable[[np.ndarray], torch.Tensor] = to_input,
) -> TrainResult:
    """Train a fresh ``make_model()`` per learning rate; return the one best on validation.

    ``augment`` transforms each training batch (never validation data); ``inputs`` turns
    ``frames`` into the network's input (screens by default)."""
    t0 = time.perf_counter()
    train_idx, val_idx = split_by_episode(episodes, config.val_fraction, config.seed)
    if len(train_idx) == 0:
        raise ValueError("not enough data to hold out a validation split")
    # Screens stay uint8 until a batch needs them where their inputs would be large (a budget
    # of thousands of episodes fits); smaller ones are converted once, below.
    x_train, y_train = frames[train_idx], torch.as_tensor(targets[train_idx])
    x_val, y_val = frames[val_idx], torch.as_tensor(targets[val_idx])
    weight = _class_weights(y_train, make_model) if config.balance_classes else None
    val_inputs = inputs
    if augment is not None and config.augment_validation:
        copies = np.concatenate([x_val] * VAL_COPIES)
        x_val, y_val = augment(
            inputs(copies),
            torch.cat([y_val] * VAL_COPIES),
            torch.Generator().manual_seed(-1 - config.seed),
        )
        val_inputs = _as_is
    # The same numbers as converting each batch (the conversion is elementwise), once.
    if val_inputs is not _as_is and _input_bytes(x_val, val_inputs) <= PRECOMPUTE_BYTES:
        x_val, val_inputs = val_inputs(x_val), _as_is
    if _input_bytes(x_train, inputs) <= PRECOMPUTE_BYTES:
        x_train, inputs = inputs(x_train), _as_is
    best: tuple[float, float, nn.Module, float, int] | None = None
    by_lr: dict[float, float] = {}
    for lr in config.learning_rates:
        torch.manual_seed(config.seed)
        model = make_model()
        loss, acc, steps = _train_one(
            model,
            (x_train, y_train),
            (x_val, y_val),
            weight,
            lr,
            config,
            augment,
            inputs,
            val_inputs,
        )
        by_lr[lr] = loss
        if best is None or _better(acc, loss, best[1], best[0]):
            best = (loss, acc, model, lr, steps)
        if config.settle is not None and acc >= PERFECT:
            break
    assert best is not None
    loss, acc, model, lr, steps = best
    model.eval()
    return TrainResult(
        model=model,
        learning_rate=lr,
        val_loss=loss,
        val_accuracy=acc,
        steps=steps,
        seconds=time.perf_counter() - t0,
        train_size=len(train_idx),
        val_size=len(val_idx),
        val_loss_by_lr=by_lr,
    )


def _train_one(
    model: nn.Module,
    train: tuple[np.ndarray | torch.Tensor, torch.Tensor],
    val: tuple[np.ndarray | torch.Tensor, torch.Tensor],
    weight: torch.Tensor | None,
    lr: float,
    config: TrainConfig,
    augment: Augment | None = None,
    inputs: Callable[[np.ndarray], torch.Tensor] = to_input,
    val_inputs: Callable[[np.ndarray], torch.Tensor] = to_input,
) -> tuple[float, float, int]:
    """AdamW with early stopping; leaves ``model`` holding its best validation weights."""
    (x_train, y_train), (x_val, y_val) = train, val
    # foreach: every parameter in one call, the same numbers as one at a time (CPU's default)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=lr, weight_decay=config.weight_decay, foreach=True
    )
    generator = torch.Generator().manual_seed(config.seed)
    best_loss, best_acc, best_state, best_step, stale = math.inf, -1.0, None, 0, 0
    perfect = 0  # checks since validation accuracy first reached 100%
    n = len(x_train)
    max_steps, min_steps = step_budget(config, n)
    for step in range(1, max_steps + 1):
        model.train()
        batch = torch.randint(n, (min(config.batch_size, n),), generator=generator)
        rows = batch if isinstance(x_train, torch.Tensor) else batch.numpy()
        x, y = inputs(x_train[rows]), y_train[batch]
        if augment is not None:
            x, y = augment(x, y, generator)
        loss = F.cross_entropy(model(x), y, weight=weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % config.eval_every and step != max_steps:
            continue
        val_loss, val_acc = _evaluate(model, x_val, y_val, weight, val_inputs)
        if _better(val_acc, val_loss, best_acc, best_loss):
            best_loss, best_acc, best_step, stale = val_loss, val_acc, step, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            stale += 1
            if stale >= config.patience and step >= min_steps:
                break
        if best_acc >= PERFECT and config.settle is not None and step >= min_steps:
            perfect += 1
            if perfect > config.settle:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return best_loss, best_acc, best_step


def step_budget(config: TrainConfig, rows: int) -> tuple[int, int]:
    """(most, fewest before an early stop) optimizer steps for ``rows`` training rows: the
    config's, grown in proportion where ``min_epochs`` passes over the rows need more."""
    wanted = math.ceil(config.min_epochs * rows / config.batch_size)
    if wanted <= config.max_steps:
        return config.max_steps, config.min_steps
    return wanted, config.min_steps * wanted // config.max_steps


def _as_is(x: Any) -> torch.Tensor:
    return x


def _input_bytes(rows: np.ndarray, inputs: Callable[[np.ndarray], torch.Tensor]) -> int:
    """What ``rows`` take once ``inputs`` has made network inputs of them."""
    if len(rows) == 0:
        return 0
    one = inputs(rows[:1])
    return one.numel() * one.element_size() * len(rows)


@torch.no_grad()
def _evaluate(
    model: nn.Module,
    x: np.ndarray,
    y: torch.Tensor,
    weight: torch.Tensor | None,
    inputs: Callable[[np.ndarray], torch.Tensor] = to_input,
    chunk: int = 1024,
) -> tuple[float, float]:
    """Validation loss and accuracy, in chunks of ``chunk`` rows (the same numbers as in one
    go: the loss is the weighted mean over all targets, as ``F.cross_entropy`` takes it)."""
    model.eval()
    if len(x) <= chunk:
        logits = model(inputs(x))
        loss = F.cross_entropy(logits, y, weight=weight).item()
        kept = y != IGNORE
        return loss, (logits.argmax(1) == y)[kept].float().mean().item()
    total = norm = right = count = 0.0
    for i in range(0, len(x), chunk):
        logits, target = model(inputs(x[i : i + chunk])), y[i : i + chunk]
        kept = target != IGNORE
        total += F.cross_entropy(logits, target, weight=weight, reduction="sum").item()
        norm += (weight[target[kept]].sum() if weight is not None else kept.sum()).__float__()
        right += (logits.argmax(1) == target)[kept].sum().item()
        count += kept.sum().item()
    return total / norm, right / count


def _class_weights(y: torch.Tensor, make_model: Callable[[], nn.Module]) -> torch.Tensor:
    """Inverse-frequency weights, normalised to mean 1, capped at 20 (rare kinds matter)."""
    classes = int(getattr(make_model(), "kinds", int(y.max()) + 1))
    counts = torch.bincount(y.flatten(), minlength=classes).float()
    weight = counts.sum() / (counts.clamp(min=1) * classes)
    weight = weight.clamp(max=20.0)
    return weight / weight.mean()
