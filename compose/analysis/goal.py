"""The number a comparison exists to measure: the demonstrations each learner needs to reach
a success rate (95%), and that number over the hybrid's, with bootstrap intervals. It reads a
comparison through :class:`Played`, the few lookups it needs, which an analysis provides: this
module knows cells, not the analysis, and the analysis (which keeps its answers) imports it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from compose.analysis.cells import Cell
from compose.common.stats import first_reaching, level_draws, ordered_interval, outcome_tensor
from compose.experiments.config import ExperimentConfig

__all__ = ["GOAL", "BudgetToGoal", "Played", "budget_to_goal"]

GOAL = 0.95  # the success rate whose cost in demonstrations the comparison measures


class Played(Protocol):
    """What :func:`budget_to_goal` reads of a comparison, and nothing more: its splits and
    demonstration budgets in order, its config (for the budgets it asked for), its learners in
    config order, the hybrid ratios are taken to, and a cell. An
    :class:`~compose.analysis.results.Analysis` is one."""

    @property
    def config(self) -> ExperimentConfig: ...

    @property
    def budgets(self) -> list[int]: ...

    @property
    def splits(self) -> list[str]: ...

    def cell(self, pipeline: str, budget: int, split: str) -> Cell | None: ...

    def learners(self) -> list[str]: ...

    def reference_hybrid(self) -> str | None: ...


@dataclass(frozen=True)
class BudgetToGoal:
    """The fewest demonstration episodes after which one pipeline's success on one split,
    pooled over seeds and levels, reaches ``goal``; and that number over the reference
    hybrid's.

    A pipeline that never reaches the goal is *censored*: it needs more than ``cap``, the
    largest budget it was evaluated at, and ``budget`` is None. Interval ends (2.5th and 97.5th
    percentiles of the bootstrap) are None on the budget axis when they land on a censored
    replicate ("> cap"). A ratio marked censored is a lower bound: the true ratio is more than
    the number given. ``ratio`` is None when the reference did not reach the goal (or did not
    play the split): there is nothing to divide by.
    """

    pipeline: str
    split: str
    goal: float
    cap: int  # the largest budget tried: where a censored value is censored
    budget: int | None  # None: censored, more than cap
    censored: bool
    low: int | None  # None: > cap
    high: int | None  # None: > cap
    reference: str | None  # the hybrid the ratio is taken to; None: no hybrid here
    ratio: float | None  # budget / reference's; censored: cap / reference's, a lower bound
    ratio_censored: bool
    ratio_low: float | None  # None: no replicate where the reference reached the goal
    ratio_low_censored: bool
    ratio_high: float | None
    ratio_high_censored: bool
    # Budgets of the comparison below ``budget`` (below and at ``cap`` if censored) that this
    # pipeline did not play on this split (a run stopped early, or a job failed): the goal
    # may have been reached there.
    unrun: tuple[int, ...] = ()


def budget_to_goal(a: Played, goal: float = GOAL, seed: int = 0) -> list[BudgetToGoal]:
    """Per split, then per learner in config order: the smallest budget whose pooled success
    reaches ``goal``, and its ratio to the reference hybrid's, each with a 95% interval.

    The bootstrap is the one of the success intervals (:mod:`compose.common.stats`): 2,000 times,
    draw the seeds with replacement, then the levels within each drawn seed, and find the
    smallest budget reaching the goal on the drawn episodes. One set of draws (fixed by
    ``seed``) serves every budget and every pipeline of a split, because they were all played
    on the same seeds and levels: a replicate that draws the hard levels draws them for all of
    them, so the ratio's interval reflects how the pipelines differ, not which levels were
    drawn. Replicates in which the reference does not reach the goal give no ratio and are left
    out of the ratio's interval. A pipeline that did not play a split has no entry for it.
    """
    out = []
    for split in a.splits:
        out += _split_to_goal(a, split, goal, seed)
    return out


def _split_to_goal(a: Played, split: str, goal: float, seed: int) -> list[BudgetToGoal]:
    cells = {
        p: {b: c for b in a.budgets if (c := a.cell(p, b, split)) is not None} for p in a.learners()
    }
    cells = {p: by_budget for p, by_budget in cells.items() if by_budget}
    if not cells:
        return []
    played = [c for by_budget in cells.values() for c in by_budget.values()]
    seeds = sorted({s for c in played for s in c.seeds})
    n_levels = max(len(r.outcomes) for c in played for r in c.rows)
    draws = level_draws(len(seeds), n_levels, seed)
    found = {}
    for p, by_budget in cells.items():
        per_budget = [
            {r.seed: r.outcomes for r in by_budget[b].rows} if b in by_budget else {}
            for b in a.budgets
        ]
        found[p] = first_reaching(*outcome_tensor(per_budget, seeds, n_levels), goal, draws)
    caps = {p: max(by_budget) for p, by_budget in cells.items()}
    ref = a.reference_hybrid()
    planned = sorted(set(a.config.budgets) | set(a.budgets))  # asked for, and played
    out = []
    for p, by_budget in cells.items():
        entry = _to_goal(a.budgets, split, goal, p, found, caps, ref)
        upto = caps[p] if entry.budget is None else entry.budget
        unrun = tuple(b for b in planned if b < upto and b not in by_budget)
        out.append(replace(entry, unrun=unrun) if unrun else entry)
    return out


def _to_goal(
    budgets: list[int],
    split: str,
    goal: float,
    pipeline: str,
    found: dict[str, tuple[int, np.ndarray]],
    caps: dict[str, int],
    reference: str | None,
) -> BudgetToGoal:
    """One entry from the indices of the first budget reaching the goal (``len(budgets)``:
    censored), on the data and on each replicate, of ``pipeline`` and of the reference."""
    point, reps = found[pipeline]
    censored = point == len(budgets)
    low, high = ordered_interval(np.argsort(reps, kind="stable"))
    axis = [*budgets, None]  # index → budget; the last stands for "> cap"
    ratios: tuple[Any, ...] = (None, False, None, False, None, False)
    if reference in found:
        ratios = _ratios(budgets, found[pipeline], found[reference], caps[pipeline])
    return BudgetToGoal(
        pipeline,
        split,
        goal,
        caps[pipeline],
        axis[point],
        censored,
        axis[reps[low]],
        axis[reps[high]],
        reference,
        *ratios,
    )


def _ratios(
    budgets: list[int], mine: tuple[int, np.ndarray], ref: tuple[int, np.ndarray], cap: int
) -> tuple[float | None, bool, float | None, bool, float | None, bool]:
    """(ratio, censored, low, low censored, high, high censored) of one pipeline's budget to
    the reference's. A censored replicate counts as ``cap`` and, for the interval, ranks above
    every replicate that reached the goal (not reaching it at all needs the most)."""
    k = len(budgets)
    axis = np.array([*budgets, cap], dtype=float)  # a censored pipeline counts as cap
    (point, reps), (ref_point, ref_reps) = mine, ref
    if ref_point == k:  # the reference never reached the goal: nothing to divide by
        return None, False, None, False, None, False
    value, censored = float(axis[point] / axis[ref_point]), bool(point == k)
    defined = ref_reps < k
    if not defined.any():
        return value, censored, None, False, None, False
    ratio = axis[reps[defined]] / axis[ref_reps[defined]]
    over = reps[defined] == k
    low, high = ordered_interval(np.lexsort((ratio, over)))
    return (
        value,
        censored,
        float(ratio[low]),
        bool(over[low]),
        float(ratio[high]),
        bool(over[high]),
    )
