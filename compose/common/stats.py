"""Confidence intervals for success rates measured over seeds × evaluation levels.

Both sources of variation are resampled (a two-level bootstrap): first the seeds, with
replacement, then the levels within each drawn seed. Pipelines evaluated on the same seeds and
levels are compared *paired*: the same draws are applied to both, so the interval of their
difference reflects how much the pipelines differ, not how hard the levels were.

At 0% and 100% a bootstrap interval collapses to a point, which would read as certainty. Every
interval is therefore widened to at least the Wilson score interval of the pooled episodes
(for a difference: Newcombe's interval built from the two Wilson intervals).

The budget at which success first reaches a goal is bootstrapped the same way, with one set of
draws shared by every budget and pipeline of a split (:func:`first_reaching`); its interval is
read off the sorted replicates (:func:`ordered_interval`), since "not reached" has no number to
average.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil

import numpy as np

__all__ = [
    "Estimate",
    "first_reaching",
    "level_draws",
    "ordered_interval",
    "outcome_tensor",
    "paired_difference",
    "percentiles",
    "success_estimate",
    "wilson",
]

N_BOOT = 2000
QUANTILES = {"p50": 50, "p95": 95}  # what every latency figure reports


def percentiles(samples: dict[str, Sequence[float] | np.ndarray]) -> dict[str, float]:
    """``{"total": [...], ...}`` → ``{"total_p50": ..., "total_p95": ..., ...}``."""
    return {
        f"{name}_{q}": float(np.percentile(np.asarray(values, dtype=float), p))
        for name, values in samples.items()
        for q, p in QUANTILES.items()
    }


@dataclass(frozen=True)
class Estimate:
    """A proportion with a 95% interval."""

    value: float
    low: float
    high: float
    n: int  # evaluation episodes behind it

    def text(self, percent: bool = True) -> str:
        if percent:
            return f"{100 * self.value:.0f}% [{100 * self.low:.0f}–{100 * self.high:.0f}]"
        return f"{self.value:.2f} [{self.low:.2f}–{self.high:.2f}]"


def _matrix(outcomes: Sequence[str]) -> np.ndarray:
    """Seeds' outcome strings ('1'/'0' per level) → (seeds, levels) array; equal lengths."""
    return np.array([[ch == "1" for ch in o] for o in outcomes], dtype=float)


def _draws(n_seeds: int, n_levels: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    seeds = rng.integers(n_seeds, size=(N_BOOT, n_seeds))
    levels = rng.integers(n_levels, size=(N_BOOT, n_seeds, n_levels))
    return seeds, levels


def _boot_means(m: np.ndarray, seeds: np.ndarray, levels: np.ndarray) -> np.ndarray:
    picked = m[seeds[..., None], levels]  # (N_BOOT, n_seeds, n_levels)
    return picked.mean(axis=(1, 2))


def success_estimate(outcomes: Sequence[str], seed: int = 0) -> Estimate:
    """Mean success over all episodes, with a two-level bootstrap 95% interval."""
    lengths = {len(o) for o in outcomes}
    if len(lengths) != 1:  # unequal episode counts: fall back to one level of resampling
        flat = np.array([ch == "1" for o in outcomes for ch in o], dtype=float)
        m = flat[None, :]
    else:
        m = _matrix(outcomes)
    rng = np.random.default_rng(seed)
    means = _boot_means(m, *_draws(*m.shape, rng))
    low, high = np.percentile(means, [2.5, 97.5])
    w_low, w_high = wilson(float(m.mean()), int(m.size))
    return Estimate(float(m.mean()), float(min(low, w_low)), float(max(high, w_high)), int(m.size))


def paired_difference(a: Sequence[str], b: Sequence[str], seed: int = 0) -> Estimate:
    """Success of ``a`` minus success of ``b`` on the same seeds and levels, with a paired
    two-level bootstrap 95% interval."""
    ma, mb = _matrix(a), _matrix(b)
    if ma.shape != mb.shape:
        raise ValueError(f"paired outcomes must match in shape: {ma.shape} vs {mb.shape}")
    rng = np.random.default_rng(seed)
    draws = _draws(*ma.shape, rng)
    diffs = _boot_means(ma, *draws) - _boot_means(mb, *draws)
    low, high = np.percentile(diffs, [2.5, 97.5])
    pa, pb, n = float(ma.mean()), float(mb.mean()), int(ma.size)
    (la, ua), (lb, ub) = wilson(pa, n), wilson(pb, n)
    d = pa - pb
    n_low = d - float(np.hypot(pa - la, ub - pb))
    n_high = d + float(np.hypot(ua - pa, pb - lb))
    return Estimate(d, float(min(low, n_low)), float(max(high, n_high)), n)


def level_draws(n_seeds: int, n_levels: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``N_BOOT`` two-level draws, fixed by ``seed``: seed indices ``(N_BOOT, n_seeds)``, then
    level indices within each drawn seed ``(N_BOOT, n_seeds, n_levels)``."""
    return _draws(n_seeds, n_levels, np.random.default_rng(seed))


def outcome_tensor(
    per_budget: Sequence[Mapping[int, str]], seeds: Sequence[int], n_levels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome strings by budget, then by seed → ``(wins, played)``, two arrays of shape
    ``(budgets, seeds, levels)``: 1 where a level was solved, and True where it was played at
    all (a budget, seed or level without a result is masked out, not counted as a failure)."""
    wins = np.zeros((len(per_budget), len(seeds), n_levels))
    played = np.zeros(wins.shape, dtype=bool)
    row = {s: i for i, s in enumerate(seeds)}
    for k, by_seed in enumerate(per_budget):
        for s, outcomes in by_seed.items():
            wins[k, row[s], : len(outcomes)] = [ch == "1" for ch in outcomes]
            played[k, row[s], : len(outcomes)] = True
    return wins, played


def first_reaching(
    wins: np.ndarray,
    played: np.ndarray,
    goal: float,
    draws: tuple[np.ndarray, np.ndarray],
) -> tuple[int, np.ndarray]:
    """The index of the first budget whose pooled success is at least ``goal`` — the number of
    budgets when none is (censored) — on the data itself and on every bootstrap replicate.

    ``wins``/``played`` come from :func:`outcome_tensor`; ``draws`` from :func:`level_draws`,
    applied alike to every budget (each seed and level carries its outcomes at all budgets). A
    budget with no episode in the data, or none drawn in a replicate, is skipped there.
    """
    point = _first(_rate(wins.sum(axis=(1, 2)), played.sum(axis=(1, 2)))[None, :], goal)
    seeds, levels = draws
    rates = np.empty((len(seeds), wins.shape[0]))
    for k in range(wins.shape[0]):
        w = wins[k][seeds[..., None], levels].sum(axis=(1, 2))
        n = played[k][seeds[..., None], levels].sum(axis=(1, 2))
        rates[:, k] = _rate(w, n)
    return int(point[0]), _first(rates, goal)


def _rate(wins: np.ndarray, played: np.ndarray) -> np.ndarray:
    """Success rate, NaN where nothing was played."""
    return np.where(played > 0, wins / np.maximum(played, 1), np.nan)


def _first(rates: np.ndarray, goal: float) -> np.ndarray:
    """Per row of ``rates`` (replicates × budgets): the first column at or above ``goal``, or
    the number of columns. The tolerance only absorbs float rounding (19/20 is 0.95)."""
    reached = rates >= goal - 1e-9  # NaN compares False: a skipped budget never reaches
    return np.where(reached.any(axis=1), reached.argmax(axis=1), rates.shape[1])


def ordered_interval(order: np.ndarray) -> tuple[int, int]:
    """The replicates at the 2.5th and 97.5th percentiles, given the replicates' indices sorted
    in ascending order of what they estimate. Inverted-CDF percentiles: each end is one actual
    replicate, never an average of two (which a censored replicate could not enter)."""
    n = len(order)
    if n == 0:
        raise ValueError("no replicate to take an interval from")
    low = max(0, ceil(0.025 * n) - 1)
    high = min(n - 1, ceil(0.975 * n) - 1)
    return int(order[low]), int(order[high])


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion ``p`` observed over ``n`` trials."""
    if n == 0:
        return 0.0, 1.0
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
