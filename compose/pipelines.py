"""Pipelines: something that looks at a screen and picks an action, and can say why.

``OraclePipeline`` reads the environment's ground-truth Scene and hands it to the symbolic
reasoner: an upper bound that isolates reasoning from perception.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from environments.core import Action
from symbolic.reasoner import Decision, Reasoner, rules_path

__all__ = ["OraclePipeline", "Pipeline", "Step"]


@dataclass(frozen=True)
class Step:
    """One decision of a pipeline, with where its time went."""

    action: Action
    decision: Decision | None = None  # symbolic pipelines explain themselves
    perception_s: float = 0.0
    reasoning_s: float = 0.0

    @property
    def latency_s(self) -> float:
        return self.perception_s + self.reasoning_s

    def explain(self) -> str:
        if self.decision is None:
            return f"{self.action.name}: chosen by a network (no explanation)"
        return self.decision.explain()


class Pipeline(ABC):
    """Maps observations to actions. ``name`` says what it is in reports and run names."""

    name: str = "pipeline"

    def reset(self) -> None:  # noqa: B027  (optional hook, empty by default)
        """Called at the start of every episode."""

    @abstractmethod
    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        """Choose the next action for ``obs`` (``info`` is the environment's info dict)."""

    def describe(self) -> dict[str, Any]:
        """What the pipeline is made of, for summaries and reports."""
        return {"pipeline": self.name}


class OraclePipeline(Pipeline):
    """Ground-truth Scene → symbolic reasoner. Reads ``info["scene"]``, never the pixels."""

    name = "oracle"

    def __init__(self, reasoner: Reasoner) -> None:
        self.reasoner = reasoner

    @classmethod
    def for_game(
        cls, game: str, rules: str | Path | None = None, search: str = "networkx"
    ) -> OraclePipeline:
        """The oracle for ``game`` with its packaged rules, or with a user's ``rules`` file."""
        path = rules_path(game) if rules is None else rules
        return cls(Reasoner.from_file(path, search))  # type: ignore[arg-type]

    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        decision = self.reasoner.decide(info["scene"])
        return Step(decision.action, decision, reasoning_s=time.perf_counter() - t0)

    def describe(self) -> dict[str, Any]:
        ledger = self.reasoner.rules.ledger
        return {
            "pipeline": self.name,
            "rules": self.reasoner.rules.source,
            "search": self.reasoner.search,
            "rule_clauses": ledger.clauses,
            "rule_predicates": ledger.predicates,
            "rule_lines": ledger.lines,
        }
