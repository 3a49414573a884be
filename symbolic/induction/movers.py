"""Learning how the other pieces of an agent game move (``moves/5``) and what they may enter
(``enters/2``), by what each hypothesis predicts.

A piece's law is not decided atom by atom: the reasoner takes the *first free* of a kind's
``moves/5`` answers, so whether an answer is wrong depends on the others and on what the piece
may enter. The laws are therefore chosen as the issue of a moving piece is in science, by how
well each predicts the next screens:

1. Every step of a piece the transitions show (a kind left a cell for a neighbouring one while
   the agent was elsewhere) is an example ``moves(Kind, Cell, Agent, Size, Next)``.
2. The candidate laws of a kind are the ``moves/5`` clauses of the hypothesis language (a body
   of one movement law of the shared background); the few that explain most of its steps (one
   SWI-Prolog query for all) are kept, and "it has no law" is always a candidate.
3. Kind by kind, twice round, the candidate whose rules predict the most transitions exactly
   (the game's own reasoner plays the step out) is taken; a tie goes to no law, then to the
   smaller clause.
4. Under the laws chosen, each step says which cells a piece entered (``enters(Kind, Shown)``
   holds) and which it passed over for a later answer or stayed beside (it does not, unless
   another piece was there); an episode lost on a cell that does not kill says a piece entered
   the agent's (one of those that could have: an any-of example). The ordinary learner writes
   ``enters/2`` from those, and the laws are chosen once more with it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from environments.spec import MOVE_DELTAS
from symbolic.induction.clauses import (
    AnyOf,
    Clause,
    Example,
    Pair,
    most_general,
    refinements,
    tally,
)
from symbolic.induction.language import Language
from symbolic.induction.learner import InductionSettings, Theory, coverage, learn, theory_text
from symbolic.induction.transitions import Transition

__all__ = ["ENTERS", "MOVES", "MoverLaws", "learn_movers", "observed_steps"]

MOVES, ENTERS = "moves/5", "enters/2"
CANDIDATES_PER_KIND = 3  # laws of a kind tried by prediction (those explaining most steps)

# rules text -> a predictor: (scene, action) -> the next grid of kinds, or None if it ends
Predictor = Callable[[object, int], "np.ndarray | None"]


@dataclass
class MoverLaws:
    """What was chosen, and how well each law predicted."""

    moves: list[Clause]
    enters: list[Clause]
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # kind -> law -> share
    steps: int = 0  # steps of pieces seen
    accuracy: float = float("nan")  # of the transitions, predicted exactly by the final rules
    seconds: float = 0.0


def observed_steps(transitions: Sequence[Transition]) -> list[Example]:
    """``moves(Kind, Cell, Agent, Size, Next)`` for every step of a piece the transitions show:
    a cell showed ``Kind`` and then not, a neighbouring one did not and then did (neither the
    agent's before or after the move). The background (what a cell shows with nothing on it)
    is no piece: where a piece moved, the background seems to move the other way."""
    counts: Counter[tuple[object, ...]] = Counter()
    for t in transitions:
        if t.after is None or t.scene.agent is None or t.after.agent is None:
            continue
        before, after = t.scene.grid, t.after.grid
        if before.shape != after.shape:
            continue
        names = t.scene.game.kind_names
        ground = t.scene.game.index(t.scene.game.background)
        h, w = before.shape
        mine = {t.scene.agent, t.after.agent}
        agent = Pair(*t.after.agent)
        for r, c in zip(*np.nonzero(before != after), strict=True):
            if (r, c) in mine:
                continue
            kind = before[r, c]
            if kind == ground:
                continue
            for dr, dc in MOVE_DELTAS:
                nr, nc = r + dr, c + dc
                if (dr, dc) == (0, 0) or not (0 <= nr < h and 0 <= nc < w) or (nr, nc) in mine:
                    continue
                if after[nr, nc] == kind and before[nr, nc] != kind:
                    args = (names[int(kind)], Pair(int(r), int(c)), agent, Pair(h, w))
                    counts[(*args, Pair(int(nr), int(nc)))] += 1
    return [Example("moves", args, positive=k) for args, k in counts.items()]


def candidate_laws(language: Language, kinds: Sequence[str]) -> list[Clause]:
    """The ``moves/5`` clauses of ``language`` for each of ``kinds``: the kind bound, one body
    literal that gives the next cell (callable as the reasoner asks)."""
    types = language.heads["moves"]
    law_language = language.model_copy(update={"negation": False})
    constants = {"kind": tuple(kinds)}
    out, seen = [], set()
    for bound in refinements(most_general("moves", types, law_language), law_language, constants):
        if bound.args[0][0] != "const":
            continue
        for law in refinements(bound, law_language, constants):
            if (
                len(law.body) == 1
                and law.key() not in seen
                and law.callable_in(language.modes)
                and law.args[0] == bound.args[0]
            ):
                seen.add(law.key())
                out.append(law)
    return out


def learn_movers(
    transitions: Sequence[Transition],
    language: Language,
    base: dict[str, list[Clause]],
    predictor: Callable[[str], tuple[Predictor, Callable[[int, int, str], list | None]]],
    settings: InductionSettings | None = None,
    constants: dict[str, tuple[str, ...]] | None = None,
) -> MoverLaws:
    """Choose ``moves/5`` and learn ``enters/2`` (see the module's text). ``base`` holds the
    agent's clauses learned already; ``predictor(text)`` loads a rule text into the game's
    reasoner and returns its predictor and its move table ``(height, width, kind)``."""
    settings = settings or InductionSettings()
    t0 = time.perf_counter()
    steps = observed_steps(transitions)
    kinds_moving = sorted({str(e.args[0]) for e in steps})
    laws = candidate_laws(language, kinds_moving)
    covered = coverage(laws, steps, settings) if laws and steps else []
    by_kind: dict[str, list[tuple[int, Clause]]] = {k: [] for k in kinds_moving}
    for law, cov in zip(laws, covered, strict=True):
        kind = str(law.args[0][1])
        explained = sum(steps[j].positive for j in cov if steps[j].args[0] == kind)
        if explained:
            by_kind[kind].append((explained, law))
    options = {
        k: [law for _, law in sorted(c, key=lambda x: (-x[0], x[1].size, x[1].text()))][
            :CANDIDATES_PER_KIND
        ]
        for k, c in by_kind.items()
    }
    checked = [t for t in transitions if t.after is not None or t.terminated]
    chosen: dict[str, Clause | None] = {k: None for k in kinds_moving}
    enters = [_anything()]
    scores: dict[str, dict[str, float]] = {}

    def score(choice: dict[str, Clause | None], enters: list[Clause]) -> float:
        clauses = {**base, MOVES: [c for c in choice.values() if c], ENTERS: enters}
        predict, _ = predictor(theory_text(clauses))
        return _accuracy(predict, checked)

    def choose() -> None:
        for kind in sorted(kinds_moving, key=lambda k: -len(options[k])):
            results = {}
            for law in [None, *options[kind]]:
                results[law] = score({**chosen, kind: law}, enters)
            best = max(results, key=lambda law: (results[law], law is None))
            chosen[kind] = best
            scores[kind] = {("no law" if k is None else k.text()): v for k, v in results.items()}

    for _ in range(2):
        choose()
    moves = [c for c in chosen.values() if c]
    _, table = predictor(theory_text({**base, MOVES: moves, ENTERS: enters}))
    examples, any_of = _entering(checked, table, base)
    if examples or any_of:
        enter_language = language.model_copy(
            update={"heads": {"enters": language.heads["enters"]}, "negation": False}
        )
        kinds = (constants or {}).get("kind", ())
        shown = {str(a) for e in examples for a in e.args} | {
            str(a) for d in any_of for o in d.options for a in o
        }
        learned: Theory = learn(
            examples,
            enter_language,
            {"kind": tuple(sorted(set(kinds) | shown))},
            settings,
            (),
            any_of,
        )
        enters = learned.clauses.get(ENTERS, [])
        choose()
        moves = [c for c in chosen.values() if c]
    if not moves:
        enters = []  # no piece moves: what one may enter is never asked
    accuracy = score(chosen, enters)
    return MoverLaws(
        moves, enters, scores, sum(e.positive for e in steps), accuracy, time.perf_counter() - t0
    )


def _anything() -> Clause:
    """``enters(_, _)``: before anything is learned of it, a piece may enter any free cell."""
    return Clause("enters", (("var", 0), ("var", 1)), (), ("kind", "kind"))


def _accuracy(predict: Predictor, transitions: Sequence[Transition]) -> float:
    right = 0
    for t in transitions:
        try:
            predicted = predict(t.scene, t.action)
        except (ValueError, IndexError):
            continue
        if predicted is None or t.after is None:
            right += predicted is None and t.after is None
            continue
        seen = predicted >= 0
        right += bool(np.array_equal(predicted[seen], t.after.grid[seen]))
    return right / len(transitions) if transitions else 0.0


def _entering(
    transitions: Sequence[Transition],
    table: Callable[[int, int, str], list | None],
    base: dict[str, list[Clause]],
) -> tuple[list[Example], list[AnyOf]]:
    """The examples of ``enters/2`` the transitions give under the laws of ``table``."""
    counts: Counter[tuple[tuple[str, str], bool]] = Counter()
    lost: Counter[tuple[tuple[str, str], ...]] = Counter()
    killers = {str(c.args[0][1]) for c in base.get("kills/1", []) if c.args[0][0] == "const"}
    for t in transitions:
        scene = t.scene
        if scene.agent is None:
            continue
        names = scene.game.kind_names
        before = scene.grid
        h, w = before.shape
        cells = h * w
        tables = {k: table(h, w, names[int(k)]) for k in np.unique(before)}
        movers = {int(k) for k, v in tables.items() if v is not None}
        if t.after is None:
            if not t.terminated or t.reward > 0:
                continue
            (r, c), (dr, dc) = scene.agent, MOVE_DELTAS[t.action]
            to = (r + dr, c + dc) if 0 <= r + dr < h and 0 <= c + dc < w else (r, c)
            entered = names[int(before[to])]
            if entered in killers or int(before[to]) in movers:
                continue  # the agent's own step lost
            agent_kind = names[int(before[scene.agent])]
            could = set()
            for p in zip(*np.nonzero(np.isin(before, list(movers))), strict=True):
                answers = tables[int(before[p])][(p[0] * w + p[1]) * cells + to[0] * w + to[1]]
                if to[0] * w + to[1] in answers:
                    could.add((names[int(before[p])], agent_kind))
            if could:
                lost[tuple(sorted(could))] += 1
            continue
        after = t.after.grid
        if t.after.agent is None:
            continue
        agent = t.after.agent[0] * w + t.after.agent[1]
        for p in zip(*np.nonzero(np.isin(before, list(movers))), strict=True):
            kind = int(before[p])
            answers = tables[kind][(p[0] * w + p[1]) * cells + agent]
            flat_after, flat_before = after.ravel(), before.ravel()
            went = next(
                (i for i, a in enumerate(answers) if flat_after[a] == kind != flat_before[a]),
                None,
            )
            if went is None and after[p] != kind:
                continue  # it went where no answer leads: nothing to say
            passed = answers if went is None else answers[:went]
            for a in passed:
                if a == agent or int(flat_before[a]) in movers or int(flat_after[a]) in movers:
                    continue
                counts[((names[kind], names[int(flat_before[a])]), False)] += 1
            if went is not None and int(flat_before[answers[went]]) not in movers:
                counts[((names[kind], names[int(flat_before[answers[went]])]), True)] += 1
    any_of = [AnyOf("enters", options, n) for options, n in lost.items()]
    return tally(("enters", args, holds, k) for (args, holds), k in counts.items()), any_of
