"""Abduction: cell kinds read off the demonstrations without a single cell label.

A labelled hybrid trains its perception on the true kind of every cell of every demonstration
screen. An abduced hybrid gets what the monolithic networks get — the screens and the expert's
actions — plus the game's rules and its decoder's declared assumptions, and must work out what
the cells are. It does so as Abductive Learning (ABL) does: guess the symbols, keep the reading
under which the rules explain the observed actions, train perception on it, read again.

1. **Appearances.** Each episode is read on its own (colours are jittered per level, so one
   kind looks alike only within a level). Every cell is described by colour quantiles (blind to
   a sprite shifted by a pixel) and a 2x2 colour raster (where shape shows), and the episode's
   cells are grouped by average-linkage clustering into appearance *groups*.
2. **A reading of the groups** maps every group to a kind. It is scored by what the reasoner
   does on the scene the reading implies, at each step of the episode: the share of the
   expert's remaining actions its plan reproduces from the start (a reading under which every
   cell is a goal plans one step and scores almost nothing). Under the one-agent assumption the
   agent's groups are those that together show exactly one cell on every screen; objects (at
   most one cell per screen: a key, a door, a goal) are searched jointly, exhaustively when
   few, because they mean something only together (a door that needs a key); floors and walls
   by coordinate ascent. The simplest episode is searched from scratch; every episode a
   reading explains becomes a legend that later episodes start from.
3. **Ambiguity.** A group that could be read as another kind without explaining fewer steps is
   ambiguous there (lava the expert always walked around reads as well as a wall). It is read
   as a kind no other group of its level is read as, where one fits (two groups that look
   different are two kinds unless the play says otherwise), and alike-looking groups of
   different levels are made to agree where all of them allow it. Ambiguous cells are counted.
4. **Training and revision.** Perception is trained on the reading of the explained episodes;
   the demonstrations are read again with perception's probabilities choosing each group's
   candidate kinds and breaking ties (ABL's revision), and perception is trained again.

:func:`abduce` never reads ``Demonstrations.cells``; :func:`legend_of` reads one cell per kind,
for the legend hybrid, which a report counts as that many cell labels.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from compose.symbols import reading_decoder
from environments.core import Scene
from environments.spec import GameSpec
from neural.data import Demonstrations
from symbolic.reasoner import Reasoner

__all__ = [
    "MAX_KINDS",
    "AbductionConfig",
    "Reading",
    "abduce",
    "cell_features",
    "consistent_steps",
    "legend_of",
    "refusal",
]

# The search tries every kind for every appearance group: beyond this many kinds (MiniGrid has
# 45: eleven objects in six colours and three door states) it is too slow to offer.
MAX_KINDS = 16


def refusal(game: GameSpec) -> str | None:
    """Why abduction cannot read ``game``'s cells, or None."""
    if game.num_kinds > MAX_KINDS:
        return (
            f"abduction searches every kind for every appearance group and covers games of up "
            f"to {MAX_KINDS} kinds; {game.title} has {game.num_kinds}. Use the labelled hybrid"
        )
    return None


@dataclass(frozen=True)
class AbductionConfig:
    """How hard abduction looks; one line per knob."""

    threshold: float = 120.0  # widest appearance group (distance between cell descriptions)
    sample_steps: int = 40  # steps of an episode its reading is scored on, at most
    passes: int = 4  # coordinate-ascent passes over the groups, at most
    joint: int = 6000  # readings of the objects and the agent tried jointly, at most


@dataclass
class Reading:
    """What abduction concluded about a set of demonstrations."""

    labels: np.ndarray  # (N, H, W) the abduced kind of every demonstration cell
    agreement: float  # share of scored steps where the reasoner chose the expert's action
    groups: int  # appearance groups found
    ambiguous_cells: int  # cells whose group's kind no decision pinned down
    evaluations: int  # readings scored
    seconds: float
    # (N,) the rows of the episodes the reading explains (see ``_Scorer.explained``)
    explained: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    extra: dict[str, float] = field(default_factory=dict)


def cell_features(frames: np.ndarray, tile: int) -> np.ndarray:
    """``(N, H*t, W*t, 3)`` screens → ``(N, H, W, D)`` descriptions of every cell: eight
    quantiles of each colour channel (blind to where in the cell a colour lies, so a sprite
    shifted by a pixel looks the same) and the colours of a 2x2 raster (where shape shows)."""
    n, ht, wt, _ = frames.shape
    h, w = ht // tile, wt // tile
    cells = frames.reshape(n, h, tile, w, tile, 3).transpose(0, 1, 3, 2, 4, 5)
    cells = cells.astype(np.float32)
    ordered = np.sort(cells.reshape(n, h, w, tile * tile, 3), axis=3)
    at = np.linspace(0, tile * tile - 1, 8).round().astype(np.intp)
    parts = [ordered[:, :, :, at, :].reshape(n, h, w, -1)]
    if tile % 2 == 0:
        b = tile // 2
        parts.append(cells.reshape(n, h, w, 2, b, 2, b, 3).mean(axis=(4, 6)).reshape(n, h, w, -1))
    return np.concatenate(parts, axis=-1)


def _appearances(features: np.ndarray, threshold: float) -> np.ndarray:
    """The cells of one episode grouped by appearance, ``(n, H, W)`` ints from 0: average-
    linkage clusters no wider than ``threshold`` (within a level a kind looks the same up to
    noise; across levels colours are jittered, so levels are clustered one at a time)."""
    from sklearn.cluster import AgglomerativeClustering

    flat = features.reshape(-1, features.shape[-1])
    distinct, inverse = np.unique(np.round(flat), axis=0, return_inverse=True)
    if len(distinct) < 2:
        return np.zeros(features.shape[:3], dtype=np.int64)
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, linkage="average"
    ).fit(distinct)
    return model.labels_[inverse.ravel()].reshape(features.shape[:3]).astype(np.int64)


class _Scorer:
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

    def held_before(self, reading: np.ndarray) -> dict[int, tuple[str, ...]]:
        """What the agent holds at each scored step, tracked from the first screen of its
        episode through the expert's actions (only where the screen does not show it)."""
        if not self.game.hidden_inventory:
            return {}
        held: dict[int, tuple[str, ...]] = {}
        episodes = self.demos.episodes
        last = int(self.steps.max())
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
        """Per scored step, the share of the expert's remaining actions that the reasoner's
        plan reproduces from the start (1: the plan is the expert's; 0: not even the first
        action). A trivial reading (every cell a goal) plans one step and scores almost
        nothing, so the score rises only as readings make the expert's play make sense."""
        held = self.held_before(reading)
        out = np.zeros(len(self.steps))
        for j, i in enumerate(self.steps):
            plan = self.decide(reading[self.groups[i]], held.get(int(i), ()))
            future = self.future[j]
            same = 0
            for a, b in zip(plan, future, strict=False):
                if a != b:
                    break
                same += 1
            out[j] = same / len(future)
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


def _agent_sets(groups: np.ndarray, limit: int = 8) -> list[tuple[int, ...]]:
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


def _ascend(
    scorer: _Scorer, reading: np.ndarray, choices: dict[int, list[int]], passes: int
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


def _search(
    scorer: _Scorer, game: GameSpec, passes: int, budget: int = 6000
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
    agent_sets: list[tuple[int, ...]] = [()]
    if agents and scorer.decoder.name == "one-agent":
        agent_sets = _agent_sets(groups) or [()]
    best: tuple[float, np.ndarray] | None = None
    for subset in agent_sets:
        choices = {g: (agents if g in subset else others) for g in range(n_groups)}
        starts = []
        for k in others:  # every group read as one kind, the agent as the agent
            start = np.full(n_groups, k, dtype=np.int64)
            if subset:
                start[list(subset)] = agents[0]
            starts.append((scorer.score(start), start))
        _, reading = max(starts, key=lambda s: s[0])
        reading, score = _ascend(scorer, reading, choices, passes)
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
            reading, score = _ascend(scorer, reading, choices, passes)
        if best is None or score > best[0]:
            best = (score, reading)
        if score >= len(scorer.steps) - 1e-9:
            break  # every step explained
    assert best is not None
    return best[1], best[0]


def consistent_steps(
    game: GameSpec, reasoner: Reasoner, grids: np.ndarray, demos: Demonstrations
) -> np.ndarray:
    """Which demonstration steps the reasoner, given ``grids`` (``(N, H, W)`` kinds), plans the
    expert's action for (what the agent holds tracked through each episode where hidden)."""
    decoder = reading_decoder(game)
    eye = np.eye(game.num_kinds, dtype=np.float32)
    ok = np.zeros(len(demos), dtype=bool)
    carry: tuple[str, ...] = ()
    for i in range(len(demos)):
        if i == 0 or demos.episodes[i] != demos.episodes[i - 1]:
            carry = ()
        try:
            scene = decoder(game, eye[grids[i]])
            if game.hidden_inventory:
                scene = Scene(game, scene.grid, scene.agent, carry)
            reasoner.reset()
            decision = reasoner.decide(scene)
            ok[i] = bool(decision.plan) and decision.action == int(demos.actions[i])
            if game.hidden_inventory:
                carry = reasoner.carried_after(scene, int(demos.actions[i]))
        except (ValueError, KeyError, IndexError, AssertionError):
            ok[i] = False
    return ok


def _episode(demos: Demonstrations, rows: np.ndarray) -> Demonstrations:
    return Demonstrations(
        demos.frames[rows], demos.actions[rows], demos.cells[rows], demos.episodes[rows]
    )


def _alternatives(scorer: _Scorer, reading: np.ndarray, kinds: int) -> list[set[int]]:
    """Per group, the kinds it could be read as without explaining fewer steps (its own among
    them). A group with more than one is ambiguous: its kind never mattered to a decision of
    this episode."""
    base = float(scorer.matches(reading).sum())
    out = []
    for g in range(len(reading)):
        fits = {int(reading[g])}
        for k in range(kinds):
            if k != reading[g]:
                trial = reading.copy()
                trial[g] = k
                if scorer.matches(trial).sum() >= base - 1e-9:
                    fits.add(k)
        out.append(fits)
    return out


def _distinct(scorer: _Scorer, reading: np.ndarray, fits: list[set[int]]) -> np.ndarray:
    """Ambiguous groups read as kinds no other group of their episode is read as, where one
    fits: within a level a kind looks one way, so two groups that look different are, unless
    the play says otherwise, two kinds (a sleeping ghost the expert never passed is not
    floor, though the play alone cannot tell). A change that explains fewer steps is undone."""
    base = float(scorer.matches(reading).sum())
    reading = reading.copy()
    for g in sorted(range(len(reading)), key=lambda g: len(fits[g])):
        if len(fits[g]) < 2:
            continue
        used = {int(reading[h]) for h in range(len(reading)) if h != g}
        if int(reading[g]) not in used:
            continue
        for k in sorted(fits[g] - used):
            trial = reading.copy()
            trial[g] = k
            if scorer.matches(trial).sum() >= base - 1e-9:
                reading = trial
                break
    return reading


def _consolidate(records: list[dict], threshold: float) -> None:
    """Groups that look alike across episodes are one kind where their episodes allow it:
    alike groups (average-linkage clusters of their centres) take the kind most of them were
    read as among the kinds every one of them could be read as. A kind no episode pinned down
    (lava the expert always walked around reads as well as a wall) thereby takes the reading
    of the episodes that did pin it down."""
    from sklearn.cluster import AgglomerativeClustering

    members = [(i, g) for i, r in enumerate(records) for g in range(len(r["reading"]))]
    if len(members) < 2:
        return
    centres = np.stack([records[i]["centres"][g] for i, g in members])
    alike = (
        AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, linkage="average")
        .fit(centres)
        .labels_
    )
    for cluster in np.unique(alike):
        group = [members[j] for j in np.flatnonzero(alike == cluster)]
        allowed = set.intersection(*(records[i]["fits"][g] for i, g in group))
        if not allowed:
            continue
        votes = [int(records[i]["reading"][g]) for i, g in group]
        kind = max(allowed, key=lambda k: (votes.count(k), -k))
        for i, g in group:
            records[i]["reading"][g] = kind


def _centres(features: np.ndarray, groups: np.ndarray) -> np.ndarray:
    flat, ids = features.reshape(-1, features.shape[-1]), groups.ravel()
    return np.stack([flat[ids == g].mean(axis=0) for g in range(int(ids.max()) + 1)])


def _prior_from(
    centres: np.ndarray, legend: list[tuple[np.ndarray, int]], kinds: int
) -> np.ndarray:
    """Per group and kind, in [-1, 0]: how near the group looks to the nearest legend entry of
    that kind (-1 for kinds the legend lacks)."""
    prior = np.full((len(centres), kinds), -1.0)
    known = np.stack([c for c, _ in legend])
    kinds_of = np.array([k for _, k in legend])
    dist = np.sqrt(((centres[:, None, :] - known[None, :, :]) ** 2).sum(-1))  # (G, L)
    scale = max(float(dist.max()), 1e-9)
    for k in np.unique(kinds_of):
        prior[:, k] = -dist[:, kinds_of == k].min(axis=1) / scale
    return prior


def _read_episode(
    scorer: _Scorer, game: GameSpec, n: int, config: AbductionConfig, prior: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """One episode's reading: from the prior's three likeliest kinds per group by ascent, and
    from scratch when that does not explain every step."""
    reading, score = None, -1.0
    if prior is not None:
        scorer.prior = prior
        choices = {g: [int(k) for k in np.argsort(-prior[g])[:3]] for g in range(n)}
        start = np.array([choices[g][0] for g in range(n)], dtype=np.int64)
        reading, score = _ascend(scorer, start, choices, config.passes)
    if reading is None or not scorer.explained(reading):
        fresh, fresh_score = _search(scorer, game, config.passes, config.joint)
        if reading is None or (scorer.explained(fresh) and not scorer.explained(reading)):
            reading, score = fresh, fresh_score
        elif fresh_score > score:
            reading, score = fresh, fresh_score
    assert reading is not None
    return reading, score


def abduce(
    game: GameSpec,
    reasoner: Reasoner,
    demos: Demonstrations,
    tile: int,
    config: AbductionConfig = AbductionConfig(),
    probabilities: np.ndarray | None = None,
    legend: list[tuple[np.ndarray, int]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Reading:
    """The most consistent reading of every demonstration cell, from screens, actions and rules
    alone (``demos.cells`` is never read).

    Episodes are read one at a time, the simplest (fewest appearance groups) first. Without
    ``probabilities`` (a perception's ``(N, H, W, K)`` output on the demonstration screens),
    the first episode is searched from scratch, and every episode it explains becomes a legend
    for the rest: a later episode's groups first try the kinds of the nearest legend entries,
    and are searched from scratch only if that does not explain every step. With
    ``probabilities`` (ABL's revision step), each group tries the three kinds perception finds
    likeliest for its cells, and ties go to the likeliest reading. A ``legend`` (cell
    descriptions from :func:`cell_features` with their true kinds: one labelled example per
    kind) starts the legend instead of the first episode's search.
    """
    t0 = time.perf_counter()
    features = cell_features(demos.frames, tile)
    labels = np.zeros(demos.frames.shape[0:1] + features.shape[1:3], dtype=np.int64)
    explained_rows = np.zeros(len(demos), dtype=bool)
    episodes = []
    for episode in np.unique(demos.episodes):
        rows = np.flatnonzero(demos.episodes == episode)
        groups = _appearances(features[rows], config.threshold)
        episodes.append((int(groups.max()) + 1, len(rows), rows, groups))
    episodes.sort(key=lambda e: (e[0], e[1]))
    legend = list(legend or [])  # (appearance, kind): given, and of explained groups
    agree = ambiguous = evaluations = n_groups = scored = explained = 0
    records: list[dict] = []
    for n, _, rows, groups in episodes:
        part = _episode(demos, rows)
        steps = np.arange(len(rows))
        if len(steps) > config.sample_steps:
            steps = np.unique(np.linspace(0, len(rows) - 1, config.sample_steps).round())
            steps = steps.astype(np.intp)
        scorer = _Scorer(game, reasoner, groups, part, steps)
        centres = _centres(features[rows], groups)
        prior = None
        if probabilities is not None:
            logp = np.log(np.clip(probabilities[rows], 1e-6, 1.0))
            prior = np.stack([logp[groups == g].mean(axis=0) for g in range(n)])
            prior = prior / max(1e-9, float(-prior.min()))
        elif legend:
            prior = _prior_from(centres, legend, game.num_kinds)
        reading, _score = _read_episode(scorer, game, n, config, prior)
        if scorer.explained(reading):
            explained += 1
            explained_rows[rows] = True
            legend += [(centres[g], int(reading[g])) for g in range(n)]
        fits = _alternatives(scorer, reading, game.num_kinds)
        reading = _distinct(scorer, reading, fits)
        for g in range(n):
            fits[g].add(int(reading[g]))
        records.append(
            {
                "rows": rows,
                "groups": groups,
                "centres": centres,
                "reading": reading,
                "fits": fits,
                "scorer": scorer,
            }
        )
        n_groups += n
        if progress is not None:
            progress(f"{explained} episodes explained")
    _consolidate(records, config.threshold * 1.5)
    for r in records:
        labels[r["rows"]] = r["reading"][r["groups"]]
        ambiguous += int(
            sum((r["groups"] == g).sum() for g, f in enumerate(r["fits"]) if len(f) > 1)
        )
        agree += int((r["scorer"].matches(r["reading"]) > 0).sum())
        scored += len(r["scorer"].steps)
        evaluations += r["scorer"].evaluations
    return Reading(
        labels=labels,
        agreement=agree / max(1, scored),
        groups=n_groups,
        ambiguous_cells=ambiguous,
        evaluations=evaluations,
        seconds=time.perf_counter() - t0,
        explained=explained_rows,
        extra={"episodes_explained": explained, "episodes": len(episodes)},
    )


def legend_of(demos: Demonstrations, tile: int) -> list[tuple[np.ndarray, int]]:
    """One labelled example per kind the demonstrations show: the first cell of each kind,
    scanning screens in order (the only cell labels a legend hybrid is given)."""
    features = cell_features(demos.frames, tile)
    legend = []
    for kind in np.unique(demos.cells):
        n, r, c = np.argwhere(demos.cells == kind)[0]
        legend.append((features[n, r, c], int(kind)))
    return legend
