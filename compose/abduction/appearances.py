"""How cells look, for abduction: descriptions of cells, appearance groups within a level,
alike groups across levels, and legends (one labelled cell per kind).

Within a level a kind looks the same up to noise (colours are jittered per level, sprites
shifted by a pixel, a fixed field of noise lies over the screen), so a level's cells are
grouped by appearance; across levels only groups that look alike after the jitter are taken to
be one kind, and only where every level allows it.
"""

from __future__ import annotations

import numpy as np

from neural.data import Demonstrations

__all__ = [
    "QUANTILES",
    "appearance_groups",
    "cell_features",
    "consolidate",
    "group_centres",
    "legend_of",
    "legend_prior",
]

QUANTILES = 16  # colour quantiles per channel that describe a cell


def cell_features(frames: np.ndarray, tile: int) -> np.ndarray:
    """``(N, H*t, W*t, 3)`` screens → ``(N, H, W, 48)`` descriptions of every cell: sixteen
    quantiles of each colour channel. They are blind to where in the cell a colour lies, so a
    sprite shifted by a pixel looks the same; kinds that differ only in orientation (an arrow
    turned) look alike too. A 2x2 colour raster was tried beside them and split every kind
    into several groups by its sprite shifts."""
    n, ht, wt, _ = frames.shape
    h, w = ht // tile, wt // tile
    cells = frames.reshape(n, h, tile, w, tile, 3).transpose(0, 1, 3, 2, 4, 5)
    ordered = np.sort(cells.reshape(n, h, w, tile * tile, 3).astype(np.float32), axis=3)
    at = np.linspace(0, tile * tile - 1, QUANTILES).round().astype(np.intp)
    return ordered[:, :, :, at, :].reshape(n, h, w, -1)


def appearance_groups(features: np.ndarray, threshold: float) -> np.ndarray:
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


def consolidate(records: list[dict], threshold: float) -> None:
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


def group_centres(features: np.ndarray, groups: np.ndarray) -> np.ndarray:
    flat, ids = features.reshape(-1, features.shape[-1]), groups.ravel()
    return np.stack([flat[ids == g].mean(axis=0) for g in range(int(ids.max()) + 1)])


def legend_prior(
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


def legend_of(demos: Demonstrations, tile: int) -> list[tuple[np.ndarray, int]]:
    """One labelled example per kind the demonstrations show: the first cell of each kind,
    scanning screens in order (the only cell labels a legend hybrid is given)."""
    features = cell_features(demos.frames, tile)
    legend = []
    for kind in np.unique(demos.cells):
        n, r, c = np.argwhere(demos.cells == kind)[0]
        legend.append((features[n, r, c], int(kind)))
    return legend
