"""Abduction: cell kinds read off the demonstrations without a single cell label.

A labelled hybrid trains its perception on the true kind of every cell of every demonstration
screen. An abduced hybrid gets what the monolithic networks get — the screens and the expert's
actions — plus the game's rules and its decoder's declared assumptions, and must work out what
the cells are. It does so as Abductive Learning (ABL) does: guess the symbols, keep the reading
under which the rules explain the observed actions, train perception on it, read again.

1. **Appearances.** Each episode is read on its own (colours are jittered per level, so one
   kind looks alike only within a level). Every cell is described by sixteen quantiles of each
   colour channel (blind to a sprite shifted by a pixel, and to a sprite turned), and the
   episode's cells are grouped by average-linkage clustering into appearance *groups*.
2. **A reading of the groups** maps every group to a kind. It is scored at each step of the
   episode by what the rules say of the scene the reading implies. A step is explained if the
   expert's action is optimal there (the reasoner's shortest plan from the next screen, as
   read, is one step shorter: the expert may break ties between equally short plans otherwise
   than the reasoner); else it earns the share of the expert's remaining actions that the
   reasoner's plan reproduces (a reading under which every cell is a goal plans one step and
   scores almost nothing). Where the reasoner predicts screens (``Reasoner.predict``), a step
   whose next screen is not the one the rules predict explains nothing: a piece read as one
   that moves must move as that kind does, an object read as collected must leave the screen,
   and a cell entered before the end must neither win nor kill. Under the one-agent assumption
   the agent's groups are those that together show exactly one cell on every screen; objects
   (at most one cell per screen: a key, a door, a goal) are searched jointly, exhaustively
   when few, because they mean something only together (a door that needs a key); floors and
   walls by coordinate ascent. The simplest episode is searched from scratch; every episode a
   reading explains becomes a legend that later episodes start from.
3. **Ambiguity.** A group that could be read as another kind without explaining fewer steps is
   ambiguous there (lava the expert always walked around reads as well as a wall; kinds the
   rules answer alike, ``Reasoner.alike``, always do). It is read
   as a kind no other group of its level is read as, where one fits (two groups that look
   different are two kinds unless the play says otherwise), and alike-looking groups of
   different levels are made to agree where all of them allow it. Ambiguous cells are counted.
4. **Training and revision.** Perception is trained on the reading of the explained episodes;
   the demonstrations are read again with perception's probabilities choosing each group's
   candidate kinds and breaking ties (ABL's revision), and perception is trained again.

:func:`abduce` never reads ``Demonstrations.cells``;
:func:`compose.abduction.appearances.legend_of` reads one cell per kind, for the legend hybrid,
which a report counts as that many cell labels. What abduction is asked and returns
(``AbductionConfig``, ``Reading``) lives in :mod:`compose.abduction.episodes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from compose.abduction.appearances import (
    appearance_groups,
    cell_features,
    consolidate,
    group_centres,
    legend_prior,
)
from compose.abduction.clusters import abduce_clusters
from compose.abduction.clusters import refusal as clusters_refusal
from compose.abduction.episodes import (
    DEFAULT_ABDUCTION,
    MAX_KINDS,
    AbductionConfig,
    Reading,
    episode_part,
    episode_rows,
)
from compose.abduction.search import Scorer, ascend, search_episode
from environments.spec import GameSpec
from neural.data import Demonstrations
from symbolic.reasoner import Reasoner, one_screen_refusal

__all__ = ["abduce", "refusal"]


def refusal(game: GameSpec, supervision: str = "abduced") -> str | None:
    """Why abduction (``supervision`` ``abduced``, or ``legend``) cannot read ``game``'s cells,
    or None."""
    if why := one_screen_refusal(game, "abduction"):
        return why
    if game.abduction == "clusters":
        if supervision == "legend":
            return (
                f"one labelled cell per kind tells little where a kind's cells look unlike one "
                f"another ({game.title}'s handwriting); use hybrid-abduced or the labelled hybrid"
            )
        return clusters_refusal(game)
    if game.num_kinds > MAX_KINDS:
        return (
            f"abduction searches every kind for every appearance group and covers games of up "
            f"to {MAX_KINDS} kinds; {game.title} has {game.num_kinds}. Use the labelled hybrid"
        )
    return None


def _alternatives(scorer: Scorer, reading: np.ndarray, kinds: int) -> list[set[int]]:
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


def _distinct(scorer: Scorer, reading: np.ndarray, fits: list[set[int]]) -> np.ndarray:
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


def _read_episode(
    scorer: Scorer, game: GameSpec, n: int, config: AbductionConfig, prior: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """One episode's reading: from the prior's three likeliest kinds per group by ascent, and
    from scratch when that does not explain every step."""
    reading, score = None, -1.0
    if prior is not None:
        scorer.prior = prior
        choices = {g: [int(k) for k in np.argsort(-prior[g])[:3]] for g in range(n)}
        start = np.array([choices[g][0] for g in range(n)], dtype=np.int64)
        reading, score = ascend(scorer, start, choices, config.passes)
    if reading is None or not scorer.explained(reading):
        fresh, fresh_score = search_episode(scorer, game, config.passes, config.joint)
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
    config: AbductionConfig = DEFAULT_ABDUCTION,
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

    A game whose kinds do not look alike (``GameSpec.abduction == "clusters"``, handwriting)
    is read by :func:`compose.abduction.clusters.abduce_clusters` instead.
    """
    if game.abduction == "clusters":
        return abduce_clusters(game, reasoner, demos, tile, probabilities)
    t0 = time.perf_counter()
    features = cell_features(demos.frames, tile)
    episodes = _simplest_first(demos, features, config.threshold)
    legend = list(legend or [])  # (appearance, kind): given, and of explained groups
    explained_rows = np.zeros(len(demos), dtype=bool)
    explained = 0
    records: list[dict[str, Any]] = []
    for rows, groups in episodes:
        centres = group_centres(features[rows], groups)
        prior = _prior(probabilities, rows, groups, centres, legend, game.num_kinds)
        record, found = _read_part(game, reasoner, episode_part(demos, rows), groups, config, prior)
        if found is not None:  # the episode is explained: its groups join the legend
            explained += 1
            explained_rows[rows] = True
            legend += [(centres[g], int(found[g])) for g in range(len(centres))]
        records.append({"rows": rows, "groups": groups, "centres": centres, **record})
        if progress is not None:
            progress(f"{explained} episodes explained")
    consolidate(records, config.threshold * 1.5)
    labels = np.zeros(demos.frames.shape[0:1] + features.shape[1:3], dtype=np.int64)
    counts = {"episodes_explained": explained, "episodes": len(episodes)}
    return _concluded(records, labels, explained_rows, counts, t0)


def _simplest_first(
    demos: Demonstrations, features: np.ndarray, threshold: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every episode's rows and its cells' appearance groups, the simplest episodes (fewest
    groups, then fewest steps) first."""
    episodes = []
    for rows in episode_rows(demos):
        groups = appearance_groups(features[rows], threshold)
        episodes.append((int(groups.max()) + 1, len(rows), rows, groups))
    episodes.sort(key=lambda e: (e[0], e[1]))
    return [(rows, groups) for _, _, rows, groups in episodes]


def _prior(
    probabilities: np.ndarray | None,
    rows: np.ndarray,
    groups: np.ndarray,
    centres: np.ndarray,
    legend: list[tuple[np.ndarray, int]],
    kinds: int,
) -> np.ndarray | None:
    """Per group of an episode and kind, in [-1, 0]: how likely the group is that kind, by
    perception's ``probabilities`` of the episode's cells, else by the nearest ``legend``
    entries; None with neither."""
    if probabilities is not None:
        logp = np.log(np.clip(probabilities[rows], 1e-6, 1.0))
        prior = np.stack([logp[groups == g].mean(axis=0) for g in range(len(centres))])
        return prior / max(1e-9, float(-prior.min()))
    if legend:
        return legend_prior(centres, legend, kinds)
    return None


def _read_part(
    game: GameSpec,
    reasoner: Reasoner,
    part: Demonstrations,
    groups: np.ndarray,
    config: AbductionConfig,
    prior: np.ndarray | None,
) -> tuple[dict[str, Any], np.ndarray | None]:
    """One episode's reading, scored on at most ``config.sample_steps`` of its steps: the
    record :func:`compose.abduction.appearances.consolidate` and :func:`_concluded` read (the
    reading with its ambiguous groups made distinct, the kinds each group could be read as,
    the scorer), and the reading as searched if it explains the episode (else None)."""
    n = int(groups.max()) + 1
    steps = np.arange(len(part))
    if len(steps) > config.sample_steps:
        steps = np.unique(np.linspace(0, len(part) - 1, config.sample_steps).round())
        steps = steps.astype(np.intp)
    scorer = Scorer(game, reasoner, groups, part, steps)
    reading, _score = _read_episode(scorer, game, n, config, prior)
    found = reading if scorer.explained(reading) else None
    fits = _alternatives(scorer, reading, game.num_kinds)
    reading = _distinct(scorer, reading, fits)
    for g in range(n):
        fits[g].add(int(reading[g]))
    return {"reading": reading, "fits": fits, "scorer": scorer}, found


def _concluded(
    records: list[dict[str, Any]],
    labels: np.ndarray,
    explained: np.ndarray,
    extra: dict[str, float],
    t0: float,
) -> Reading:
    """The readings of every episode as one: each cell's kind written into ``labels``
    (``(N, H, W)``), with what the scorers counted; ``explained`` rows, ``extra`` counts and
    the seconds since ``t0`` as given."""
    agree = ambiguous = evaluations = n_groups = scored = 0
    for r in records:
        labels[r["rows"]] = r["reading"][r["groups"]]
        ambiguous += int(
            sum((r["groups"] == g).sum() for g, f in enumerate(r["fits"]) if len(f) > 1)
        )
        agree += int((r["scorer"].matches(r["reading"]) > 0).sum())
        scored += len(r["scorer"].steps)
        evaluations += r["scorer"].evaluations
        n_groups += int(r["groups"].max()) + 1
    return Reading(
        labels=labels,
        agreement=agree / max(1, scored),
        groups=n_groups,
        ambiguous_cells=ambiguous,
        evaluations=evaluations,
        seconds=time.perf_counter() - t0,
        explained=explained,
        extra=extra,
    )
