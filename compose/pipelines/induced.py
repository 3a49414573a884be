"""``hybrid-induced``: the hybrid whose game rules nobody wrote.

Perception learns as the hybrid's does (labelled cells). The rules are learned
(:mod:`symbolic.induction`) from transitions read through that perception: first the
demonstrations, then, where the rules are still open, the pipeline's own play. Play is
curious (:mod:`compose.pipelines.curious`): on a training level it walks to a cell of a kind
it never tried to enter with what it holds, and steps in; the cells it has not yet found safe
block its way meanwhile. Every frame of that play is counted, and so is every death.

Given, and counted as given: the shared background and the hypothesis language (see
:mod:`symbolic.induction`), and that a demonstration ends in a win. Learned: every clause the
game's reasoner asks about. The learned rules are an ordinary rule file, loaded through the
sandbox like a user's, saved with the pipeline and printed in the report.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from compose.common.levels import draw_levels
from compose.pipelines.base import DEFAULT_TRAINING, FitReport
from compose.pipelines.curious import CuriousPlay
from compose.pipelines.hybrid import HybridPipeline
from compose.pipelines.rule_checks import prediction_accuracy, random_transitions
from compose.pipelines.spec import PipelineSpec
from environments.core import GridGame, Scene
from environments.spec import MOVE_DELTAS, GameSpec
from neural.data import Demonstrations
from neural.train import TrainConfig
from symbolic.engine import PrologEngine
from symbolic.errors import InductionError, NeurocompError, QueryError
from symbolic.induction import (
    AgentEvidence,
    Evidence,
    InductionSettings,
    Language,
    Theory,
    Transition,
    background_clauses,
    board_evidence,
    induce,
    load_language,
    toggle_evidence,
)
from symbolic.induction.facing import FacingEvidence
from symbolic.induction.language import language_path, refusal
from symbolic.induction.learner import theory_text
from symbolic.induction.movers import ENTERS, MOVES, MoverLaws, learn_movers
from symbolic.reasoner import Reasoner, load_reasoner, one_screen_refusal, reasoner_class

__all__ = [
    "CHECK_TRANSITIONS",
    "PLAY_FRAMES",
    "InducedHybridPipeline",
    "induction_refusal",
]

PLAY_FRAMES = 2000  # environment frames of own play, at most, while rules are open
CHECK_TRANSITIONS = 1000  # held-out transitions a fit report checks the learned rules on


def induction_refusal(game: GameSpec, supervision: str | None = None) -> str | None:
    """Why rules cannot be learned for ``game`` (yet), or None."""
    if why := one_screen_refusal(game, "rule learning"):
        return why
    questions, values = reasoner_class(game).questions, len(game.actions.values)
    return refusal(game.title, questions, supervision, values)


def empty_rules(language: Language) -> str:
    """What an agent knows before it learns: nothing (every head declared, no clause; the
    shared background for the questions it answers from them)."""
    return "/*  No rule learned yet. */\n" + theory_text({q: [] for q in language.indicators()})


class InducedHybridPipeline(HybridPipeline):
    """Screen → per-cell perception → Scene → rules learned from play + search."""

    def __init__(
        self,
        game: GameSpec,
        tile: int = 8,
        *,
        search: str | None = None,
        augment: str | None = None,
        perception_kind: str = "linear",
        supervision: str = "labels",
        rules_text: str | None = None,
        rules_name: str = "learned rules",
        play_frames: int = PLAY_FRAMES,
        language: str | Path | None = None,
        settings: InductionSettings | None = None,
    ) -> None:
        if why := induction_refusal(game, supervision):
            raise ValueError(f"hybrid-induced: {why}")
        questions = reasoner_class(game).questions
        self.language = load_language(language or language_path(questions), needs=questions)
        self.presses = "lit/1" in questions  # a game whose action presses a cell
        self.movers = MOVES in questions  # an agent game whose other pieces move
        self.writes = "digit/2" in questions  # a game whose action writes a value in a cell
        # what the agent's evidence decides (a mover's law is chosen by prediction)
        self.agent_language = self.language.model_copy(
            update={
                "heads": {
                    h: t
                    for h, t in self.language.heads.items()
                    if f"{h}/{len(t)}" not in (MOVES, ENTERS)
                }
            }
        )
        self.laws: MoverLaws | None = None
        self.facing = "heading/2" in questions  # an agent with a heading (MiniGrid)
        self.settings = settings or InductionSettings()
        self.play_frames = play_frames
        self.theory: Theory | None = None
        self.transitions: list[Transition] = []
        if rules_text is None:  # nothing learned yet: not probed (a Sudoku reasoner asks
            # digit/2 of every value at once, which no rule answers before learning)
            rules = PrologEngine.get().load_rules(
                text=empty_rules(self.language), name="no rules yet", trusted=True
            )
            reasoner = reasoner_class(game)(rules, game, search)
        else:
            reasoner = self._reasoner(game, rules_text, search, rules_name)
        super().__init__(reasoner, tile=tile, augment=augment, perception_kind=perception_kind)

    @staticmethod
    def _reasoner(
        game: GameSpec, text: str, search: str | None, name: str = "learned rules"
    ) -> Reasoner:
        """The game's reasoner with rules given as text, checked by the sandbox as a user's
        rule file is."""
        return load_reasoner(game, search=search, text=text, name=name)

    @property
    def spec(self) -> PipelineSpec:
        return super().spec.model_copy(update={"rules": "induced"})

    # -- learning ----------------------------------------------------------------------------
    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Perception as the hybrid's; rules from the demonstrations alone (no play)."""
        return self.fit_with_play(None, demos, 0, config)

    def fit_with_play(
        self,
        env: GridGame | None,
        demos: Demonstrations,
        seed: int,
        config: TrainConfig = DEFAULT_TRAINING,
        held_out: Collection[str] = frozenset(),
    ) -> FitReport:
        """Train perception on the demonstrations' labelled cells; learn rules from the
        demonstrations read through it; then, on ``env`` (if given), play curiously on
        training levels (never a ``held_out`` one where the game has enough) while rules are
        open and frames remain, and learn again."""
        report = super().fit(demos, config)
        t0 = time.perf_counter()
        self.transitions = self._demonstrated(demos)  # what the rules were learned from
        play: dict[str, Any] = {"frames": 0, "deaths": 0, "episodes": 0, "misreads": 0}
        play["levels"] = frozenset()
        if self.presses:  # every press shows what it flips: the demonstrations suffice
            evidence = toggle_evidence(self.transitions)
            theory = self._learn(evidence)
            if evidence.unidentified:  # the boards wins left, by the presses learned so far
                evidence = toggle_evidence(self.transitions, self._flips)
                theory = self._learn(evidence)
        elif self.writes:  # every write shows its digit, every solved board its groups
            evidence = board_evidence(self.transitions)
            theory = self._learn(evidence)
        else:  # an agent's moves: the demonstrations, then curious play
            evidence, theory, played = self._learn_playing(env, seed, held_out)
            play.update(played or {})
        accuracy = None if env is None else self._prediction_accuracy(env, seed)
        report.rule_clauses = 0  # nothing hand-written about this game
        report.actions = len(demos)  # the expert's moves are part of every transition
        report.frames += int(play["frames"])
        report.levels = report.levels | play["levels"]
        report.train_seconds += time.perf_counter() - t0
        report.extra.update(
            {
                "rules_learned": theory.learned_clauses,
                "rules_given": theory.given_clauses,
                "rules_hand_written": 0,
                "induction_seconds": round(time.perf_counter() - t0, 3),
                "learner_seconds": round(theory.seconds, 3),
                "play_frames": int(play["frames"]),
                "play_deaths": int(play["deaths"]),
                "play_episodes": int(play["episodes"]),
                # steps of play whose screens perception read as no move (left out)
                "play_misreads": int(play["misreads"]),
                "transitions": evidence.transitions,
                "transitions_unexplained": evidence.unexplained,
                "examples_unexplained": theory.unexplained,
                "unidentified": list(theory.unidentified),
                "kinds_seen": sorted(evidence.constants.get("kind", ())),
                "prediction_accuracy": accuracy,
                "learned_rules": self.reasoner.rules.text,
            }
        )
        return report

    def _learn_playing(
        self, env: GridGame | None, seed: int, held_out: Collection[str]
    ) -> tuple[Evidence, Theory, dict[str, Any] | None]:
        """Rules of an agent's moves learned from the demonstrations, then, on ``env`` (if
        given, and ``play_frames`` allow), from curious play (:mod:`compose.pipelines.curious`)
        as well: the evidence last learned from, the rules, and what play counted (None
        without play)."""
        gathered = self._gatherer()
        for t in self.transitions:
            gathered.add(t)
        if self.facing:  # with what the agent carries, tracked
            self.transitions = list(gathered.transitions)
        evidence = gathered.evidence()
        playing = env is not None and self.play_frames > 0
        theory = self._learn(evidence, final=not playing)
        if env is None or not playing:
            return evidence, theory, None
        curious = CuriousPlay(
            self.game, self.reasoner, theory.clauses, self._read, gathered, self.play_frames
        )
        play = curious.play(env, seed, held_out, self.transitions)
        evidence = gathered.evidence()
        return evidence, self._learn(evidence), play

    def _prediction_accuracy(self, env: GridGame, seed: int) -> float | None:
        """How often the rules predict the next screen of ``CHECK_TRANSITIONS`` random
        transitions on the evaluation stream's levels (None if they do not let the reasoner
        predict screens)."""
        check = draw_levels(env, seed, "eval", 20).seeds
        try:
            return prediction_accuracy(
                self.reasoner, random_transitions(env, check, CHECK_TRANSITIONS, seed)
            )
        except NotImplementedError:
            return None

    def _learn(self, evidence: Evidence, final: bool = True) -> Theory:
        """Learn from ``evidence`` and play by what was learned. Rules that the reasoner
        cannot play by (a heading no transition showed) are an error when ``final``, else
        kept for play to complete (the reasoner is then left as it was)."""
        theory = induce(evidence, self.agent_language, self.settings)
        if self.movers:
            loaded: list[Reasoner] = []

            def predictor(text: str) -> tuple[Any, Any]:
                reasoner = load_reasoner(self.game, text=text, name="a law", trusted=True)
                loaded.append(reasoner)
                return reasoner.predict, reasoner.move_table  # type: ignore[attr-defined]

            try:
                self.laws = learn_movers(
                    self.transitions,
                    self.language,
                    theory.clauses,
                    predictor,
                    self.settings,
                    evidence.constants,
                )
            finally:
                for reasoner in loaded:
                    reasoner.rules.close()
            laws = {MOVES: self.laws.moves, ENTERS: self.laws.enters}
            caught = self._caught({**theory.clauses, **laws})
            if caught:  # deaths the pieces explain say nothing of the kind the agent entered
                kept = AgentEvidence()
                for i, t in enumerate(self.transitions):
                    if i not in caught:
                        kept.add(t)
                seconds = theory.seconds
                theory = induce(kept.evidence(), self.agent_language, self.settings)
                theory.seconds += seconds
            theory.clauses.update(laws)
            theory.seconds += self.laws.seconds
            theory.language = self.language
        theory.given_clauses = background_clauses()
        provenance = f"{evidence.transitions} transitions"
        text = theory.rule_text(self.game.title, provenance)
        self.theory = theory
        try:
            self.reasoner = self._reasoner(self.game, text, self.reasoner.search)
        except NeurocompError as e:
            if final:
                raise InductionError(
                    f"the rules learned from {evidence.transitions} transitions cannot be "
                    f"played by: {e}; they leave "
                    f"{', '.join(theory.unidentified[:4]) or 'a question'} open (let it play: "
                    "fit_with_play, or a larger budget)"
                ) from e
        return theory

    def _gatherer(self) -> AgentEvidence | FacingEvidence:
        return FacingEvidence(self.language, self.settings) if self.facing else AgentEvidence()

    def _caught(self, clauses: dict[str, Any]) -> set[int]:
        """The transitions (indices) lost on a cell whose kind the clauses say does not kill,
        which the clauses predict lost all the same: a piece stepped onto the agent."""
        killers = {str(c.args[0][1]) for c in clauses.get("kills/1", []) if c.args[0][0] == "const"}
        reasoner = load_reasoner(self.game, text=theory_text(clauses), name="a law", trusted=True)
        out = set()
        try:
            for i, t in enumerate(self.transitions):
                if t.after is not None or not t.terminated or t.reward > 0 or t.scene.agent is None:
                    continue
                (r, c), (dr, dc) = t.scene.agent, MOVE_DELTAS[t.action]
                h, w = t.scene.shape
                to = (r + dr, c + dc) if 0 <= r + dr < h and 0 <= c + dc < w else (r, c)
                if (
                    t.scene.kind_at(*to) not in killers
                    and reasoner.predict(t.scene, t.action) is None
                ):
                    out.add(i)
        finally:
            reasoner.rules.close()
        return out

    def _flips(self, h: int, w: int, press: int) -> np.ndarray | None:
        """The cells ``press`` flips on an ``h`` x ``w`` board by the rules learned so far."""
        try:
            system = self.reasoner.system(h, w)  # type: ignore[attr-defined]
        except (AttributeError, QueryError):
            return None
        return system.toggles[:, press].reshape(h, w).astype(bool)

    def _read(self, frames: np.ndarray) -> list[Scene | None]:
        """Scenes as perception reads them (None where it reads no single agent)."""
        probs = self.perceive_batch(frames)
        out: list[Scene | None] = []
        for p in probs:
            try:
                out.append(self.decoder(self.game, p))
            except ValueError:
                out.append(None)
        return out

    def _demonstrated(self, demos: Demonstrations) -> list[Transition]:
        """The demonstrations' transitions, in their labelled cells (which this hybrid's
        perception is trained on anyway); each episode's last move ended it with a win (a
        demonstration is a solved level)."""
        scenes: list[Scene | None] = [Scene.from_grid(self.game, cells) for cells in demos.cells]
        out = []
        for i in range(len(demos)):
            scene = scenes[i]
            last = i + 1 == len(demos) or demos.episodes[i + 1] != demos.episodes[i]
            after = None if last else scenes[i + 1]
            if scene is None or (after is None and not last):
                continue
            reward = 1.0 if last else 0.0
            out.append(Transition(scene, int(demos.actions[i]), after, reward, last))
        return out

    # -- saving ------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["rules"] = "learned from play"
        out["language"] = self.language.describe()
        return out
