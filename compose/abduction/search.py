"""The search at the heart of abduction: scoring a reading of one episode's appearance groups
by the rules, and finding the best-scoring reading (see :mod:`compose.abduction.reading`)."""

from __future__ import annotations

import itertools

import numpy as np

from compose.common.symbols import reading_decoder
from environments.core import Scene
from environments.spec import GameSpec
from neural.data import Demonstrations
from symbolic.reasoner import Reasoner

__all__ = ["Scorer", "agent_sets", "ascend", "search_episode"]


class Scorer:
    """Scores readings on a fixed sample of demonstration steps, caching every decision."""

    def __init__(
        self,
        game: GameSpec,
        reasoner: Reasoner,
        groups: np.ndarray,
        demos: Demonstrations,
        steps: np.ndarray,
    ) -> None:
        self.game, self.reasoner, self.demos = game, reasoner, demos
        self.decoder = reading_decoder(game)
        self.groups, self.steps = groups, steps
        self.eye = np.eye(game.num_kinds, dtype=np.float32)
        self.cache: dict[tuple[bytes, tuple[str, ...]], tuple[int, ...]] = {}
        self.forecasts: dict[tuple[bytes, int], np.ndarray | None] = {}
        self.evaluations = 0
        self.prior: np.ndarray | None = None  # (G, K) in [-1, 0]: how likely each kind is
        ends = {
            int(e): int(np.flatnonzero(demos.episodes == e).max())
            for e in np.unique(demos.episodes)
        }
        self.future = [
            tuple(int(a) for a in demos.actions[i : ends[int(demos.episodes[i])] + 1])
            for i in steps
        ]

    def decide(self, grid: np.ndarray, held: tuple[str, ...]) -> tuple[int, ...]:
        """The reasoner's plan on the scene ``grid`` shows (empty if it finds none)."""
        key = (grid.tobytes(), held)
        hit = self.cache.get(key)
        if hit is None:
            try:
                scene = self.decoder(self.game, self.eye[grid])
                if self.game.hidden_inventory:
                    scene = Scene(self.game, scene.grid, scene.agent, held)
                self.reasoner.reset()
                decision = self.reasoner.decide(scene)
                hit = tuple(decision.plan) if decision.plan else ()
                if hit and hit[0] != decision.action:
                    hit = (decision.action,)
            except (ValueError, KeyError, IndexError, AssertionError):
                hit = ()  # a grid that is no scene of the game (e.g. no agent at all)
            self.cache[key] = hit
        return hit

    def follows(self, grid: np.ndarray, action: int, after: np.ndarray) -> bool:
        """Whether the rules, on the scene ``grid`` shows, say that ``action`` leads to the scene
        ``after`` shows (a piece read as one that moves must move as that kind does; one read
        as still must stay). True where the reasoner does not predict screens."""
        if not self.reasoner.predicts:
            return True
        key = (grid.tobytes(), action)
        if key not in self.forecasts:
            try:
                scene = self.decoder(self.game, self.eye[grid])
                self.forecasts[key] = self.reasoner.predict(scene, action)
            except (ValueError, KeyError, IndexError, AssertionError):
                self.forecasts[key] = None
        predicted = self.forecasts[key]
        return predicted is not None and bool(((predicted == after) | (predicted < 0)).all())

    def held_before(self, reading: np.ndarray) -> dict[int, tuple[str, ...]]:
        """What the agent holds at each scored step, tracked from the first screen of its
        episode through the expert's actions (only where the screen does not show it)."""
        if not self.game.hidden_inventory:
            return {}
        held: dict[int, tuple[str, ...]] = {}
        episodes = self.demos.episodes
        last = int(self.steps.max()) + 1  # and the screen after the last scored step
        for episode in np.unique(episodes[self.steps]):
            carry: tuple[str, ...] = ()
            for i in np.flatnonzero(episodes == episode):
                if i > last:
                    break
                held[int(i)] = carry
                try:
                    scene = self.decoder(self.game, self.eye[reading[self.groups[i]]])
                    scene = Scene(self.game, scene.grid, scene.agent, carry)
                    carry = self.reasoner.carried_after(scene, int(self.demos.actions[i]))
                except (ValueError, KeyError, IndexError, AssertionError):
                    pass
        return held

    def matches(self, reading: np.ndarray) -> np.ndarray:
        """Per scored step, how well the reading explains the expert's action there: 1 if the
        action is optimal under it (the reasoner's shortest plan from the next screen, as
        read, is one step shorter than from this one: the expert may break ties between
        equally short plans otherwise than the reasoner), else the share of the expert's
        remaining actions that the reasoner's plan reproduces from the start (0: not even the
        first). A trivial reading (every cell a goal) plans one step everywhere and scores
        almost nothing. A step whose next screen is not the one the rules predict from it
        explains nothing."""
        held = self.held_before(reading)
        out = np.zeros(len(self.steps))
        last = len(self.demos) - 1
        for j, i in enumerate(self.steps):
            grid = reading[self.groups[i]]
            after = reading[self.groups[i + 1]] if i < last else None
            if after is not None and not self.follows(grid, int(self.demos.actions[i]), after):
                continue
            plan = self.decide(grid, held.get(int(i), ()))
            future = self.future[j]
            same = 0
            for a, b in zip(plan, future, strict=False):
                if a != b:
                    break
                same += 1
            out[j] = same / len(future)
            if out[j] < 1 and after is not None and len(plan) > 1:
                rest = self.decide(after, held.get(int(i) + 1, ()))
                if len(rest) == len(plan) - 1:
                    out[j] = 1.0
        return out

    def score(self, reading: np.ndarray) -> float:
        """Steps explained, plus a tie-breaking hundredth of a step for the most probable
        reading by ``prior`` (per group and kind, in [-1, 0]) when there is one."""
        self.evaluations += 1
        total = float(self.matches(reading).sum())
        if self.prior is not None:
            total += 0.01 * float(self.prior[np.arange(len(reading)), reading].mean())
        return total

    def explained(self, reading: np.ndarray) -> bool:
        """Whether this reading makes sense of the episode: on nine scored steps in ten the
        reasoner starts with the expert's action, and its plans reproduce nine tenths of the
        expert's play (the expert and the reasoner may break ties between equally short plans
        differently, so a true reading need not score every step)."""
        share = self.matches(reading)
        return bool((share > 0).mean() >= 0.9 and share.mean() >= 0.9)


def agent_sets(groups: np.ndarray, limit: int = 8) -> list[tuple[int, ...]]:
    """Sets of appearance groups that could be the agent, smallest first: under the one-agent
    assumption the agent's groups together show exactly one cell on every screen."""
    counts = np.stack([(groups == g).sum(axis=(1, 2)) for g in range(int(groups.max()) + 1)], 1)
    lone = [g for g in range(counts.shape[1]) if counts[:, g].max() <= 1]
    found: list[tuple[int, ...]] = []
    for size in range(1, min(len(lone), 6) + 1):
        for subset in itertools.combinations(lone, size):
            if (counts[:, subset].sum(axis=1) == 1).all():
                found.append(subset)
                if len(found) >= limit:
                    return found
    return found


def ascend(
    scorer: Scorer, reading: np.ndarray, choices: dict[int, list[int]], passes: int
) -> tuple[np.ndarray, float]:
    """Coordinate ascent: each group tries each of its possible kinds, keeping the best; where
    no single change helps, pairs of changes whose first alone changes nothing are tried (a
    door that needs a key means something only once the key is read as one)."""
    best = scorer.score(reading)
    for _ in range(passes):
        improved, neutral = False, []
        for g, kinds in choices.items():
            for k in kinds:
                if k == reading[g]:
                    continue
                trial = reading.copy()
                trial[g] = k
                s = scorer.score(trial)
                if s > best + 1e-9:
                    reading, best, improved = trial, s, True
                elif abs(s - best) <= 1e-9:
                    neutral.append((g, k))
        if improved:
            continue
        pair: tuple[float, np.ndarray] | None = None
        for g, k in neutral:
            for g2, kinds in choices.items():
                if g2 == g:
                    continue
                for k2 in kinds:
                    if k2 == reading[g2]:
                        continue
                    trial = reading.copy()
                    trial[g], trial[g2] = k, k2
                    s = scorer.score(trial)
                    if s > best + 1e-9 and (pair is None or s > pair[0]):
                        pair = (s, trial)
        if pair is None:
            break
        best, reading = pair
    return reading, best


def search_episode(
    scorer: Scorer, game: GameSpec, passes: int, budget: int = 6000
) -> tuple[np.ndarray, float]:
    """The best reading found of one episode's appearance groups.

    Groups are of three sorts. The agent's (under the one-agent assumption, the groups that
    together show exactly one cell per screen) read as agent kinds. Objects -- the other groups
    with at most one cell per screen, such as a key, a door, a goal -- matter together (a door
    that needs a key means something only once the key is read as one), so their kinds are
    searched exhaustively when there are few enough. The rest (floors, walls, ...) are found by
    coordinate ascent.
    """
    groups = scorer.groups
    n_groups = int(groups.max()) + 1
    agents = list(game.agent_kinds)
    others = [k for k in range(game.num_kinds) if k not in agents] or list(range(game.num_kinds))
    counts = np.stack([(groups == g).sum(axis=(1, 2)) for g in range(n_groups)], 1)
    candidates: list[tuple[int, ...]] = [()]
    if agents and scorer.decoder.name == "one-agent":
        candidates = agent_sets(groups) or [()]
    best: tuple[float, np.ndarray] | None = None
    for subset in candidates:
        choices = {g: (agents if g in subset else others) for g in range(n_groups)}
        starts = []
        for k in others:  # every group read as one kind, the agent as the agent
            start = np.full(n_groups, k, dtype=np.int64)
            if subset:
                start[list(subset)] = agents[0]
            starts.append((scorer.score(start), start))
        _, reading = max(starts, key=lambda s: s[0])
        reading, score = ascend(scorer, reading, choices, passes)
        objects = [g for g in range(n_groups) if g not in subset and counts[:, g].max() <= 1]
        joint = list(subset) + objects
        space = int(np.prod([len(choices[g]) for g in joint])) if joint else 0
        if 1 < space <= budget:
            for combo in itertools.product(*(choices[g] for g in joint)):
                trial = reading.copy()
                trial[joint] = combo
                s = scorer.score(trial)
                if s > score + 1e-9:
                    reading, score = trial, s
            reading, score = ascend(scorer, reading, choices, passes)
        if best is None or score > best[0]:
            best = (score, reading)
        if score >= len(scorer.steps) - 1e-9:
            break  # every step explained
    assert best is not None
    return best[1], best[0]
