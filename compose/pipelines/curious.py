"""Curious play: how the hybrid whose rules are learned (:mod:`compose.pipelines.induced`)
gathers evidence beyond the demonstrations while its rules are still open. On a training level
it walks to a cell of a kind it never tried to enter with what it holds (or fetches what it
would need to hold), and steps in; the cells it has not yet found safe block its way
meanwhile. It plans with the game's own reasoner, given rules written here that say exactly
that, and every step it takes is a transition for the learner; frames and deaths are counted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from compose.common.levels import draw_levels
from environments.core import GridGame, Scene
from environments.spec import GameSpec
from symbolic.errors import NeurocompError
from symbolic.induction import AgentEvidence, Evidence, Transition
from symbolic.induction.clauses import atom
from symbolic.induction.facing import FacingEvidence
from symbolic.induction.learner import theory_text
from symbolic.induction.transitions import terrain_kinds
from symbolic.reasoner import Reasoner, load_reasoner, reasoner_class

__all__ = ["IDLE_LEVELS", "SPINS", "STILL_STEPS", "CuriousPlay", "readable_turns", "safe_kinds"]

IDLE_LEVELS = 20  # levels in a row with nothing to try there (no frame spent) end the play
RULED = ("blocks", "wins")  # what the rules of curious play define (the rest: nothing)
STILL_STEPS = 3  # steps of play in a row that changed nothing end the level
SPINS = 4  # turns in a row (once round) end the level


class CuriousPlay:
    """One bout of curious play on ``game``: scenes come from ``read`` (screens → scenes as
    perception reads them, None where it reads no single agent), evidence goes to ``gathered``,
    and plans use the ``learned`` clauses (and the turns of ``reasoner``, the rules learned so
    far) for what else the game's reasoner asks. At most ``budget`` frames."""

    def __init__(
        self,
        game: GameSpec,
        reasoner: Reasoner,
        learned: dict[str, Any],
        read: Callable[[np.ndarray], list[Scene | None]],
        gathered: AgentEvidence | FacingEvidence,
        budget: int,
    ) -> None:
        self.game, self.reasoner, self.learned = game, reasoner, learned
        self.read, self.gathered, self.budget = read, gathered, budget
        self.facing = isinstance(gathered, FacingEvidence)  # an agent with a heading
        self.frames = self.deaths = self.episodes = self.misreads = 0
        # the reasoners curious play plans with, by (targets, safe kinds)
        self._planners: dict[tuple[tuple[str, ...], tuple[str, ...]], Reasoner] = {}

    def play(
        self,
        env: GridGame,
        seed: int,
        held_out: Collection[str],
        transitions: list[Transition],
    ) -> dict[str, Any]:
        """Play training levels (never a ``held_out`` one where the game has enough) while
        some (kind, inventory) on the screen was never tried, adding each step's transition to
        ``transitions``; stop at the frame budget or after ``IDLE_LEVELS`` levels in a row with
        nothing to try. Returns the frames, deaths, episodes, levels and misreads of play."""
        idle = index = 0
        levels: set[str] = set()
        drawn: tuple[int, ...] = ()
        try:
            while self.frames < self.budget and idle < IDLE_LEVELS:
                if index == len(drawn):  # levels are drawn 16 at a time (the first are the same)
                    drawn = draw_levels(env, seed, "play", index + 16, avoid=held_out).seeds
                level = drawn[index]
                index += 1
                obs, _ = env.reset(seed=int(level))
                levels.add(env.unwrapped.level_key())  # type: ignore[attr-defined]
                tried_before = len(self.gathered.tried)
                self.episodes += self._play_level(env, obs, transitions)
                # A level on which nothing new was tried counts towards the end of play.
                idle = 0 if len(self.gathered.tried) > tried_before else idle + 1
        finally:
            for reasoner in self._planners.values():
                reasoner.rules.close()
            self._planners = {}
        return {
            "frames": self.frames,
            "deaths": self.deaths,
            "episodes": self.episodes,
            "levels": levels,
            "misreads": self.misreads,
        }

    def _play_level(self, env: GridGame, obs: np.ndarray, transitions: list[Transition]) -> bool:
        """Play the level ``env`` was reset to (showing ``obs``) until it ends, nothing is left
        to try there, play goes round in circles or perception loses the agent; whether any
        move was made."""
        gathered = self.gathered
        done = moved = False
        still = level_frames = spins = 0
        level_cap = 4 * env.height * env.width  # frames of play on one level, at most
        while not done and self.frames < self.budget:
            scene = self.read(obs[None])[0]
            if scene is None:
                break
            if isinstance(gathered, FacingEvidence):
                scene = Scene(self.game, scene.grid, scene.agent, gathered.held)
            action = None
            if isinstance(gathered, FacingEvidence):  # what is ahead, not yet tried
                action = gathered.untried_here(scene)
            if action is None:
                action = self._action(scene, gathered.evidence())
            if action is None or still >= STILL_STEPS or level_frames >= level_cap:
                break  # nothing to try, or play goes round in circles here
            spins = spins + 1 if self.game.actions.names[action] in ("left", "right") else 0
            if spins > SPINS:
                break  # turning on the spot: a heading perception cannot read
            moved = True
            obs, reward, terminated, truncated, _ = env.step(action)
            self.frames += 1
            done = bool(terminated or truncated)
            after = None if done else self.read(obs[None])[0]
            if terminated and reward <= 0:
                self.deaths += 1
            step = Transition(scene, action, after, float(reward), terminated)
            if (after is None and not done) or not gathered.is_move(step):
                self.misreads += 1  # perception lost the agent: no evidence, and a new level
                break
            kept = gathered.add(step, read=True) if self.facing else gathered.add(step)  # type: ignore[call-arg]
            transitions.append(kept or step)
            level_frames += 1
            still = still + 1 if after is not None and after == scene else 0
        return moved

    def _action(self, scene: Scene, evidence: Evidence) -> int | None:
        """The first move of a plan that enters a cell whose kind was never tried with what
        the agent holds (or, for one tried only while holding more, collects it first; for
        an agent with a heading, also one it never picked up or toggled); None if no such
        cell can be reached."""
        held = scene.inventory
        here = set(terrain_kinds(scene))
        open_cases = evidence.open_cases()
        safe = safe_kinds(evidence, held)
        targets = [k for k, h in open_cases if h == held and k in here]
        if isinstance(self.gathered, FacingEvidence):
            targets += sorted((self.gathered.untried_kinds(held) & here) - set(targets))
        if targets and (action := self._plan_into(scene, targets, safe)) is not None:
            return action
        # Cases open only with more in hand: fetch what is missing (a kind seen collected).
        wanted = {
            i for k, h in open_cases if k in here and k not in h and set(h) > set(held) for i in h
        }
        collected = {e.args[0] for e in evidence.examples if e.head == "collects" and e.positive}
        fetch = sorted((wanted - set(held)) & collected & here)
        return self._plan_into(scene, fetch, safe) if fetch else None

    def _plan_into(self, scene: Scene, targets: list[str], safe: set[str]) -> int | None:
        """The first move of a shortest plan that enters a cell of one of ``targets`` over
        ``safe`` cells alone (None if there is none): a plan by the game's own reasoner, with
        rules that say exactly that (written here, not by anyone for the game)."""
        key = (tuple(sorted(targets)), tuple(sorted(safe)))
        reasoner = self._planners.get(key)
        if reasoner is None:
            lines = [f"target({atom(k)})." for k in key[0]]
            lines += [f"safe({atom(k)})." for k in key[1]]
            lines += [
                ":- dynamic target/1, safe/1.",
                "blocks(K, _) :- \\+ target(K), \\+ safe(K).",
                "wins(K) :- target(K).",
            ]
            # what else the reasoner asks (how pieces move, how the agent turns, what a key
            # opens), as learned so far; what kills is left out: play is there to try it
            others = {
                q: self.learned.get(q, [])
                for q in reasoner_class(self.game).questions
                if q[:-2] not in (*RULED, "kills", "collects")
            }
            others |= {q: [] for q in ("kills/1", "collects/1")}
            if self.facing and (turns := readable_turns(self.reasoner)):
                others.pop("turns/3")
                lines += turns
            text = "\n".join(lines) + "\n" + theory_text(others)
            try:
                reasoner = load_reasoner(self.game, text=text, name="curious play", trusted=True)
            except NeurocompError:  # the rules learned so far cannot plan yet (no heading)
                return None
            self._planners[key] = reasoner
        reasoner.reset()
        decision = reasoner.decide(scene)
        return decision.action if decision.plan else None


def readable_turns(reasoner: Reasoner) -> list[str]:
    """Turns as ``reasoner``'s rules have them, but that a turn to a heading no agent kind
    shows (one perception cannot read) leaves the heading as it was: curious play never plans
    through one."""
    try:
        tables = reasoner.tables()  # type: ignore[attr-defined]
    except (AttributeError, NeurocompError):
        return []
    shown = set(tables.facing.values())
    out = []
    for (action, before), after in sorted(tables.turns.items()):
        if before in shown:
            to = after if after in shown else before
            out.append(f"turns({action}, {tables.headings[before]}, {tables.headings[to]}).")
    return out


def safe_kinds(evidence: Evidence, held: tuple[str, ...]) -> set[str]:
    """Kinds entered with ``held`` that neither ended the episode nor changed the inventory
    (as a rule): the cells curious play may cross on its way."""
    by_atom = {(e.head, e.args): e for e in evidence.examples}
    safe = set()
    for kind in evidence.constants["kind"]:
        entered = by_atom.get(("blocks", (kind, held)))
        if entered is None or entered.negative == 0 or entered.positive:
            continue
        # ended the episode or was collected at least as often as not (a death now and then
        # on a kind entered many times is a piece's doing, or a misread)
        ends = any(
            (e := by_atom.get((head, (kind,)))) is not None and e.positive >= max(1, e.negative)
            for head in ("kills", "wins", "collects")
        )
        if not ends:
            safe.add(kind)
    return safe
