"""The report's sections on what learning took: the demonstrations each learner needed for 95%
success (and how many times the hybrid's), and perception learnt without cell labels."""

from __future__ import annotations

from collections.abc import Callable

from compose.analysis.goal import GOAL, BudgetToGoal
from compose.analysis.results import Analysis, counted
from compose.report.document import Block, H, P, Table
from compose.report.text import multiple, num, pct, times

__all__ = ["abduction", "budget_to_goal"]


def budget_to_goal(a: Analysis) -> list[Block]:
    """The smallest demonstration budget at which each learner reaches 95% success, per split,
    and its ratio to the reference hybrid's."""
    out: list[Block] = [H(2, f"Demonstrations needed for {pct(GOAL)} success")]
    found = {(g.pipeline, g.split): g for g in a.budget_to_goal()}
    learners = [p for p in a.learners() if any(k[0] == p for k in found)]
    if not learners:
        out.append(P("No pipeline that learns from demonstrations has results here."))
        return out
    out += [
        P(
            "The fewest demonstration episodes after which a pipeline's success, pooled over "
            f"seeds and levels, is at least {pct(GOAL)}, per split, with a 95% interval "
            "(the bootstrap of the success rates over seeds and levels, with one set of draws "
            "shared by every budget and pipeline; each end is a budget of this comparison). "
            f"Budgets are tried on a grid ({', '.join(f'{b:,}' for b in a.budgets)}), and "
            "every number here is no finer than it: 10 means more than the budget before it "
            "and at most 10, and an interval such as [10–10] says that every replicate first "
            "reached the goal at that step of the grid, not that 10 is exact. "
            "(1, 3 not run): those smaller budgets have no result for this pipeline (a run "
            "stopped early, or a job failed), so the goal may have been reached there. "
            f"> {a.top_budget:,}: did not reach "
            f"{pct(GOAL)} within the largest budget tried, "
            f"{counted(a.top_budget, 'demonstration episode')}. "
            "n/a: the pipeline cannot play that split's screen size."
        ),
        Table(["pipeline", *a.splits], _goal_rows(a, learners, found, _budget_cell)),
    ]
    reference = a.reference_hybrid()
    if reference is None:
        out.append(P("No hybrid in this comparison: no ratio to a hybrid to show."))
        return out
    out += [
        P(
            f"Ratio to {reference}: how many times as many demonstration episodes each "
            f"pipeline needed as {reference} to reach {pct(GOAL)} on the same split (×30: "
            "thirty times as many), with a 95% interval from the same draws for both. A ratio "
            f"with > is a lower bound: the pipeline did not reach {pct(GOAL)} within the "
            f"largest budget tried, {counted(a.top_budget, 'demonstration episode')}, so it "
            "needs more "
            f"than that. —: {reference} itself did not reach {pct(GOAL)} there, and there is "
            "nothing to divide by. The cap is this comparison's largest budget, not the "
            "pipeline's limit: the `full` preset stops at 300 demonstration episodes, the "
            "`catch-up` preset goes to 3,000."
        ),
        Table(["pipeline", *a.splits], _goal_rows(a, learners, found, _ratio_cell)),
    ]
    return out


def _goal_rows(
    a: Analysis,
    learners: list[str],
    found: dict[tuple[str, str], BudgetToGoal],
    show: Callable[[BudgetToGoal], str],
) -> list[list[str]]:
    """One row per learner, one column per split; n/a where it did not play the split."""
    return [
        [p, *[show(g) if (g := found.get((p, s))) else "n/a" for s in a.splits]] for p in learners
    ]


def _budget_cell(g: BudgetToGoal) -> str:
    """``10 [3–30]``, ``100 [30–>300]``, ``> 300`` or ``> 300 [100–>300]``, and which smaller
    budgets were not played (``300 (1, 3 not run)``)."""
    point = f"> {g.cap:,}" if g.budget is None else f"{g.budget:,}"
    if not (g.censored and g.low is None):
        point = f"{point} [{_end(g.low, g.cap)}–{_end(g.high, g.cap)}]"
    return point + _unrun(g)


def _unrun(g: BudgetToGoal) -> str:
    if not g.unrun:
        return ""
    return f" ({', '.join(f'{b:,}' for b in g.unrun)} not run)"


def _end(budget: int | None, cap: int) -> str:
    """One end of a budget interval; None is beyond the largest budget tried."""
    return f">{cap:,}" if budget is None else f"{budget:,}"


def _ratio_cell(g: BudgetToGoal) -> str:
    """``×30 [10–100]``, ``×3 [1–>100]``, ``> ×30``, ``×1 (reference)`` or ``—``."""
    if g.ratio is None:
        return "—"
    if g.pipeline == g.reference:
        return "×1 (reference)"
    point = f"> {times(g.ratio)}" if g.ratio_censored else times(g.ratio)
    if g.ratio_low is None or g.ratio_high is None or (g.ratio_censored and g.ratio_low_censored):
        return point + _unrun(g)
    low = (">" if g.ratio_low_censored else "") + multiple(g.ratio_low)
    high = (">" if g.ratio_high_censored else "") + multiple(g.ratio_high)
    return f"{point} [{low}–{high}]" + _unrun(g)


def abduction(a: Analysis) -> list[Block]:
    """How well hybrids that were given no (or almost no) cell labels read the cells."""
    learners = [p for p in a.hybrids() if p != "hybrid"]
    if not learners:
        return []
    split = a.splits[0]
    rows = []
    for pipeline in ["hybrid", *learners] if "hybrid" in a.pipelines else learners:
        for b in a.budgets_of(pipeline):
            cell = a.cell(pipeline, b, split)
            extra = lambda key, p=pipeline, b=b: a.fit_extra(p, b, key)  # noqa: E731
            acc = extra("abduced_cell_accuracy")
            seen = extra("perceived_cell_accuracy")
            alike = extra("perceived_alike_accuracy")
            explained = extra("episodes_explained")
            ambiguous = extra("ambiguous_cells")
            seconds = extra("abduction_seconds")
            rows.append(
                [
                    pipeline,
                    str(b),
                    num(a.fit_mean(pipeline, b, "cell_labels")),
                    "—" if acc is None else pct(acc),
                    "—" if seen is None else pct(seen),
                    "—" if alike is None else pct(alike),
                    "—" if explained is None else f"{explained:.1f} of {b}",
                    "—" if ambiguous is None else num(ambiguous),
                    "—" if seconds is None else f"{seconds:.1f}",
                    cell.success.text() if cell is not None else "—",
                ]
            )
    return [
        H(2, "Perception without cell labels"),
        P(
            "The abduced hybrid learns perception from what the monolithic networks get — "
            "the demonstration screens and the expert's actions — plus the rules and its "
            "decoder's assumptions: it groups the cells of each episode by appearance, "
            "searches for the kinds under which the reasoner plans the expert's actions, "
            "trains on that reading, and reads again with perception deciding ties. The "
            "accuracies are measured against the game's true cells after training (never "
            "trained on). *Ambiguous* cells are cells whose kind no decision of their "
            "episode pinned down (reading them as another kind explains the expert as well: "
            "lava the expert always walked around reads as well as a wall); they are counted "
            "here, read as a kind no other appearance of their level is read as where one "
            "fits, and made to agree with alike-looking cells of other levels. A reading can "
            "be wrong by name and right in effect: walls read as lava (neither is ever "
            "entered) cost cell accuracy here, and no success. Kinds the rules answer "
            "alike for every question (two enemies that both kill and never move) cannot "
            "be told apart by any play; *perceived right up to alike "
            "kinds* counts a cell read as such a twin as right. "
            f"Success is on {split}."
        ),
        Table(
            [
                "pipeline",
                "budget",
                "cell labels",
                "abduced cells right",
                "perceived cells right",
                "perceived right up to alike kinds",
                "episodes explained",
                "ambiguous cells",
                "abduction s",
                f"success ({split})",
            ],
            rows,
        ),
    ]
