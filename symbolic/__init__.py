"""Rules and search: SWI-Prolog rule sets (via pyswip) and the reasoners that plan over a Scene.

Each game names its reasoner (``symbolic/reasoners/<kind of planning>.py``) and has its rules
in ``symbolic/rules/<game>.pl``; :func:`load_reasoner` puts the two together.
"""

from __future__ import annotations

from symbolic.engine import PrologEngine, QueryLimits, RuleLedger, RuleSet
from symbolic.errors import (
    MissionError,
    PrologUnavailableError,
    QueryError,
    QueryLimitError,
    RuleFileError,
    RuleInterfaceError,
    RuleSyntaxError,
    UndefinedPredicateError,
    UnsafeRuleError,
)
from symbolic.missions import Goal, Mission, Thing, load_grammar, read_mission
from symbolic.reasoner import Decision, Reasoner, load_reasoner, rules_path
from symbolic.terms import PrologString, Term, Var

__all__ = [
    "Decision",
    "Goal",
    "Mission",
    "MissionError",
    "PrologEngine",
    "PrologString",
    "PrologUnavailableError",
    "QueryError",
    "QueryLimitError",
    "QueryLimits",
    "Reasoner",
    "RuleFileError",
    "RuleInterfaceError",
    "RuleLedger",
    "RuleSet",
    "RuleSyntaxError",
    "Term",
    "Thing",
    "UndefinedPredicateError",
    "UnsafeRuleError",
    "Var",
    "load_grammar",
    "load_reasoner",
    "read_mission",
    "rules_path",
]
