"""The unit every number of a report is computed on: one cell, a pipeline at one budget on one
split, its result rows over all seeds and its success rate with a 95% interval. Verdicts,
the headline and the demonstrations needed to reach the goal all read cells, and nothing
else of a comparison, so this module sits below them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from compose.common.stats import Estimate
from compose.experiments.store import ResultRow

__all__ = ["Cell"]


@dataclass
class Cell:
    """One pipeline × budget × split, over all seeds."""

    pipeline: str
    kind: str
    budget: int
    split: str
    rows: list[ResultRow]  # one per seed, sorted by seed
    success: Estimate

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.rows]

    @property
    def outcomes(self) -> list[str]:
        return [r.outcomes for r in self.rows]

    @property
    def seen(self) -> int | None:
        """Evaluation levels (over all seeds) whose content the pipeline met in training;
        None if a row predates that record."""
        counts = [r.seen_levels for r in self.rows]
        return None if None in counts else sum(counts)  # type: ignore[arg-type]

    @property
    def mean_return(self) -> float:
        return sum(r.mean_return * r.episodes for r in self.rows) / sum(
            r.episodes for r in self.rows
        )

    @property
    def mean_steps(self) -> float:
        return sum(r.mean_steps * r.episodes for r in self.rows) / sum(
            r.episodes for r in self.rows
        )
