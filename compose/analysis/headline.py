"""The headline, the question a comparison is read for: on each split, does the best hybrid
beat the best that the monolithic networks managed, and PPO? One row per split, each side the
best cell of its kind with its paired difference to the best hybrid; ``results.json`` and the
report's first section both show it.
"""

from __future__ import annotations

from dataclasses import dataclass

from compose.analysis.cells import Cell
from compose.analysis.results import Analysis
from compose.analysis.verdicts import best_cell, paired, standing
from compose.common.stats import Estimate

__all__ = ["HeadlineRow", "headline"]


@dataclass(frozen=True)
class HeadlineRow:
    """The question a comparison is read for, on one split: does the best hybrid beat the best
    that the networks managed? One row of :func:`headline`.

    ``hybrid`` and ``monolith`` are the best cells (:func:`best_cell`: highest success, then
    highest mean return, then the earlier in the config), at ``budget`` demonstration
    episodes, among every pipeline of kind ``hybrid`` and among every pipeline of kind
    ``monolithic``, whatever its perception, size, inputs, augmentation or training. ``ppo``
    is the best cell of the pipelines that learn from reward, each at its own largest budget
    of frames (read it from ``ppo.budget``), not at its best one. ``oracle`` (it reads the
    true scene) is the upper bound, not a contender. Each is None when no such pipeline played
    the split: a fixed-size network on a larger screen, a comparison without PPO, a split only
    the oracle played. ``budget`` is the analysis's largest demonstration budget (0 when only
    the oracle and PPO ran).

    ``hybrid_vs_monolith`` and ``hybrid_vs_ppo`` are the hybrid's success minus the other's,
    in proportions (+0.8: the hybrid 80 points ahead), with a paired 95% interval
    (:func:`compose.common.stats.paired_difference`: the same seeds and levels drawn for both).
    :attr:`over_monolith` and :attr:`over_ppo` read them (:func:`standing`). A difference is
    None when either side is missing or the two were not evaluated on the same seeds with as
    many levels each (a failed job): an unpaired difference would add which levels were drawn
    to how the pipelines differ.
    """

    split: str
    budget: int  # demonstration episodes of the hybrid and monolith cells (the largest)
    hybrid: Cell | None
    monolith: Cell | None
    ppo: Cell | None
    oracle: Cell | None
    hybrid_vs_monolith: Estimate | None
    hybrid_vs_ppo: Estimate | None

    @property
    def over_monolith(self) -> str | None:
        """:func:`standing` of the hybrid against the best monolith."""
        return standing(self.hybrid_vs_monolith)

    @property
    def over_ppo(self) -> str | None:
        """:func:`standing` of the hybrid against PPO."""
        return standing(self.hybrid_vs_ppo)


def headline(a: Analysis) -> list[HeadlineRow]:
    """The answer to "does the hybrid beat the networks?": one :class:`HeadlineRow` per split
    of the analysis (``a.splits``, in order), at its largest demonstration budget — the best
    hybrid, the best monolith, PPO at its largest budget of frames and the oracle, with the
    best hybrid's paired differences to the best monolith and to PPO.

    Every split of the analysis gets its row, however little played it; a side that did not
    play is None, and so is any difference it would enter (only the oracle ran: every side
    but the oracle, and both differences). Deterministic: the same analysis gives the same
    rows, intervals included. ``results.json`` holds it under ``"headline"``."""
    return [_headline_row(a, split) for split in a.splits]


def _headline_row(a: Analysis, split: str) -> HeadlineRow:
    budget = a.top_budget
    hybrid = best_cell([a.cell(p, budget, split) for p in a.hybrids()])
    monolith = best_cell([a.cell(p, budget, split) for p in a.monolithic()])
    ppo = best_cell([a.cell(p, a.top_of(p), split) for p in a.explorers()])
    oracle = best_cell([a.cell(p, 0, split) for p in a.pipelines if a.kinds[p] == "oracle"])
    return HeadlineRow(
        split,
        budget,
        hybrid,
        monolith,
        ppo,
        oracle,
        paired(hybrid, monolith),
        paired(hybrid, ppo),
    )
