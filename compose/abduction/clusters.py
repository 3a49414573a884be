"""Abduction for games whose kinds do not look alike (``GameSpec.abduction == "clusters"``):
the digits of a handwritten board, read from the expert's writes and the rules alone.

A handwritten 3 looks unlike another handwritten 3, so the appearance groups of
:mod:`compose.abduction.reading` (one look per kind within a level) do not exist here. What the
demonstrations give instead is the expert's writes, and what the rules give is a board's solutions
(``Reasoner.completions``) and what a write does (``Reasoner.predict``):

1. **What the writes pin.** By the rules a write puts its digit in a blank cell, so a cell the
   expert writes into later in the episode is blank on every screen before, and shows the
   written digit on every screen after. A cell the expert never writes into is a given: one of
   the digits, which one unknown.
2. **What the rules pin.** The givens are read so that the board the episode ends with is
   solved: among the solved boards that agree with every write, the givens take the digits of
   the one candidate (the solutions of the board of writes alone, its givens blank: at most
   ``CANDIDATES``); where several candidates remain, of the one whose digits the other
   episodes' readings of alike-looking givens (k-means clusters of every given's pixels)
   support most; with a perception's probabilities (ABL's revision), of the most probable one.
   An episode no solved board agrees with (or whose candidates the rules cannot list within
   their limits) is left unexplained and is not trained on.

:func:`abduce_clusters` never reads ``Demonstrations.cells``.
"""

from __future__ import annotations

import time

import numpy as np

from compose.abduction.episodes import Reading, episode_rows
from environments.core import Scene
from environments.spec import GameSpec
from neural.data import Demonstrations
from symbolic.errors import QueryLimitError
from symbolic.reasoner import Reasoner

__all__ = ["CLUSTERS", "abduce_clusters", "refusal"]

CLUSTERS = 24  # k-means groups of the givens' pixels, for choosing between candidate boards
CANDIDATES = 300  # the most solved boards an episode's writes leave (every 4x4 one: 288)


def refusal(game: GameSpec, reasoner: Reasoner | None = None) -> str | None:
    """Why cluster abduction cannot read ``game`` (with ``reasoner``), or None."""
    if not game.actions.values:
        return (
            f"abduction by clusters reads games whose actions write values; {game.title}'s do not"
        )
    if reasoner is not None and not (reasoner.predicts and hasattr(reasoner, "completions")):
        return (
            f"abduction by clusters needs a reasoner that predicts writes and lists a board's "
            f"solutions; {type(reasoner).__name__} does not"
        )
    return None


def _writes(game: GameSpec, reasoner: Reasoner, shape: tuple[int, int]) -> np.ndarray:
    """``(A, 3)``: the cell (row, column) each action writes and the kind it writes there, by
    the rules' prediction on a blank board."""
    blank = game.index(game.background)
    h, w = shape
    scene = Scene(game, np.full(shape, blank, dtype=np.int8), None, ())
    out = np.zeros((game.actions.count(h, w), 3), dtype=np.int64)
    for a in range(len(out)):
        r, c, _ = game.actions.cell_value(a, w)
        after = reasoner.predict(scene, a)
        out[a] = (r, c, blank if after is None else int(after[r, c]))
    return out


def _keys(boards: np.ndarray, kinds: int) -> np.ndarray:
    """Each ``(..., H*W)`` board as one integer (its kinds as digits in base ``kinds``)."""
    powers = kinds ** np.arange(boards.shape[-1], dtype=np.int64)
    return (boards.astype(np.int64) * powers).sum(axis=-1)


def _features(patches: np.ndarray) -> np.ndarray:
    """Grey patches, each standardised (blind to a level's paper and ink colours)."""
    grey = patches.astype(np.float32).mean(axis=-1).reshape(len(patches), -1)
    grey -= grey.mean(axis=1, keepdims=True)
    return grey / np.maximum(grey.std(axis=1, keepdims=True), 1e-6)


def abduce_clusters(
    game: GameSpec,
    reasoner: Reasoner,
    demos: Demonstrations,
    tile: int,
    probabilities: np.ndarray | None = None,
    seed: int = 0,
) -> Reading:
    """The reading of every demonstration cell from the writes and the solved boards."""
    t0 = time.perf_counter()
    n, hp, wp = demos.frames.shape[:3]
    h, w = hp // tile, wp // tile
    blank = game.index(game.background)
    labels = np.full((n, h * w), blank, dtype=np.int64)
    episodes = episode_rows(demos)
    given_cells, candidates = _pinned(game, reasoner, demos, episodes, labels, w)
    clusters, cluster_of = _given_clusters(demos, episodes, given_cells, tile, seed)
    votes = np.zeros((int(clusters.max()) + 1, game.num_kinds))
    for e, cands in enumerate(candidates):  # the cells every candidate agrees on
        for cell in np.flatnonzero(given_cells[e]):
            if len(cands) and (cands[:, cell] == cands[0, cell]).all():
                votes[cluster_of[(e, cell)], cands[0, cell]] += 1
    explained = np.zeros(n, dtype=bool)
    ambiguous = chosen_by_votes = 0
    for e, (rows, cands) in enumerate(zip(episodes, candidates, strict=True)):
        given = np.flatnonzero(given_cells[e])
        if not len(cands):
            continue
        if probabilities is not None:
            logp = np.log(np.clip(probabilities[rows].mean(axis=0).reshape(h * w, -1), 1e-6, 1))
            score = logp[given[None, :], cands[:, given]].sum(axis=1)
        else:
            share = votes / np.maximum(votes.sum(axis=1, keepdims=True), 1)
            groups = np.array([cluster_of[(e, int(cell))] for cell in given], dtype=np.int64)
            score = np.log(share[groups[None, :], cands[:, given]] + 1e-3).sum(axis=1)
            chosen_by_votes += int(len(cands) > 1)
        best = cands[int(np.argmax(score))]
        ambiguous += int(sum((cands[:, cell] != cands[0, cell]).any() for cell in given))
        labels[np.ix_(rows, given)] = best[given]
        explained[rows] = True
    return Reading(
        labels=labels.reshape(n, h, w),
        agreement=_agreement(game, reasoner, demos, episodes, labels, explained, (h, w)),
        groups=int(clusters.max()) + 1,
        ambiguous_cells=ambiguous,
        evaluations=sum(len(c) for c in candidates),
        seconds=time.perf_counter() - t0,
        explained=explained,
        extra={
            "episodes_explained": int(sum(explained[rows[0]] for rows in episodes)),
            "episodes": len(episodes),
            "chosen_by_clusters": chosen_by_votes,
        },
    )


def _pinned(
    game: GameSpec,
    reasoner: Reasoner,
    demos: Demonstrations,
    episodes: list[np.ndarray],
    labels: np.ndarray,
    w: int,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """What the writes pin, episode by episode: every written cell's kind, written into
    ``labels`` (``(N, H*W)``) from the screen after the write on; which cells are givens
    (never written into); and the solved boards that agree with every write (the
    candidates)."""
    h = labels.shape[1] // w
    blank = game.index(game.background)
    writes = _writes(game, reasoner, (h, w))
    given_cells, candidates = [], []
    for rows in episodes:
        written = np.full(h * w, -1, dtype=np.int64)  # the kind written in each cell
        for step, row in enumerate(rows):
            r, c, kind = writes[int(demos.actions[row])]
            cell = r * w + c
            if written[cell] < 0 and kind != blank:
                written[cell] = kind
                labels[rows[step + 1 :], cell] = kind  # shown from the next screen on
        given = written < 0
        board = np.where(given, blank, written).reshape(h, w)
        try:
            found = reasoner.completions(board, CANDIDATES)  # type: ignore[attr-defined]
        except QueryLimitError:
            found = np.zeros((0, h, w), dtype=np.int8)
        given_cells.append(given)
        candidates.append(found.reshape(-1, h * w))
    return given_cells, candidates


def _given_clusters(
    demos: Demonstrations,
    episodes: list[np.ndarray],
    given_cells: list[np.ndarray],
    tile: int,
    seed: int,
) -> tuple[np.ndarray, dict[tuple[int, int], int]]:
    """Alike-looking givens across episodes, to choose between candidate boards: the k-means
    cluster of every given on its episode's first screen, and each (episode, cell)'s cluster."""
    first = np.array([rows[0] for rows in episodes])
    h, w = demos.frames.shape[1] // tile, demos.frames.shape[2] // tile
    patches = (
        demos.frames[first].reshape(len(first), h, tile, w, tile, 3).transpose(0, 1, 3, 2, 4, 5)
    )
    patches = patches.reshape(len(first), h * w, tile, tile, 3)
    owners = [(e, cell) for e, g in enumerate(given_cells) for cell in np.flatnonzero(g)]
    clusters = np.zeros(len(owners), dtype=np.int64)
    if len(owners) > 1:
        from sklearn.cluster import KMeans

        features = _features(np.stack([patches[e, cell] for e, cell in owners]))
        k = min(CLUSTERS, len(owners))
        clusters = KMeans(k, n_init=4, random_state=seed).fit_predict(features)
    cluster_of = {owner: int(g) for owner, g in zip(owners, clusters, strict=True)}
    return clusters, cluster_of


def _agreement(
    game: GameSpec,
    reasoner: Reasoner,
    demos: Demonstrations,
    episodes: list[np.ndarray],
    labels: np.ndarray,
    explained: np.ndarray,
    shape: tuple[int, int],
) -> float:
    """The share of steps where the reasoner, shown each explained episode's first screen as
    read (``labels``, ``(N, H*W)``), plans the write the expert made."""
    agree = scored = 0
    for rows in episodes:
        scored += len(rows)
        if explained[rows[0]]:
            reasoner.reset()
            first = labels[rows[0]].reshape(shape).astype(np.int8)
            plan = reasoner.decide(Scene(game, first, None))
            agree += sum(
                1 for a, b in zip(plan.plan, demos.actions[rows], strict=False) if a == int(b)
            )
    return agree / max(1, scored)
