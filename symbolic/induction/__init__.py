"""Rules learned from play: a learner that writes a game's rule clauses from transitions.

Given, and counted as given: one shared background for every game (``background.pl``) and a
declared hypothesis language (``language.toml``). Learned: the clauses a game's reasoner asks
for, as an ordinary rule file loaded through the same sandbox as a user's ``--rules`` file.
"""

from __future__ import annotations

from symbolic.induction.clauses import AnyOf, Clause, Example, Pair
from symbolic.induction.language import (
    LANGUAGE_PATH,
    TOGGLES_LANGUAGE_PATH,
    Language,
    load_language,
)
from symbolic.induction.learner import (
    BACKGROUND_PATH,
    InductionSettings,
    Theory,
    background_clauses,
    learn,
)
from symbolic.induction.transitions import (
    AgentEvidence,
    Evidence,
    Transition,
    agent_evidence,
    board_evidence,
    induce,
    toggle_evidence,
)

__all__ = [
    "BACKGROUND_PATH",
    "LANGUAGE_PATH",
    "TOGGLES_LANGUAGE_PATH",
    "AgentEvidence",
    "AnyOf",
    "Clause",
    "Evidence",
    "Example",
    "InductionSettings",
    "Language",
    "Pair",
    "Theory",
    "Transition",
    "agent_evidence",
    "background_clauses",
    "board_evidence",
    "induce",
    "learn",
    "load_language",
    "toggle_evidence",
]
