"""Checking rules against play: held-out transitions and how many a rule file predicts
exactly, and the audit (what a run's transitions contradict in the rules it played by), for
``run --explain``, a fit report and the comparison report's rows."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from environments.core import GridGame, Scene
from symbolic.errors import QueryError
from symbolic.induction import AgentEvidence, Transition
from symbolic.induction.audit import AUDITED, contradictions
from symbolic.reasoner import Reasoner

__all__ = [
    "TransitionRecorder",
    "audit_lines",
    "auditable",
    "audited_rules",
    "episode_transitions",
    "prediction_accuracy",
    "random_transitions",
    "rules_audit",
]


def random_transitions(
    env: GridGame, level_seeds: Sequence[int], count: int, seed: int = 0
) -> list[tuple[Scene, int, np.ndarray | None]]:
    """``count`` transitions of uniformly random moves on ``level_seeds`` (in turn), in the
    game's true scenes: (scene, action, the next grid of kinds, or None if the episode ended).
    Measured against, never learned from."""
    rng = np.random.default_rng(seed)
    out: list[tuple[Scene, int, np.ndarray | None]] = []
    i = 0
    while len(out) < count:
        _, info = env.reset(seed=int(level_seeds[i % len(level_seeds)]))
        i += 1
        done = False
        while not done and len(out) < count:
            scene = info["scene"]
            action = int(rng.integers(env.action_space.n))  # type: ignore[attr-defined]
            _, _, terminated, truncated, info = env.step(action)
            done = bool(terminated or truncated)
            out.append((scene, action, None if terminated else info["scene"].grid))
    return out


def prediction_accuracy(
    reasoner: Reasoner, transitions: Sequence[tuple[Scene, int, np.ndarray | None]]
) -> float:
    """The share of ``transitions`` whose next state the rules predict exactly: the episode
    ends or not as predicted, and every cell of the next screen is the predicted kind (but the
    cell the agent left, which the screen never showed)."""
    right = 0
    for scene, action, after in transitions:
        try:
            predicted = reasoner.predict(scene, action)
        except QueryError:  # a scene the rules cannot read (an agent kind with no heading)
            continue
        if predicted is None or after is None:
            right += predicted is None and after is None
            continue
        seen = predicted >= 0
        right += bool(np.array_equal(predicted[seen], after[seen]))
    return right / len(transitions) if transitions else float("nan")


class TransitionRecorder:
    """Keeps the transitions of an evaluation played one level at a time (``together=1``), in
    the game's true scenes: pass :meth:`observe` and :meth:`episode` to ``evaluate``. An
    episode cut short (a loop, or the step limit) decides nothing about its last move."""

    def __init__(self, max_steps: int) -> None:
        self.max_steps = max_steps
        self.transitions: list[Transition] = []
        self._last: tuple[Scene, int] | None = None

    def observe(self, step: Any, info: dict[str, Any]) -> None:
        scene = info["scene"]
        if self._last is not None:
            self.transitions.append(Transition(self._last[0], self._last[1], scene))
        self._last = (scene, int(step.action))

    def episode(self, result: Any) -> None:
        ended = result.success or (not result.looped and result.steps < self.max_steps)
        if self._last is not None and ended:
            reward = 1.0 if result.success else 0.0
            self.transitions.append(Transition(*self._last, None, reward, True))
        self._last = None


def audit_lines(rules: Any, transitions: Sequence[Transition]) -> list[str]:
    """What the transitions of a run contradict in ``rules`` (a RuleSet of an agent game), a
    line each, most transitions first; empty when nothing does."""
    gathered = AgentEvidence()
    for t in transitions:
        gathered.add(t)
    return [c.sentence() for c in contradictions(rules, gathered.evidence())]


def auditable(pipe: Any) -> bool:
    """Whether play can audit the rules ``pipe`` plays by (an agent game's questions, in the
    game's own kinds or translated to them)."""
    reasoner = getattr(pipe, "reasoner", None)
    if reasoner is None or not set(AUDITED) <= set(reasoner.questions):
        return False
    return audited_rules(pipe) is not None


def audited_rules(pipe: Any) -> Any:
    """The rules ``pipe`` plays by, in the game's true kinds, as an audit in true scenes reads
    them: its reasoner's; for a pipeline that reasons over symbols it invented, their
    translation (``pipe.true_rules()``, None where it has none)."""
    translated = getattr(pipe, "true_rules", None)
    return translated() if translated is not None else pipe.reasoner.rules


def episode_transitions(result: Any, max_steps: int) -> list[Transition]:
    """The transitions of a recorded episode (``EpisodeResult`` with its trace), in the game's
    true scenes; a last step cut short (a loop, or the step limit) decides nothing."""
    trace = result.trace or []
    out = []
    for (step, info), (_, following) in itertools.pairwise(trace):
        out.append(Transition(info["scene"], int(step.action), following["scene"]))
    ended = result.success or (not result.looped and result.steps < max_steps)
    if trace and ended:
        step, info = trace[-1]
        reward = 1.0 if result.success else 0.0
        out.append(Transition(info["scene"], int(step.action), None, reward, True))
    return out


def rules_audit(pipe: Any, episodes: Sequence[Any], env: Any) -> dict[str, Any]:
    """What the recorded ``episodes`` contradict in the rules ``pipe`` plays by, for a row:
    each contradiction as ``[atom, what the rules say, transitions]``, most first."""
    max_steps = int(env.unwrapped.max_steps)
    transitions = [t for e in episodes for t in episode_transitions(e, max_steps)]
    gathered = AgentEvidence()
    for t in transitions:
        gathered.add(t)
    found = contradictions(audited_rules(pipe), gathered.evidence())
    return {
        "rules_audited": len(transitions),
        "rules_contradicted": [[c.atom, c.rules_say, c.count] for c in found],
    }
