"""``hybrid-autonomous``: the hybrid given nothing about its game but what every game shares.

It gets what the monolithic networks get -- the screens and the expert's actions -- plus the
shared background and the hypothesis language of rule learning (:mod:`symbolic.induction`),
the appearance features abduction describes cells by, and the structure its decoder assumes
(one agent, which moves as the move actions say). No cell label, no game clause.

1. **Symbols.** The demonstration cells are named by appearance (invented symbols ``k0``,
   ``k1``, ...: :mod:`compose.abduction.invented`).
2. **Rules and perception.** Perception is trained on those names, and the rules are learned
   over them from the demonstrations and, while they are open, from the pipeline's own curious
   play (:class:`compose.pipelines.induced.InducedHybridPipeline`, every frame and death
   counted).
3. **Read again.** Symbols the learned rules answer alike for every question (swapping the
   two leaves every clause as it was) are one symbol: the data cannot tell them apart, and the
   pipeline says so. Else the demonstrations are read again under the learned rules, as
   abduction reads them (:mod:`compose.abduction.search`): each level's appearance groups take
   the symbols under which the rules best explain the expert's play, each group trying the
   three the trained perception finds likeliest, ties going to the likeliest (ABL's revision).
   Learn again; stop when neither the reading nor the rules change, or at ``MAX_ROUNDS`` rounds
   or after ``MAX_SECONDS``, saying which.

The true kinds are used only to score, after learning (:func:`symbol_map`): each symbol's
true kind is the one it most often covers; the fit report gives the cell accuracy under that
map, the learned clauses beside their translation, and how often the translated rules predict
the next state of held-out transitions in the game's true scenes.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from compose.abduction.episodes import consistent_steps
from compose.abduction.invented import (
    SymbolError,
    Symbols,
    SymbolTable,
    autonomy_refusal,
    invent_symbols,
    translate_clause,
)
from compose.abduction.revision import alike_symbols, merge_symbols, reread
from compose.common.levels import draw_levels
from compose.pipelines.base import DEFAULT_TRAINING, FitReport
from compose.pipelines.checkpoints import save_checkpoint
from compose.pipelines.induced import (
    CHECK_TRANSITIONS,
    PLAY_FRAMES,
    InducedHybridPipeline,
)
from compose.pipelines.rule_checks import prediction_accuracy, random_transitions
from compose.pipelines.spec import PipelineSpec
from environments.core import GridGame
from environments.spec import GameSpec
from neural.data import Demonstrations
from neural.train import TrainConfig
from symbolic.engine import PrologEngine
from symbolic.errors import InductionError, NeurocompError
from symbolic.induction import InductionSettings
from symbolic.reasoner import load_reasoner, reasoner_class

__all__ = [
    "GIVEN",
    "MAX_ROUNDS",
    "MAX_SECONDS",
    "AutonomousHybridPipeline",
    "symbol_map",
]

MAX_ROUNDS = 4  # rounds of learning and reading again, at most
MAX_SECONDS = 600.0  # and no new round after this long
GIVEN = (
    "the shared background of rule learning (symbolic/induction/background.pl)",
    "the hypothesis language of the game's kind of reasoner",
    "the appearance features of a cell (16 colour quantiles per channel)",
    "one agent, shown in one cell, moving as its move actions say; an episode starts empty-handed",
    "a demonstration ends in a win",
)


def symbol_map(symbols: np.ndarray, cells: np.ndarray, count: int) -> list[list[int]]:
    """Scoring only: per symbol, the true kinds it covers, the one it most often covers first
    (more than one where symbols the rules answer alike were merged)."""
    out = []
    for s in range(count):
        counts = np.bincount(cells[symbols == s])
        out.append([int(k) for k in np.argsort(-counts, kind="stable") if counts[k] > 0])
    return out


class AutonomousHybridPipeline(InducedHybridPipeline):
    """Screen → perception of invented symbols → Scene → rules learned over them + search.

    Until it is fitted it stands on ``game``'s own kinds, which it never reads: fitting
    replaces them with the symbols it invents (``table``; given when a saved one is loaded)."""

    def __init__(
        self,
        game: GameSpec,
        tile: int = 8,
        *,
        search: str | None = None,
        augment: str | None = None,
        perception_kind: str = "linear",
        table: SymbolTable | None = None,
        rules_text: str | None = None,
        rules_name: str = "learned rules",
        play_frames: int = PLAY_FRAMES,
        language: str | Path | None = None,
        settings: InductionSettings | None = None,
    ) -> None:
        if why := autonomy_refusal(game):
            raise ValueError(f"hybrid-autonomous: {why}")
        self.true_game = game
        self.table = table
        # scoring only: each symbol's true kind, measured after learning (see symbol_map)
        self.translation: dict[str, list[str]] | None = None
        self._true_rules: Any = None
        self._options: dict[str, Any] = {
            "search": search,
            "augment": augment,
            "perception_kind": perception_kind,
            "play_frames": play_frames,
            "language": language,
            "settings": settings,
        }
        super().__init__(
            table.game(game) if table else game,
            tile,
            rules_text=rules_text,
            rules_name=rules_name,
            **self._options,
        )

    @property
    def spec(self) -> PipelineSpec:
        return PipelineSpec.of(
            "hybrid",
            supervision="abduced",
            rules="induced",
            augment=self.augment,
            perception=self.perception_kind,
        )

    def _invent(self, table: SymbolTable, tile: int) -> None:
        """Stand on ``table``'s symbols: a fresh perception and no rules yet."""
        self.table = table
        InducedHybridPipeline.__init__(self, table.game(self.true_game), tile, **self._options)

    # -- learning ----------------------------------------------------------------------------
    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Symbols, perception and rules from the demonstrations alone (no play)."""
        return self.fit_with_play(None, demos, 0, config)

    def fit_with_play(
        self,
        env: GridGame | None,
        demos: Demonstrations,
        seed: int,
        config: TrainConfig = DEFAULT_TRAINING,
        held_out: Collection[str] = frozenset(),
    ) -> FitReport:
        t0 = time.perf_counter()
        tile = self.perception.tile
        try:
            symbols = invent_symbols(self.true_game, demos, tile)
        except SymbolError as e:
            raise InductionError(f"hybrid-autonomous: {e}") from None
        notes = list(symbols.notes)
        stopped = "neither the reading nor the rules changed"
        report = self._round(env, demos, symbols, seed, config, held_out)
        rounds, frames, deaths = 1, *_played(report)
        fit = self._fitness(demos, symbols, report)
        while True:
            revised, why = self._revised(demos, symbols)
            if revised is None:
                break
            if rounds >= MAX_ROUNDS or time.perf_counter() - t0 > MAX_SECONDS:
                stopped = (
                    f"stopped at the ceiling ({rounds} rounds, {time.perf_counter() - t0:.0f} s)"
                )
                break
            trial = self._round(env, demos, revised, seed, config, held_out)
            rounds, frames, deaths = rounds + 1, *np.add((frames, deaths), _played(trial))
            trial_fit = self._fitness(demos, revised, trial)
            if "read again" in why and trial_fit[0] <= fit[0]:
                # the rules learned from the new reading explain the play no better: keep the old
                notes.append(
                    f"{why}; the rules learned from that reading explained the expert's play no "
                    "better, so the reading before it was kept"
                )
                report = self._round(env, demos, symbols, seed, config, held_out)
                frames, deaths = np.add((frames, deaths), _played(report))
                stopped = "a reading again under the rules explained the play no better"
                break
            notes.append(why)
            symbols, report, fit = revised, trial, trial_fit
        assert report is not None
        report.cell_labels = 0
        report.frames = len(demos) + int(frames)
        report.train_seconds = time.perf_counter() - t0
        report.extra.update(self._scored(env, demos, symbols, seed))
        report.extra.update(
            {
                "symbols": symbols.count,
                "symbol_table": symbols.table.to_json(),
                "autonomy_rounds": rounds,
                "autonomy_stopped": stopped,
                "autonomy_notes": notes,
                "play_frames": int(frames),
                "play_deaths": int(deaths),
                "given": list(GIVEN),
            }
        )
        return report

    def _round(
        self,
        env: GridGame | None,
        demos: Demonstrations,
        symbols: Symbols,
        seed: int,
        config: TrainConfig,
        held_out: Collection[str],
    ) -> FitReport:
        """One round: perception and rules learned afresh on the demonstrations as read in
        ``symbols`` (and, with ``env``, its own play)."""
        self._invent(symbols.table, self.perception.tile)
        named = _named(demos, symbols.grid)
        return super().fit_with_play(env, named, seed, config, held_out)

    def _fitness(
        self, demos: Demonstrations, symbols: Symbols, report: FitReport
    ) -> tuple[float, int]:
        """How well a round's rules explain the demonstrations as it read them: the share of
        steps where they plan the expert's action (ABL's consistency), then fewer unexplained
        examples."""
        agree = consistent_steps(
            self.game, self.reasoner, symbols.grid, _named(demos, symbols.grid)
        )
        return float(agree.mean()), -_unexplained(report)

    def _revised(self, demos: Demonstrations, symbols: Symbols) -> tuple[Symbols | None, str]:
        """The next round's reading, and what changed (None: nothing did). Symbols the rules
        answer alike become one; else the trained perception's reading, if the rules learned
        from it explain as much."""
        assert self.theory is not None
        clauses = [c.text() for group in self.theory.clauses.values() for c in group]
        # only rules that explain every example can say two symbols behave alike
        alike = alike_symbols(clauses, symbols.table) if not self.theory.unexplained else []
        if alike:
            merged = merge_symbols(symbols, alike)
            pairs = ", ".join(f"{a} and {b}" for a, b in alike)
            return merged, f"{pairs}: the rules answer them alike for every question; one symbol"
        read, changed = reread(
            self.game,
            self.reasoner,
            _named(demos, symbols.grid),
            symbols,
            self.perceive_batch(demos.frames),
        )
        if changed and _one_agent(read):
            return read, f"{changed} appearance groups read again under the learned rules"
        return None, ""

    # -- scoring (the true kinds, read only here) --------------------------------------------
    def _scored(
        self, env: GridGame | None, demos: Demonstrations, symbols: Symbols, seed: int
    ) -> dict[str, Any]:
        kinds = self.true_game.kind_names
        covers = symbol_map(symbols.grid, demos.cells, symbols.count)
        every = {n: [kinds[k] for k in covers[i]] for i, n in enumerate(symbols.table.names)}
        names = {n: every[n][0] for n in every if every[n]}
        mapped = np.array([c[0] if c else -1 for c in covers])
        seen = self.perceive_batch(demos.frames).argmax(-1)
        learned = self.reasoner.rules.text
        translated = translate_clause(learned, every)
        self.translation, self._true_rules = every, None
        assert self.theory is not None
        out: dict[str, Any] = {
            "symbol_map": names,
            "symbol_kinds": every,
            "learned_clauses": [c.text() for group in self.theory.clauses.values() for c in group],
            "read_cell_accuracy": float((mapped[symbols.grid] == demos.cells).mean()),
            "perceived_cell_accuracy": float((mapped[seen] == demos.cells).mean()),
            "translated_rules": translated,
            "prediction_accuracy": None,
        }
        if env is not None:
            out["prediction_accuracy"] = self._translated_accuracy(env, translated, seed)
        return out

    def _translated_accuracy(self, env: GridGame, text: str, seed: int) -> float | None:
        """How often the learned rules, translated to the true kinds, predict the next state
        of ``CHECK_TRANSITIONS`` random transitions on the evaluation stream's levels."""
        check = draw_levels(env, seed, "eval", 20).seeds
        try:
            reasoner = load_reasoner(self.true_game, text=text, name="translated rules")
        except NeurocompError:
            return 0.0
        try:
            return prediction_accuracy(
                reasoner, random_transitions(env, check, CHECK_TRANSITIONS, seed)
            )
        except NotImplementedError:  # a reasoner that does not predict screens: not measured
            return None
        finally:
            reasoner.rules.close()

    def true_rules(self) -> Any:
        """The learned rules translated to the game's true kinds (None before a translation is
        measured), for audits of play in the game's true scenes."""
        if self.translation is None or self.reasoner.rules.text is None:
            return None
        if self._true_rules is None:
            self._true_rules = PrologEngine.get().load_rules(
                text=translate_clause(self.reasoner.rules.text, self.translation),
                name="learned rules, translated to the true kinds",
                trusted=True,
            )
        return self._true_rules

    def true_reasoner(self) -> tuple[Any, np.ndarray | None]:
        """A reasoner over the game's true kinds with the translated rules, and the true kind
        each symbol stands for (the one it most often covers); (None, None) before a
        translation is measured."""
        rules = self.true_rules()
        if rules is None or self.translation is None:
            return None, None
        ground = self.true_game.background  # for a symbol that no cell kept
        kinds = np.array(
            [
                self.true_game.index((self.translation.get(n) or [ground])[0])
                for n in self.game.kind_names
            ]
        )
        reasoner = reasoner_class(self.true_game)(rules, self.true_game, self.reasoner.search)
        return reasoner, kinds

    def _prediction_accuracy(self, env: GridGame, seed: int) -> float | None:
        return None  # measured on the translated rules, in the game's true scenes (_scored)

    # -- saving ------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        out = super().manifest()
        if self.table is not None:
            out["symbols"] = self.table.to_json()
        if self.translation is not None:
            out["translation"] = dict(self.translation)
        return out

    def save(self, directory: str | Path) -> Path:
        return save_checkpoint(
            directory, self.true_game, self.perception, self.manifest(), self.reasoner
        )

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["rules"] = "learned from play, over invented symbols"
        out["given"] = list(GIVEN)
        if self.table is not None:
            out["symbols"] = self.table.to_json()
        return out


def _named(demos: Demonstrations, grid: np.ndarray) -> Demonstrations:
    """The demonstrations with their cells in invented symbols (the true ones dropped)."""
    return Demonstrations(
        demos.frames, demos.actions, grid, demos.episodes, demos.level_seeds, demos.levels
    )


def _one_agent(symbols: Symbols) -> bool:
    """Whether every screen of the reading shows the agent in one cell (where it has one): a
    revision that breaks this is not taken."""
    if not symbols.table.agents:
        return True
    agents = [symbols.table.names.index(a) for a in symbols.table.agents]
    return bool((np.isin(symbols.grid, agents).sum(axis=(1, 2)) == 1).all())


def _played(report: FitReport) -> tuple[int, int]:
    """The frames and deaths of a round's own play."""
    return int(report.extra["play_frames"]), int(report.extra["play_deaths"])


def _unexplained(report: FitReport) -> int:
    """What a round's rules leave unexplained: examples, and transitions that are no move."""
    return int(report.extra["examples_unexplained"]) + int(report.extra["transitions_unexplained"])
