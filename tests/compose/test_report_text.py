"""How the report words counts: singular for exactly one, plural otherwise."""

from __future__ import annotations

from compose.analysis.results import counted, frames_text
from compose.common.stats import Estimate
from compose.report.text import listed, points, signed_points


def test_a_count_and_its_noun():
    assert counted(1, "demonstration episode") == "1 demonstration episode"
    assert counted(0, "step") == "0 steps"
    assert counted(3000, "level") == "3,000 levels"
    assert counted(2, "ply", "plies") == "2 plies"


def test_a_list_of_numbers_and_its_noun():
    assert listed([1], "episode") == "1 episode"
    assert listed([1, 3, 1000], "episode") == "1, 3, 1,000 episodes"
    assert listed([3], "episode", " / ") == "3 episodes"


def test_frames():
    assert (frames_text(1), frames_text(999), frames_text(100_000)) == (
        "1 frame",
        "999 frames",
        "100k frames",
    )
    assert frames_text(2_000_000) == "2M frames"


def test_points_of_a_difference():
    one = Estimate(0.01, -0.05, 0.08, 100)
    assert points(one) == "1 point [-5–8]"
    assert signed_points(one) == "+1 point [-5, +8]"
    assert signed_points(Estimate(-0.4, -0.53, -0.27, 60)) == "-40 points [-53, -27]"


def test_the_rules_audit_names_the_broken_rule_summed_over_seeds(tmp_path):
    """Rows whose evaluation contradicted kills(lava) (the oracle with lava taken out of its
    rules): the report says so per split, with the transitions summed over seeds; a comparison
    whose rows were never audited has no such section."""
    from dataclasses import replace

    from compose.analysis.results import analyse
    from compose.report.document import to_markdown
    from compose.report.rules import rules_audit
    from tests.compose.synthetic import HYBRID, ORACLE, config, rows_of, solved

    audited = {"rules_audited": 40, "rules_contradicted": [["kills(lava)", False, 2]]}
    clean = {"rules_audited": 30, "rules_contradicted": []}
    rows = [replace(r, attribution=audited) for r in rows_of(ORACLE, 0, solved(18))]
    rows += [replace(r, attribution=clean) for r in rows_of(HYBRID, 1, solved(10))]
    rows += rows_of(HYBRID, 10, solved(12))
    a = analyse(rows, {}, config(HYBRID, ORACLE, splits=("in-distribution",)))
    text = to_markdown("audit", rules_audit(a), tmp_path)
    assert "oracle (120 transitions)" in text and "hybrid (90 transitions)" in text
    assert (
        "oracle, in-distribution: your rules say lava does not kill, but episodes ended in "
        "failure on it: 6 transitions" in text
    )
    assert "hybrid, in-distribution" not in text
    unaudited = rows_of(HYBRID, 1, solved(10)) + rows_of(ORACLE, 0, solved(18))
    assert rules_audit(analyse(unaudited, {}, config(HYBRID, ORACLE))) == []
