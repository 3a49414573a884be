"""Who won each split: a clear winner, a difference within noise, an exact tie, the runner-up,
and the sentences the report prints for each — on synthetic rows whose answers are known."""

from __future__ import annotations

from pathlib import Path

import pytest

from compose.analysis.results import Analysis, analyse
from compose.analysis.verdicts import Verdict
from compose.report.document import to_markdown
from compose.report.who_won import who_won
from tests.compose.synthetic import (
    ABDUCED,
    HYBRID,
    LEVELS,
    MEDIUM,
    ORACLE,
    SMALL,
    SPLITS,
    config,
    rows_of,
    solved,
)

IND = SPLITS[0]


def verdict_at(a: Analysis, budget: int = 10, split: str = IND) -> Verdict:
    (found,) = [v for v in a.verdicts if (v.split, v.budget) == (split, budget)]
    return found


def report(a: Analysis, tmp_path: Path) -> str:
    return to_markdown("t", who_won(a), tmp_path)


@pytest.fixture(scope="module")
def clear() -> Analysis:
    """hybrid 100%, mono-small 10%, mono-medium 5%: hybrid wins clearly over mono-small."""
    rows = [
        *rows_of(HYBRID, 10, solved(LEVELS)),
        *rows_of(SMALL, 10, solved(2)),
        *rows_of(MEDIUM, 10, solved(1)),
    ]
    return analyse(rows, {}, config(HYBRID, SMALL, MEDIUM, budgets=[10]))


def test_a_clear_winner_and_its_runner_up(clear):
    v = verdict_at(clear)
    assert v.winner.pipeline == "hybrid" and v.runner_up.pipeline == "mono-small"
    assert v.difference.value == pytest.approx(0.9) and v.difference.low > 0.7
    assert v.clear and not v.tied and not v.nobody


def test_the_report_names_the_clear_winner(clear, tmp_path):
    text = report(clear, tmp_path)
    v = verdict_at(clear)
    d = v.difference
    assert (
        f"- **in-distribution**: **hybrid wins** by 90 points [{100 * d.low:.0f}–"
        f"{100 * d.high:.0f}] — hybrid {v.winner.success.text()} vs mono-small "
        f"{v.runner_up.success.text()}."
    ) in text
    assert "| in-distribution | 10 | hybrid | 100% [94–100] | mono-small | 10% [3–20] |" in text
    assert text.rstrip().endswith("| clear |")


def test_a_difference_within_noise_is_no_clear_winner(tmp_path):
    """55% against 50% on 60 levels: the interval of the difference holds zero."""
    rows = [*rows_of(HYBRID, 10, solved(11)), *rows_of(SMALL, 10, solved(10))]
    a = analyse(rows, {}, config(HYBRID, SMALL, budgets=[10]))
    v = verdict_at(a)
    assert v.winner.pipeline == "hybrid" and v.runner_up.pipeline == "mono-small"
    assert v.difference.value == pytest.approx(0.05)
    assert v.difference.low < 0 < v.difference.high
    assert not v.clear and not v.tied and not v.nobody
    text = report(a, tmp_path)
    d = v.difference
    assert (
        f"no clear winner: the difference, 5 points [{100 * d.low:.0f}–{100 * d.high:.0f}], "
        "is within noise — hybrid 55% ["
    ) in text
    assert text.rstrip().endswith("| within noise |")


def test_an_exact_tie_goes_to_neither_and_the_return_only_orders_them(tmp_path):
    """Both solve half the levels (not the same ones); the monolith's mean return is higher,
    so it is listed first, but the verdict is a tie, not a win."""
    rows = [
        *rows_of(HYBRID, 10, solved(10)),
        *rows_of(SMALL, 10, "01" * (LEVELS // 2), mean_return=0.9),
    ]
    a = analyse(rows, {}, config(HYBRID, SMALL, budgets=[10]))
    v = verdict_at(a)
    assert (v.winner.pipeline, v.runner_up.pipeline) == ("mono-small", "hybrid")
    assert v.tied and not v.clear and v.difference.value == 0
    text = report(a, tmp_path)
    assert "- **in-distribution**: no winner: mono-small and hybrid tie — mono-small 50% [" in text
    assert "| tie: mono-small |" in text and text.rstrip().endswith("| tie |")


def test_two_hybrids_at_100_percent_tie_and_the_first_configured_is_named_first(tmp_path):
    rows = [
        *rows_of(ABDUCED, 10, solved(LEVELS)),
        *rows_of(HYBRID, 10, solved(LEVELS)),
        *rows_of(SMALL, 10, solved(4)),
    ]
    a = analyse(rows, {}, config(HYBRID, ABDUCED, SMALL, budgets=[10]))
    v = verdict_at(a)
    assert (v.winner.pipeline, v.runner_up.pipeline) == ("hybrid", "hybrid-abduced")
    assert v.tied and not v.clear
    assert "no winner: hybrid and hybrid-abduced tie" in report(a, tmp_path)


def test_the_runner_up_is_the_second_best_at_each_budget_on_each_split():
    """At 1 demonstration mono-medium is second; at 10, mono-small; on larger only two play."""
    rows = [
        *rows_of(HYBRID, 1, solved(8)),
        *rows_of(SMALL, 1, solved(2)),
        *rows_of(MEDIUM, 1, solved(6)),
        *rows_of(HYBRID, 10, solved(20)),
        *rows_of(SMALL, 10, solved(15)),
        *rows_of(MEDIUM, 10, solved(6)),
        *rows_of(HYBRID, 10, solved(3), split="larger"),
        *rows_of(MEDIUM, 10, solved(9), split="larger"),
    ]
    a = analyse(rows, {}, config(HYBRID, SMALL, MEDIUM))
    found = {(v.split, v.budget): (v.winner.pipeline, v.runner_up.pipeline) for v in a.verdicts}
    assert found == {
        (IND, 1): ("hybrid", "mono-medium"),
        (IND, 10): ("hybrid", "mono-small"),
        ("larger", 10): ("mono-medium", "hybrid"),
    }
    assert verdict_at(a, 10, "larger").clear  # 45% against 15%


def test_pipelines_on_different_seeds_are_not_compared(tmp_path):
    """A seed of mono-small failed: no paired difference, and no verdict pretends one."""
    rows = [*rows_of(HYBRID, 10, solved(20)), *rows_of(SMALL, 10, [solved(2)] * 2)]
    a = analyse(rows, {}, config(HYBRID, SMALL, budgets=[10]))
    v = verdict_at(a)
    assert v.runner_up.pipeline == "mono-small" and v.difference is None
    assert not v.clear and not v.tied
    assert "no paired comparison possible — hybrid 100%" in report(a, tmp_path)


def test_a_lone_learner_and_a_split_nobody_solved(tmp_path):
    rows = [
        *rows_of(HYBRID, 10, solved(5)),
        *rows_of(HYBRID, 10, solved(0), split="larger"),
        *rows_of(SMALL, 10, solved(0), split="larger"),
        *rows_of(ORACLE, 0, solved(20)),
    ]
    a = analyse(rows, {}, config(HYBRID, SMALL, ORACLE, budgets=[10]))
    alone, nobody = verdict_at(a), verdict_at(a, split="larger")
    assert alone.runner_up is None and alone.difference is None and not alone.clear
    assert nobody.nobody and not nobody.clear
    text = report(a, tmp_path)
    assert "- **in-distribution**: only hybrid was evaluated (25% [" in text
    assert "- **larger**: no winner: no learner solved a single level." in text
    assert "| larger | 10 | none (all 0%) |" in text


def test_one_point_and_one_demonstration_are_said_in_the_singular(tmp_path):
    """51% against 50% over 100 levels per seed, at a single demonstration episode."""
    rows = [
        *rows_of(HYBRID, 1, "1" * 51 + "0" * 49),
        *rows_of(SMALL, 1, "1" * 50 + "0" * 50),
    ]
    a = analyse(rows, {}, config(HYBRID, SMALL, budgets=[1]))
    text = report(a, tmp_path)
    assert "the difference, 1 point [" in text and "1 points" not in text
    assert "At the largest budget (1 demonstration episode)" in text
    assert "from 1 demonstration episode" not in text  # hybrid does not reach 95%
    assert "does not reach 95% success on in-distribution within 1 demonstration episode." in text
