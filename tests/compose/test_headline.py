"""The headline: per split, the best hybrid against the best monolith (any size, augmentation
or training) and against PPO at its largest budget of frames, with paired differences — on
synthetic rows whose answers are known, including comparisons with a side missing."""

from __future__ import annotations

import json

import pytest

from compose.analysis.headline import HeadlineRow, headline
from compose.analysis.results import Analysis, analyse
from compose.analysis.results_json import to_json
from compose.analysis.verdicts import standing
from compose.common.stats import Estimate
from compose.report.document import to_markdown
from compose.report.who_won import who_won
from tests.compose.synthetic import (
    ABDUCED,
    HYBRID,
    LARGE_AUG,
    LEVELS,
    ORACLE,
    PPO,
    SMALL,
    SPLITS,
    config,
    rows_of,
    solved,
)

IND, LARGER = SPLITS
ALL, HALF, NONE = solved(LEVELS), solved(LEVELS // 2), solved(0)


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    """Budgets 1 and 10 demonstrations; PPO on 1,000 and 5,000 frames.

    in-distribution at 10: hybrid 100%, hybrid-abduced 50%; mono-small 0% (100% at 1, which
    the headline must not pick: it compares at the largest budget), mono-large-aug 20%; PPO
    50% at 5,000 frames (100% at 1,000, again not the largest); oracle 100%.
    larger at 10: hybrid 50%, hybrid-abduced 60%; no monolith plays it; PPO 100%.
    """
    rows = [
        *rows_of(HYBRID, 1, HALF),
        *rows_of(HYBRID, 10, ALL),
        *rows_of(HYBRID, 10, HALF, LARGER),
        *rows_of(ABDUCED, 10, HALF),
        *rows_of(ABDUCED, 10, solved(12), LARGER),
        *rows_of(SMALL, 1, ALL),
        *rows_of(SMALL, 10, NONE),
        *rows_of(LARGE_AUG, 10, solved(4)),
        *rows_of(PPO, 1000, ALL),
        *rows_of(PPO, 5000, HALF),
        *rows_of(PPO, 5000, ALL, LARGER),
        *rows_of(ORACLE, 0, ALL),
        *rows_of(ORACLE, 0, ALL, LARGER),
    ]
    return analyse(rows, {}, config(HYBRID, ABDUCED, SMALL, LARGE_AUG, PPO, ORACLE))


def by_split(a: Analysis) -> dict[str, HeadlineRow]:
    return {h.split: h for h in headline(a)}


def name(cell) -> str | None:
    return None if cell is None else cell.pipeline


def test_one_row_per_split_at_the_largest_demonstration_budget(analysis):
    rows = headline(analysis)
    assert [h.split for h in rows] == [IND, LARGER] and {h.budget for h in rows} == {10}


def test_the_best_of_each_side(analysis):
    ind = by_split(analysis)[IND]
    assert (name(ind.hybrid), ind.hybrid.budget) == ("hybrid", 10)
    assert (name(ind.monolith), ind.monolith.budget) == ("mono-large-aug", 10)
    assert (name(ind.ppo), ind.ppo.budget) == ("ppo", 5000)  # its largest, not its best
    assert name(ind.oracle) == "oracle"
    assert by_split(analysis)[LARGER].hybrid.pipeline == "hybrid-abduced"


def test_the_paired_differences_and_where_the_hybrid_stands(analysis):
    ind, larger = by_split(analysis)[IND], by_split(analysis)[LARGER]
    assert ind.hybrid_vs_monolith.value == pytest.approx(0.8)
    assert ind.hybrid_vs_ppo.value == pytest.approx(0.5)
    assert (ind.over_monolith, ind.over_ppo) == ("ahead", "ahead")
    assert larger.hybrid_vs_ppo.value == pytest.approx(-0.4)
    assert larger.over_ppo == "behind"
    assert larger.monolith is None and larger.hybrid_vs_monolith is None
    assert larger.over_monolith is None


def test_standing_reads_the_interval_not_the_point():
    assert standing(Estimate(0.05, -0.1, 0.2, 60)) == "within noise"
    assert standing(Estimate(0.0, -0.1, 0.1, 60)) == "within noise"
    assert standing(Estimate(0.3, 0.01, 0.5, 60)) == "ahead"
    assert standing(Estimate(-0.3, -0.5, -0.01, 60)) == "behind"
    assert standing(None) is None


def test_hybrids_that_tie_name_the_first_configured():
    rows = [*rows_of(ABDUCED, 10, ALL), *rows_of(HYBRID, 10, ALL), *rows_of(SMALL, 10, HALF)]
    a = analyse(rows, {}, config(HYBRID, ABDUCED, SMALL, budgets=[10]))
    (h,) = [h for h in headline(a) if h.split == IND]
    assert h.hybrid.pipeline == "hybrid" and h.monolith.pipeline == "mono-small"
    assert h.over_monolith == "ahead" and h.ppo is None and h.hybrid_vs_ppo is None


def test_a_difference_within_noise():
    rows = [*rows_of(HYBRID, 10, solved(11)), *rows_of(SMALL, 10, HALF)]
    (h,) = headline(analyse(rows, {}, config(HYBRID, SMALL, budgets=[10])))
    assert h.hybrid_vs_monolith.value == pytest.approx(0.05) and h.over_monolith == "within noise"


def test_without_a_hybrid_there_is_no_difference():
    rows = [*rows_of(SMALL, 10, HALF), *rows_of(PPO, 5000, ALL)]
    (h,) = headline(analyse(rows, {}, config(SMALL, PPO, budgets=[10])))
    assert h.hybrid is None and name(h.monolith) == "mono-small" and name(h.ppo) == "ppo"
    assert h.hybrid_vs_monolith is None and h.hybrid_vs_ppo is None


def test_a_split_only_the_oracle_played(tmp_path):
    rows = [*rows_of(HYBRID, 10, ALL), *rows_of(ORACLE, 0, ALL, LARGER)]
    a = analyse(rows, {}, config(HYBRID, ORACLE, budgets=[10]))
    (_, larger) = headline(a)
    assert (larger.hybrid, larger.monolith, larger.ppo) == (None, None, None)
    assert name(larger.oracle) == "oracle" and larger.hybrid_vs_monolith is None
    text = to_markdown("t", who_won(a), tmp_path)
    assert "- **larger**: no learner played it; oracle 100% [94–100]." in text


def test_only_the_oracle(tmp_path):
    a = analyse(rows_of(ORACLE, 0, ALL), {}, config(HYBRID, ORACLE))
    (h,) = headline(a)
    assert (h.budget, h.hybrid, h.monolith, h.ppo) == (0, None, None, None)
    assert name(h.oracle) == "oracle"
    assert "there is no winner to name" in to_markdown("t", who_won(a), tmp_path)


def test_sides_on_different_seeds_are_not_paired():
    rows = [*rows_of(HYBRID, 10, ALL), *rows_of(SMALL, 10, [HALF, HALF])]
    (h,) = headline(analyse(rows, {}, config(HYBRID, SMALL, budgets=[10])))
    assert name(h.monolith) == "mono-small" and h.hybrid_vs_monolith is None


def test_results_json_leads_with_the_headline(analysis):
    data = json.loads(json.dumps(to_json(analysis)))
    ind, larger = data["headline"]
    assert ind["split"] == IND and ind["budget"] == 10
    assert ind["hybrid"]["pipeline"] == "hybrid" and ind["hybrid"]["success_rate"] == 1.0
    assert ind["monolith"]["pipeline"] == "mono-large-aug"
    assert ind["ppo"]["budget"] == 5000 and ind["ppo"]["success_rate"] == 0.5
    gap = ind["hybrid_minus_monolith"]
    assert gap["difference"] == pytest.approx(0.8) and gap["standing"] == "ahead"
    assert gap["ci95"][0] < 0.8 < gap["ci95"][1]
    assert larger["monolith"] is None and larger["hybrid_minus_monolith"] is None
    assert larger["hybrid_minus_ppo"]["standing"] == "behind"


def test_the_report_leads_with_the_headline(analysis, tmp_path):
    text = to_markdown("t", who_won(analysis), tmp_path)
    ind, larger = by_split(analysis)[IND], by_split(analysis)[LARGER]
    gap = ind.hybrid_vs_monolith
    assert (
        f"- **in-distribution**: best hybrid **hybrid** {ind.hybrid.success.text()}; "
        f"best monolith mono-large-aug {ind.monolith.success.text()}: **hybrid ahead**, "
        f"+80 points [{100 * gap.low:+.0f}, {100 * gap.high:+.0f}]; "
        f"ppo (5k frames) {ind.ppo.success.text()}: **hybrid ahead**, +50 points ["
    ) in text
    assert (
        f"- **larger**: best hybrid **hybrid-abduced** {larger.hybrid.success.text()}; "
        "no monolithic network played it; "
        f"ppo (5k frames) {larger.ppo.success.text()}: **ppo ahead**, -40 points ["
    ) in text
    assert "At 10 demonstration episodes, the largest budget" in text
    assert text.index("best hybrid **hybrid**") < text.index("### Every learner")


def test_the_report_says_which_side_is_missing(tmp_path):
    rows = [*rows_of(SMALL, 10, HALF), *rows_of(HYBRID, 10, ALL, LARGER)]
    a = analyse(rows, {}, config(HYBRID, SMALL, budgets=[10]))
    text = to_markdown("t", who_won(a), tmp_path)
    assert "- **in-distribution**: no hybrid played it; best monolith mono-small 50% [" in text
    assert "- **larger**: best hybrid **hybrid** 100% [94–100]; no monolithic network" in text
    assert "PPO" not in text.split("### Every learner")[0].split("the largest budget")[1]
