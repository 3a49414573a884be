"""Rules and search: SWI-Prolog rule sets (via pyswip) and a reasoner that plans over a Scene."""

from __future__ import annotations

from symbolic.engine import PrologEngine, QueryLimits, RuleLedger, RuleSet
from symbolic.errors import (
    PrologUnavailableError,
    QueryError,
    QueryLimitError,
    RuleFileError,
    RuleInterfaceError,
    RuleSyntaxError,
    UndefinedPredicateError,
    UnsafeRuleError,
)
from symbolic.terms import PrologString, Term, Var

__all__ = [
    "PrologEngine",
    "PrologString",
    "PrologUnavailableError",
    "QueryError",
    "QueryLimitError",
    "QueryLimits",
    "RuleFileError",
    "RuleInterfaceError",
    "RuleLedger",
    "RuleSet",
    "RuleSyntaxError",
    "Term",
    "UndefinedPredicateError",
    "UnsafeRuleError",
    "Var",
]
