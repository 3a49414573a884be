"""Errors of the symbolic layer: SWI-Prolog missing, unusable rule files, failed queries."""

from __future__ import annotations

from environments.errors import NeurocompError

__all__ = [
    "InductionError",
    "LanguageError",
    "PrologUnavailableError",
    "QueryError",
    "QueryLimitError",
    "RuleFileError",
    "RuleInterfaceError",
    "RuleSyntaxError",
    "UndefinedPredicateError",
    "UnsafeRuleError",
]

INSTALL_HINT = (
    "Neurocomp needs SWI-Prolog 9. Install it with `make setup` (Debian/Ubuntu: "
    "`sudo apt-get install -y --no-install-recommends swi-prolog-nox`; macOS: "
    "`brew install swi-prolog`; conda: `conda install -c conda-forge swi-prolog`)."
)


class PrologUnavailableError(NeurocompError, ImportError):
    """SWI-Prolog or pyswip is not installed or cannot start."""


class RuleFileError(NeurocompError, ValueError):
    """A rule file cannot be used; the message names the file and, where known, the line."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None) -> None:
        self.source, self.line = source, line
        where = f"{source}:{line}" if source and line else source
        super().__init__(f"{where}: {message}" if where else message)


class RuleSyntaxError(RuleFileError):
    """A rule file that is not valid Prolog."""


class UnsafeRuleError(RuleFileError):
    """A rule file that does something rules may not do (shell, files, halt, directives, ...)."""


class RuleInterfaceError(RuleFileError):
    """A rule file that lacks a predicate the game's reasoner asks about."""


class QueryError(NeurocompError, RuntimeError):
    """A query against a rule set failed inside Prolog."""


class UndefinedPredicateError(QueryError):
    """A query reached a predicate that no rule defines."""


class QueryLimitError(QueryError):
    """A query ran past its inference or time limit (the rules may loop)."""


class LanguageError(NeurocompError, ValueError):
    """A hypothesis-language file the rule learner cannot use (malformed, or a search with no
    bound); refused before anything is searched."""


class InductionError(NeurocompError, RuntimeError):
    """The rule learner could not learn a theory: the transitions contradict every theory in
    the language, or it stopped at its time or memory ceiling."""


class MissionError(NeurocompError, ValueError):
    """A mission the grammar cannot read (the words it could not read are in the message)."""
