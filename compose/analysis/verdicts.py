"""Who won, from cells alone: the verdict among the learners of one split at one budget (winner,
runner-up and their paired difference), the best of a list of cells, the paired difference of
two cells, and how a difference stands (ahead, behind, within noise). The analysis decides
its verdicts here; the headline compares its sides with the same pairing and standing.
"""

from __future__ import annotations

from dataclasses import dataclass

from compose.analysis.cells import Cell
from compose.common.stats import Estimate, paired_difference

__all__ = ["Verdict", "best_cell", "decide", "paired", "standing"]


@dataclass
class Verdict:
    """Who won one split at one budget, and how sure we are."""

    split: str
    budget: int
    winner: Cell
    runner_up: Cell | None
    difference: Estimate | None

    @property
    def clear(self) -> bool:
        return self.difference is not None and self.difference.low > 0 and not self.nobody

    @property
    def nobody(self) -> bool:
        """No learner solved a single level: there is no winner to name."""
        return self.winner.success.value == 0

    @property
    def tied(self) -> bool:
        """The two best learners solved exactly as many levels."""
        return self.runner_up is not None and (
            self.runner_up.success.value == self.winner.success.value
        )


def decide(split: str, budget: int, contenders: list[Cell]) -> Verdict | None:
    """The verdict among the cells that played ``split`` at ``budget``: the highest success
    wins, then the highest mean return, then the earlier in ``contenders``; None without any."""
    if not contenders:
        return None
    ranked = sorted(contenders, key=lambda c: (c.success.value, c.mean_return), reverse=True)
    winner = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    return Verdict(split, budget, winner, runner_up, paired(winner, runner_up))


def standing(difference: Estimate | None) -> str | None:
    """``"ahead"`` when the whole 95% interval of a difference is above zero, ``"behind"``
    when it is below, ``"within noise"`` when it holds zero (an exact tie among them); None
    without a difference."""
    if difference is None:
        return None
    if difference.low > 0:
        return "ahead"
    return "behind" if difference.high < 0 else "within noise"


def best_cell(cells: list[Cell | None]) -> Cell | None:
    """The cell with the highest success, then the highest mean return; the first such on a
    tie (None counts as not played; None when none was)."""
    played = [c for c in cells if c is not None]
    return max(played, key=lambda c: (c.success.value, c.mean_return), default=None)


def paired(a: Cell | None, b: Cell | None) -> Estimate | None:
    """``a`` minus ``b`` paired on the same seeds and levels; None if they cannot be paired."""
    if a is None or b is None or a.seeds != b.seeds:
        return None
    try:
        return paired_difference(a.outcomes, b.outcomes)
    except ValueError:  # as many seeds, but not as many levels
        return None
