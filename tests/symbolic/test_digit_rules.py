"""The addition rules, asked once, against real SWI-Prolog (CLP(FD) in the sandbox)."""

from __future__ import annotations

import pytest

from symbolic.digit_rules import load_sum_rules
from symbolic.errors import RuleFileError, RuleInterfaceError


def test_the_packaged_rules_allow_exactly_the_pairs_that_add_up():
    rules = load_sum_rules()
    assert rules.allows.shape == (19, 10, 10) and rules.allows.sum() == 100
    assert rules.allows[0].sum() == 1 and rules.allows[0, 0, 0]
    assert rules.allows[9].sum() == 10 and rules.allows[9, 4, 5] and not rules.allows[9, 4, 4]
    assert rules.knowledge()["questions"] == ["adds_up/3"]


def test_rules_for_something_else_or_with_answers_out_of_range_are_refused(tmp_path):
    other = tmp_path / "other.pl"
    other.write_text("sum_of(A, B, S) :- S is A + B.\n")
    with pytest.raises(RuleInterfaceError, match="adds_up/3"):
        load_sum_rules(other)
    wide = tmp_path / "wide.pl"
    wide.write_text("adds_up(A, B, S) :- between(0, 10, A), between(0, 9, B), S is A + B.\n")
    with pytest.raises(RuleFileError, match=r"adds_up\(10, 0, 10\): digits are 0 to 9"):
        load_sum_rules(wide)
    words = tmp_path / "words.pl"
    words.write_text("adds_up(one, two, three).\n")
    with pytest.raises(RuleFileError, match="not three integers"):
        load_sum_rules(words)
