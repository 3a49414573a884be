"""The rules of the digit tasks, asked once each: a rule set is pure, so the table of what it
allows is all a learner needs from Prolog.

:func:`load_sum_rules` loads ``symbolic/rules/addition.pl`` (or a user's file, checked with the
sandbox) and asks ``adds_up(A, B, S)`` for every answer; :class:`SumRules` keeps them as a
table of which digit pairs each sum allows. A file whose answers are not digits and sums in range is
refused with the answer named.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symbolic.engine import PrologEngine, RuleSet
from symbolic.errors import RuleFileError
from symbolic.reasoner import RULES_DIR
from symbolic.terms import Term, Var

__all__ = ["DIGITS", "MAX_SUM", "SumRules", "load_sum_rules"]

DIGITS = 10
MAX_SUM = 2 * (DIGITS - 1)


class SumRules:
    """What the addition rules allow: ``allows[s, a, b]`` is True if digits ``a`` and ``b`` may
    add up to ``s``."""

    questions = ("adds_up/3",)

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        a, b, s = Var("A"), Var("B"), Var("S")
        allows = np.zeros((MAX_SUM + 1, DIGITS, DIGITS), dtype=bool)
        for answer in rules.ask(Term("adds_up", a, b, s), [a, b, s]):
            if not all(isinstance(v, int) for v in answer):
                raise RuleFileError(
                    f"adds_up/3 answered {answer}, not three integers", source=rules.source
                )
            x, y, total = answer
            if not (0 <= x < DIGITS and 0 <= y < DIGITS and 0 <= total <= MAX_SUM):
                raise RuleFileError(
                    f"adds_up/3 answered adds_up({x}, {y}, {total}): digits are 0 to "
                    f"{DIGITS - 1} and their sums 0 to {MAX_SUM}",
                    source=rules.source,
                )
            allows[total, x, y] = True
        if not allows.any():
            raise RuleFileError(
                "adds_up/3 has no answer: no pair of digits adds up to anything",
                source=rules.source,
            )
        self.allows = allows

    def knowledge(self) -> dict[str, object]:
        """What the learner relies on, for ledgers."""
        ledger = self.rules.ledger
        return {
            "rules": self.rules.source,
            "questions": list(self.questions),
            "rule_clauses": ledger.clauses,
            "rule_predicates": ledger.predicates,
            "rule_lines": ledger.lines,
        }


def load_sum_rules(path: str | Path | None = None, *, trusted: bool = False) -> SumRules:
    """The addition rules, packaged or a user's ``path`` (checked with the sandbox unless
    ``trusted``), asked for every answer."""
    rules = PrologEngine.get().load_rules(
        path or RULES_DIR / "addition.pl",
        required=SumRules.questions,
        trusted=trusted,
        asker="the digit-addition learner",
    )
    return SumRules(rules)
