"""Revising a reading in invented symbols (:mod:`compose.abduction.invented`) once rules have
been learned over it: symbols the rules answer alike become one (:func:`alike_symbols`,
:func:`merge_symbols`), and the demonstrations are read again under the rules, as abduction
reads them, perception's probabilities trying the likeliest symbols and breaking ties
(:func:`reread`: ABL's revision)."""

from __future__ import annotations

import re

import numpy as np

from compose.abduction.episodes import DEFAULT_ABDUCTION, episode_part
from compose.abduction.invented import Symbols, SymbolTable, screen_structure
from compose.abduction.search import Scorer, ascend
from environments.spec import GameSpec
from neural.data import Demonstrations
from symbolic.reasoner import Reasoner

__all__ = ["alike_symbols", "merge_symbols", "reread"]


def alike_symbols(clauses: list[str], table: SymbolTable) -> list[tuple[str, str]]:
    """Pairs of symbols (neither the agent's) that every learned clause treats alike:
    swapping the two leaves the set of clauses as it is."""
    learned = set(clauses)
    names = [n for n in table.names if n not in table.agents]
    out: list[tuple[str, str]] = []
    taken: set[str] = set()
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if a in taken or b in taken:
                continue
            swapped = {_swap(c, a, b) for c in learned}
            mentioned = any(re.search(rf"\b{a}\b|\b{b}\b", c) for c in learned)
            if mentioned and swapped == learned:
                out.append((a, b))
                taken.add(b)
    return out


def _swap(text: str, a: str, b: str) -> str:
    """``text`` with the atoms ``a`` and ``b`` swapped."""
    return re.sub(rf"\b({a}|{b})\b", lambda m: b if m.group(0) == a else a, text)


def merge_symbols(symbols: Symbols, alike: list[tuple[str, str]]) -> Symbols:
    """``symbols`` with the second of each pair read as the first, renumbered from ``k0``."""
    index = {n: i for i, n in enumerate(symbols.table.names)}
    target = np.arange(symbols.count)
    for a, b in alike:
        target[index[b]] = index[a]
    kept = np.unique(target)
    renumber = np.searchsorted(kept, target)
    old = symbols.table
    names = tuple(f"k{i}" for i in range(len(kept)))
    rename = {n: names[renumber[i]] for i, n in enumerate(old.names)}
    grid = renumber[symbols.grid]
    agents = {rename[a]: tuple(sorted({rename[h] for h in held})) for a, held in old.agents.items()}
    border, counts = screen_structure(grid, set(agents))
    table = SymbolTable(names, agents, rename[old.background], border, counts)
    centres = np.stack([symbols.centres[target == k].mean(axis=0) for k in kept])
    episodes = [(rows, groups, renumber[s]) for rows, groups, s in symbols.episodes]
    return Symbols(table, grid, centres, episodes, list(symbols.notes))


def reread(
    game: GameSpec, reasoner: Reasoner, named: Demonstrations, symbols: Symbols, probs: np.ndarray
) -> tuple[Symbols, int]:
    """Abduction under the learned rules: each level's groups take the symbols under which
    the rules best explain the expert's play there, each group trying the three symbols
    the trained perception finds likeliest (the agent's among the agent's, the others among
    the others), ties going to the likeliest reading. Returns
    the reading and how many groups changed."""
    grid, episodes, changed = symbols.grid.copy(), [], 0
    # the agent's symbols stay the agent's (found by how they move), the others others'
    agents = {symbols.table.names.index(a) for a in symbols.table.agents}
    for rows, groups, current in symbols.episodes:
        n = len(current)
        logp = np.log(np.clip(probs[rows], 1e-6, 1.0))
        prior = np.stack([logp[groups == g].mean(axis=0) for g in range(n)])
        prior = prior / max(1e-9, float(-prior.min()))
        steps = np.arange(len(rows))
        if len(steps) > DEFAULT_ABDUCTION.sample_steps:
            at = np.linspace(0, len(rows) - 1, DEFAULT_ABDUCTION.sample_steps)
            steps = np.unique(at.round()).astype(np.intp)
        scorer = Scorer(game, reasoner, groups, episode_part(named, rows), steps)
        scorer.prior = prior
        choices = {
            g: sorted(
                {int(current[g])}
                | {
                    int(k)
                    for k in np.argsort(-prior[g])[:3]
                    if (k in agents) == (current[g] in agents)
                }
            )
            for g in range(n)
        }
        reading, _ = ascend(scorer, current.copy(), choices, DEFAULT_ABDUCTION.passes)
        changed += int((reading != current).sum())
        grid[rows] = reading[groups]
        episodes.append((rows, groups, reading))
    return Symbols(symbols.table, grid, symbols.centres, episodes, list(symbols.notes)), changed
