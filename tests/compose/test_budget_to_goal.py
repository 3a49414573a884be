"""Demonstrations needed for 95% success: budgets, censoring, ratios to the hybrid, the report.

Synthetic results whose answers are known: budgets 1, 3, 10, 30, 100; three seeds of 20 levels.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compose.analysis.goal import BudgetToGoal, budget_to_goal
from compose.analysis.results import Analysis, analyse
from compose.analysis.results_json import to_json
from compose.experiments.config import ExperimentConfig, SplitSpec
from compose.experiments.store import ResultRow
from compose.pipelines.spec import PipelineSpec
from compose.report import SECTIONS
from compose.report import learning as report
from compose.report.document import H, to_markdown

ENV = "neurocomp/KeyDoor-8x8-v0"
BUDGETS = [1, 3, 10, 30, 100]
LEVELS = 20
SEEDS = 3
SPLITS = ("in-distribution", "larger")


def solved(k: int) -> str:
    """One seed's outcomes: the first ``k`` of its levels solved."""
    return "1" * k + "0" * (LEVELS - k)


ALL, HALF, NONE = solved(LEVELS), solved(LEVELS // 2), solved(0)
NEARLY = [ALL, solved(LEVELS - 1), solved(LEVELS - 1)]  # 58 of 60: 96.7%, two failures


def row(pipeline: str, kind: str, budget: int, seed: int, split: str, outcomes: str) -> ResultRow:
    wins = outcomes.count("1")
    return ResultRow(
        job=f"{pipeline}-{budget}-{seed}",
        settings_hash="synthetic",
        env=ENV,
        pipeline=pipeline,
        kind=kind,
        budget=budget,
        seed=seed,
        split=split,
        split_env=ENV,
        episodes=len(outcomes),
        successes=wins,
        success_rate=wins / len(outcomes),
        mean_return=wins / len(outcomes),
        mean_steps=10.0,
        outcomes=outcomes,
        latency={},
        fit={},
        attribution=None,
        versions={},
    )


def rows_of(pipeline: str, kind: str, split: str, by_budget: dict[int, list[str]]) -> list:
    """Rows of one pipeline on one split: per budget, one outcome string per seed."""
    return [
        row(pipeline, kind, b, seed, split, o)
        for b, per_seed in by_budget.items()
        for seed, o in enumerate(per_seed)
    ]


def same(outcomes: str) -> list[str]:
    return [outcomes] * SEEDS


def config(*pipelines: PipelineSpec) -> ExperimentConfig:
    return ExperimentConfig(
        env=ENV,
        pipelines=list(pipelines),
        budgets=BUDGETS,
        seeds=SEEDS,
        episodes=LEVELS,
        splits=[SplitSpec(name=s) for s in SPLITS],
    )


HYBRID = PipelineSpec(kind="hybrid")
ABDUCED = PipelineSpec(kind="hybrid", supervision="abduced")
SMALL = PipelineSpec(kind="monolithic", size="small")
MEDIUM = PipelineSpec(kind="monolithic", size="medium")
POOLED = PipelineSpec(kind="monolithic", size="pooled")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    """- hybrid: 100% from one demonstration in distribution; 50% at every budget on larger.
    - mono-small: 95%+ only from 30 (0, 20, 50, 100, 100%); does not play larger.
    - mono-medium: 50% at every budget: never reaches 95%.
    - mono-pooled: 96.7% at 10 (two failures in 60), 100% from 30; reaches 95% at 30 on larger.
    """
    ind, larger = SPLITS
    rows = [
        *rows_of("hybrid", "hybrid", ind, {b: same(ALL) for b in BUDGETS}),
        *rows_of("hybrid", "hybrid", larger, {b: same(HALF) for b in BUDGETS}),
        *rows_of(
            "mono-small",
            "monolithic",
            ind,
            {1: same(NONE), 3: same(solved(4)), 10: same(HALF), 30: same(ALL), 100: same(ALL)},
        ),
        *[
            r
            for split in SPLITS
            for r in rows_of("mono-medium", "monolithic", split, {b: same(HALF) for b in BUDGETS})
        ],
        *rows_of(
            "mono-pooled",
            "monolithic",
            ind,
            {1: same(NONE), 3: same(HALF), 10: NEARLY, 30: same(ALL), 100: same(ALL)},
        ),
        *rows_of(
            "mono-pooled",
            "monolithic",
            larger,
            {1: same(NONE), 3: same(NONE), 10: same(HALF), 30: same(ALL), 100: same(ALL)},
        ),
        row("oracle", "oracle", 0, 0, ind, ALL),
    ]
    return analyse(rows, {}, config(HYBRID, SMALL, MEDIUM, POOLED, PipelineSpec(kind="oracle")))


def entry(a: Analysis, pipeline: str, split: str = SPLITS[0]) -> BudgetToGoal:
    (found,) = [g for g in a.budget_to_goal() if (g.pipeline, g.split) == (pipeline, split)]
    return found


def test_the_smallest_budget_reaching_95_percent(analysis):
    hybrid, small = entry(analysis, "hybrid"), entry(analysis, "mono-small")
    assert (hybrid.budget, hybrid.censored, hybrid.low, hybrid.high) == (1, False, 1, 1)
    assert (small.budget, small.censored, small.low, small.high) == (30, False, 30, 30)
    assert entry(analysis, "mono-pooled").budget == 10  # 58/60 = 96.7% counts
    assert entry(analysis, "mono-pooled", "larger").budget == 30


def test_one_entry_per_learner_and_split_it_played(analysis):
    keys = [(g.pipeline, g.split) for g in analysis.budget_to_goal()]
    assert keys == [
        ("hybrid", "in-distribution"),
        ("mono-small", "in-distribution"),
        ("mono-medium", "in-distribution"),
        ("mono-pooled", "in-distribution"),
        ("hybrid", "larger"),
        ("mono-medium", "larger"),
        ("mono-pooled", "larger"),
    ]  # no oracle; mono-small did not play larger


def test_a_pipeline_that_never_reaches_95_percent_is_censored_not_given_a_number(analysis):
    medium = entry(analysis, "mono-medium")
    assert medium.censored and medium.budget is None and medium.cap == 100
    assert medium.low is None and medium.high is None  # every replicate censored


def test_the_ratio_to_the_hybrid(analysis):
    small = entry(analysis, "mono-small")
    assert small.reference == "hybrid"
    assert small.ratio == 30 and not small.ratio_censored
    assert (small.ratio_low, small.ratio_high) == (30, 30)
    assert entry(analysis, "hybrid").ratio == 1


def test_a_censored_pipeline_has_a_lower_bound_for_its_ratio(analysis):
    medium = entry(analysis, "mono-medium")
    assert medium.ratio == 100 and medium.ratio_censored  # more than 100 / 1
    assert medium.ratio_low_censored and medium.ratio_high_censored


def test_no_ratio_when_the_reference_never_reaches_95_percent(analysis):
    for pipeline in ("hybrid", "mono-pooled", "mono-medium"):
        g = entry(analysis, pipeline, "larger")
        assert g.ratio is None and not g.ratio_censored, pipeline
    assert entry(analysis, "hybrid", "larger").censored


def test_the_interval_contains_the_estimate_and_reflects_the_noise(analysis):
    pooled = entry(analysis, "mono-pooled")
    # at 10 the two failures are sometimes drawn often enough to fall under 95%; at 3 never
    # high enough, at 30 always solved: the ends can only be 10 and 30
    assert (pooled.low, pooled.budget, pooled.high) == (10, 10, 30)
    assert (pooled.ratio_low, pooled.ratio, pooled.ratio_high) == (10, 10, 30)
    for g in analysis.budget_to_goal():
        if not g.censored:
            assert g.low is not None and g.low <= g.budget
            assert g.high is None or g.budget <= g.high


def test_the_bootstrap_is_deterministic(analysis):
    assert budget_to_goal(analysis) == budget_to_goal(analysis) == analysis.budget_to_goal()


def test_pipelines_are_resampled_on_the_same_seeds_and_levels():
    """A copy of the hybrid's noisy outcomes needs exactly as many demonstrations in every
    replicate: paired draws give ×1 [1–1]; independent draws would give 1/3 or 3 at times."""
    noisy = {1: same(HALF), 3: NEARLY, 10: same(ALL), 30: same(ALL), 100: same(ALL)}
    rows = [
        *rows_of("hybrid", "hybrid", SPLITS[0], noisy),
        *rows_of("mono-small", "monolithic", SPLITS[0], noisy),
    ]
    a = analyse(rows, {}, config(HYBRID, SMALL))
    hybrid, copy = a.budget_to_goal()
    assert (hybrid.low, hybrid.high) == (3, 10)  # the noise is there
    assert (copy.ratio, copy.ratio_low, copy.ratio_high) == (1, 1, 1)


def test_the_reference_is_the_labelled_hybrid_else_the_first_hybrid():
    reached = {b: same(ALL) for b in BUDGETS}
    rows = [
        *rows_of("hybrid-abduced", "hybrid", SPLITS[0], {**reached, 1: same(HALF)}),
        *rows_of("mono-small", "monolithic", SPLITS[0], {30: same(ALL), 100: same(ALL)}),
    ]
    a = analyse(rows, {}, config(ABDUCED, SMALL))
    assert a.reference_hybrid() == "hybrid-abduced"
    small = entry(a, "mono-small")
    assert small.reference == "hybrid-abduced" and small.ratio == 10  # 30 / 3
    both = analyse(
        [*rows, *rows_of("hybrid", "hybrid", SPLITS[0], reached)],
        {},
        config(ABDUCED, HYBRID, SMALL),
    )
    assert both.reference_hybrid() == "hybrid" and entry(both, "mono-small").ratio == 30


def test_results_json_has_the_budgets_to_95_percent(analysis):
    data = json.loads(json.dumps(to_json(analysis)))
    by_key = {(g["pipeline"], g["split"]): g for g in data["budget_to_goal"]}
    assert by_key[("mono-small", "in-distribution")]["budget"] == 30
    assert by_key[("mono-small", "in-distribution")]["ratio"] == 30
    medium = by_key[("mono-medium", "in-distribution")]
    assert medium["budget"] is None and medium["censored"] and medium["ratio_censored"]
    assert by_key[("hybrid", "larger")]["ratio"] is None


def test_the_report_section(analysis, tmp_path: Path):
    blocks = report.budget_to_goal(analysis)
    assert blocks[0] == H(2, "Demonstrations needed for 95% success")
    markdown = to_markdown("t", blocks, tmp_path)
    assert "| hybrid | 1 [1–1] | > 100 |" in markdown
    assert "| mono-small | 30 [30–30] | n/a |" in markdown
    assert "| mono-medium | > 100 | > 100 |" in markdown
    assert "| mono-pooled | 10 [10–30] | 30 [30–30] |" in markdown
    assert "| hybrid | ×1 (reference) | — |" in markdown
    assert "| mono-small | ×30 [30–30] | n/a |" in markdown
    assert "| mono-medium | > ×100 | — |" in markdown
    assert "| mono-pooled | ×10 [10–30] | — |" in markdown
    assert "did not reach 95% within the largest budget tried, 100 demonstration" in markdown
    assert "lower bound" in markdown


def test_the_section_follows_the_success_table():
    at = SECTIONS.index("Success rates")
    assert SECTIONS[at + 1] == "Demonstrations needed for 95% success"


def test_without_a_learner_the_section_says_so():
    a = analyse([row("oracle", "oracle", 0, 0, SPLITS[0], ALL)], {}, config(HYBRID))
    assert a.budget_to_goal() == []
    blocks = report.budget_to_goal(a)
    assert blocks[0] == H(2, "Demonstrations needed for 95% success") and len(blocks) == 2


def test_budgets_a_pipeline_did_not_play_are_said_not_taken_for_failures(tmp_path):
    """A run stopped before mono-small's small budgets: its first budget reaching 95% is 30,
    and the report says that 1, 3 and 10 were not run rather than implying they fell short."""
    ind = SPLITS[0]
    rows = [
        *rows_of("hybrid", "hybrid", ind, {b: same(ALL) for b in BUDGETS}),
        *rows_of("mono-small", "monolithic", ind, {30: same(ALL), 100: same(ALL)}),
        *rows_of("mono-medium", "monolithic", ind, {3: same(HALF), 100: same(HALF)}),
    ]
    a = analyse(rows, {}, config(HYBRID, SMALL, MEDIUM))
    small, medium = entry(a, "mono-small"), entry(a, "mono-medium")
    assert small.budget == 30 and small.unrun == (1, 3, 10)
    assert medium.budget is None and medium.unrun == (1, 10, 30)
    assert entry(a, "hybrid").unrun == ()
    markdown = to_markdown("t", report.budget_to_goal(a), tmp_path)
    assert "30 [30–30] (1, 3, 10 not run)" in markdown
    assert "> 100 (1, 10, 30 not run)" in markdown
    assert "×30 [30–30] (1, 3, 10 not run)" in markdown
