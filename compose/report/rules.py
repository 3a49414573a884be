"""The report's "Rules learned" section: for each pipeline that learned its game's rules, per
budget, the ledger (given, learned, hand-written), what the rules were learned from, how well
they predict held-out transitions, where they differ from the packaged file, and one learned
file whole."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np

from compose.abduction.invented import translate_clause
from compose.analysis.results import Analysis
from compose.report.document import Block, Code, H, P, Table
from compose.report.symbols import extras_of, invented_symbols
from compose.report.text import num, pct
from environments.spec import GameSpec
from symbolic.errors import NeurocompError
from symbolic.induction.audit import Contradiction
from symbolic.reasoner import load_reasoner, reasoner_class
from symbolic.terms import Term

__all__ = ["rules_audit", "rules_differences", "rules_learned"]


def _decided_differences(game: GameSpec, extra: dict[str, Any]) -> list[str] | None:
    """Where a fit's learned rules differ from the packaged ones, over the kinds its
    transitions showed (all, for a fit that did not record them), leaving out the atoms no
    transition decided."""
    seen = extra.get("kinds_seen")
    learned = extra["learned_rules"]
    undecided = set(extra.get("unidentified") or ())
    if "translated_rules" in extra:  # learned over invented symbols: compared translated
        names = extra.get("symbol_kinds") or extra.get("symbol_map") or {}
        learned = extra["translated_rules"]
        seen = None if seen is None else [n for k in seen for n in _listed(names.get(k, k))]
        undecided = {translate_clause(u, names) for u in undecided}
    found = rules_differences(game, learned, None if seen is None else set(seen))
    if found is None:
        return None
    return [d for d in found if d.partition(":")[0] not in undecided]


def rules_differences(
    game: GameSpec, learned: str, kinds: Collection[str] | None = None
) -> list[str] | None:
    """Where ``learned`` rules answer the reasoner's questions otherwise than the packaged
    file, over every kind (or those of ``kinds``: the ones a variant shows) and inventory of
    ``game`` ("kills(lava): learned no, packaged yes"); None if the learned text cannot be
    loaded."""
    try:
        theirs = load_reasoner(game, text=learned, name="learned rules")
    except NeurocompError:
        return None
    ours = load_reasoner(game)
    questions = reasoner_class(game).questions
    special = {
        "lit/1": lambda: _press_differences(game, theirs, ours),
        "solution/2": lambda: _board_differences(game, theirs, ours),
        "heading/2": lambda: _facing_differences(game, theirs, ours, kinds),
    }
    for question, differences in special.items():
        if question in questions:
            try:
                return differences()
            finally:
                theirs.rules.close()
                ours.rules.close()
    terrain = [
        k.name
        for i, k in enumerate(game.kinds)
        if i not in game.agent_kinds and (kinds is None or k.name in kinds)
    ]
    collect = "collects" if "collects/1" in questions else ""
    try:
        tables = [r.rules.semantics(terrain, [], questions, collect) for r in (theirs, ours)]
        laws = _law_differences(terrain, theirs, ours) if "moves/5" in questions else []
    finally:
        theirs.rules.close()
        ours.rules.close()
    names = [q.split("/")[0] for q in questions]
    out = []
    packaged = {t.inventory: t.kinds for t in tables[1]}
    for table in tables[0]:
        held = "[" + ", ".join(sorted(table.inventory)) + "]"
        for kind in terrain:
            for q in names:
                mine = q in table.kinds.get(kind, set())
                other = q in packaged.get(table.inventory, {}).get(kind, set())
                if mine != other:
                    atom = f"{q}({kind}, {held})" if q == "blocks" else f"{q}({kind})"
                    line = f"{atom}: learned {'yes' if mine else 'no'}, packaged "
                    out.append(line + ("yes" if other else "no"))
    return sorted(set(out)) + laws


def _law_differences(terrain: list[str], theirs: Any, ours: Any, size: int = 5) -> list[str]:
    """Where the pieces' laws differ: a kind's ``moves/5`` answers on a ``size`` board (over
    every cell and agent cell, in order), and the kinds a moving one ``enters/2``."""
    out = []
    names = theirs._names
    blank = [()] * size**4  # no law: a piece stays everywhere

    def show(table: frozenset[int]) -> str:
        return ", ".join(sorted(names[k] for k in table)) or "none"

    for kind in terrain:
        mine, other = theirs.move_table(size, size, kind), ours.move_table(size, size, kind)
        if mine != other:
            differ = sum(a != b for a, b in zip(mine or blank, other or blank, strict=True))
            out.append(
                f"moves({kind}): learned differs from packaged on {differ} of {size**4} "
                f"(cell, agent) pairs of a {size}x{size} board"
            )
        if other is not None and theirs.enters_table(kind) != ours.enters_table(kind):
            out.append(
                f"enters({kind}, _): learned {show(theirs.enters_table(kind))}, "
                f"packaged {show(ours.enters_table(kind))}"
            )
    return out


def rules_learned(a: Analysis, game: GameSpec) -> list[Block]:
    """The section, or nothing if no pipeline learned its rules."""
    learners = [
        p
        for p in a.hybrids()
        if any(
            x.get("rules_learned") is not None
            for b in a.budgets
            for x in extras_of(a, p, b).values()
        )
    ]
    if not learners:
        return []
    split = a.splits[0]
    rows, shown = _learned_rows(a, game, learners, split)
    out: list[Block] = [
        H(2, "Rules learned from play"),
        P(
            "A hybrid whose game rules nobody wrote: its perception learns as the hybrid's "
            "does; its rule clauses are learned from the demonstrations' transitions and, "
            "where they leave a case open (a kind never tried with what the agent holds), "
            "from its own curious play, counted in frames and deaths. *Given*, and counted: "
            "the shared background (one file for every game: what an inventory holds, "
            "directions, steps) and the hypothesis language (which predicates a clause may "
            "have in its head and body, and how many literals). *Learned*: every clause the "
            f"game's reasoner asks about. Hand-written clauses about {game.title}: none. "
            "*Predicts* is the share of held-out transitions (random moves on levels it never "
            "trained on) whose next state the learned rules predict exactly; *as packaged* "
            "counts the seeds whose learned rules answer every question about every kind the "
            "transitions showed and every inventory as the packaged rule file does, wherever a "
            "transition decided the answer (what none decided is listed as unidentified in the "
            f"learned file). Success is on {split}."
        ),
        Table(
            [
                "pipeline",
                "budget",
                "background clauses (given)",
                "clauses learned",
                "hand-written",
                "transitions",
                "frames of own play",
                "deaths in play",
                "examples unexplained",
                "predicts",
                "search s",
                "as packaged",
                f"success ({split})",
            ],
            rows,
        ),
    ]
    if shown is not None:
        pipeline, b, seed, extra, differs = shown
        if differs:
            out.append(
                P(
                    f"Where {pipeline}'s rules (budget {b}, seed {seed}) answer otherwise than "
                    "the packaged file: " + "; ".join(differs) + "."
                )
            )
        out.append(P(f"The rules {pipeline} learned at budget {b}, seed {seed}:"))
        out.append(Code(str(extra["learned_rules"]).strip()))
    return out + invented_symbols(a, learners)


# A learned file printed whole: pipeline, budget, seed, that seed's training extras, and where
# the rules differ from the packaged file (None: they could not be loaded).
_Shown = tuple[str, int, int, dict[str, Any], list[str] | None]


def _learned_rows(
    a: Analysis, game: GameSpec, learners: list[str], split: str
) -> tuple[list[list[str]], _Shown | None]:
    """The section's table, one row per learner and budget (means over seeds), and the learned
    file to print whole: the last row's pipeline and budget, its lowest seed with that seed's
    training extras, and where the rules of the first of its seeds differ from the packaged
    file."""
    rows, shown = [], None
    for pipeline in learners:
        for b in a.budgets_of(pipeline):
            extras = extras_of(a, pipeline, b)
            if not extras:
                continue
            mean = lambda key, e=extras: sum(x.get(key) or 0 for x in e.values()) / len(e)  # noqa: E731
            accuracy = [
                x["prediction_accuracy"]
                for x in extras.values()
                if x.get("prediction_accuracy") is not None
            ]
            differing = [_decided_differences(game, x) for x in extras.values()]
            same = sum(d == [] for d in differing)
            cell = a.cell(pipeline, b, split)
            rows.append(
                [
                    pipeline,
                    str(b),
                    f"{mean('rules_given'):.0f}",
                    f"{mean('rules_learned'):.1f}",
                    "0",
                    num(mean("transitions")),
                    num(mean("play_frames")),
                    f"{mean('play_deaths'):.1f}",
                    f"{mean('examples_unexplained'):.1f}",
                    pct(sum(accuracy) / len(accuracy)) if accuracy else "—",
                    f"{mean('learner_seconds'):.2f}",
                    f"{same} of {len(extras)}",
                    cell.success.text() if cell is not None else "—",
                ]
            )
            shown = (pipeline, b, min(extras), extras[min(extras)], differing[0])
    return rows, shown


def _facing_differences(
    game: GameSpec, theirs: Any, ours: Any, kinds: Collection[str] | None
) -> list[str]:
    """Where two rule files of an agent with a heading differ, over the kinds ``kinds`` (all
    if None): the tables its search plays by (what blocks with what in hand, kills, wins,
    can be carried, what a toggle turns a kind into), each agent kind's heading, how turning
    changes each heading both files know, and where the cell ahead lies."""
    mine, other = theirs.tables(), ours.tables()
    names = game.kind_names
    keep = [i for i, n in enumerate(names) if kinds is None or n in kinds]
    agents = [i for i in keep if i in game.agent_kinds]
    terrain = [i for i in keep if i not in game.agent_kinds]
    out = []

    def differ(atom: str, a: object, b: object) -> None:
        if a != b:
            out.append(f"{atom}: learned {_yes(a)}, packaged {_yes(b)}")

    for held in set(mine.blocks) & set(other.blocks):
        inv = f"[{names[held]}]" if held >= 0 else "[]"
        if held >= 0 and held not in keep:
            continue
        for k in terrain:
            differ(f"blocks({names[k]}, {inv})", mine.blocks[held][k], other.blocks[held][k])
    for q in ("kills", "wins", "carries"):
        for k in terrain:
            differ(f"{q}({names[k]})", getattr(mine, q)[k], getattr(other, q)[k])
    for (k, held), after in other.toggles.items():
        if k in terrain and (held < 0 or held in keep):
            inv = f"[{names[held]}]" if held >= 0 else "[]"
            got = mine.toggles.get((k, held))
            differ(
                f"toggles({names[k]}, {inv}, _)",
                names[got] if got is not None else None,
                names[after],
            )
    mine_heading = {k: mine.headings[h] for k, h in mine.facing.items()}
    other_heading = {k: other.headings[h] for k, h in other.facing.items()}
    for k in agents:
        differ(f"heading({names[k]}, _)", mine_heading.get(k), other_heading.get(k))
    for (action, h), after in other.turns.items():
        name = other.headings[h]
        if name in mine.headings:
            got = mine.turns.get((action, mine.headings.index(name)))
            differ(
                f"turns({action}, {name}, _)",
                mine.headings[got] if got is not None else None,
                other.headings[after],
            )
    for h, step in enumerate(other.ahead):
        name = other.headings[h]
        if name in mine.headings:
            differ(f"ahead({name}, _, _)", mine.ahead[mine.headings.index(name)], step)
    return sorted(set(out))


def _yes(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    return "none" if value is None else str(value)


def _board_differences(game: GameSpec, theirs: Any, ours: Any) -> list[str]:
    """Where two rule files of a game that writes values differ: the kind each value shows,
    and the solved boards of the game's size (a board the one solves and the other not)."""
    out = []
    mine, other = theirs.value_kinds(), ours.value_kinds()
    names = game.kind_names
    for value, a, b in zip(game.actions.values, mine, other, strict=True):
        if a != b:
            out.append(f"digit(_, {value}): learned {names[a]}, packaged {names[b]}")
    n = len(game.actions.values)  # a board of n values is n x n; 9x9's are too many to list,
    n = n if n <= 4 else 4  # so the rules are compared on the 4x4 boards
    boards = [{b.tobytes() for b in r.solved_boards(n, n)} for r in (theirs, ours)]
    if boards[0] != boards[1]:
        out.append(
            f"solution/2: learned gives {len(boards[0])} solved {n}x{n} boards, packaged "
            f"{len(boards[1])} ({len(boards[0] ^ boards[1])} in one and not the other)"
        )
    return out


def _press_differences(game: GameSpec, theirs: Any, ours: Any) -> list[str]:
    """Where learned rules of a game whose action presses a cell differ from the packaged
    ones: per board size the game has, how many presses flip other cells; and ``lit/1``."""
    out = []
    sizes = sorted({int(v.kwargs["size"]) for v in game.variants if "size" in v.kwargs})
    for n in sizes:
        mine, packaged = theirs.system(n, n).toggles, ours.system(n, n).toggles
        differ = int((mine != packaged).any(axis=0).sum())
        if differ:
            out.append(f"toggles on {n}x{n}: {differ} of {n * n} presses flip other cells")
    for kind in game.kind_names:
        mine = bool(theirs.rules.ask(Term("lit", kind)))
        packaged = bool(ours.rules.ask(Term("lit", kind)))
        if mine != packaged:
            out.append(
                f"lit({kind}): learned {'yes' if mine else 'no'}, "
                f"packaged {'yes' if packaged else 'no'}"
            )
    return out


def rules_audit(a: Analysis) -> list[Block]:
    """The learner's test run the other way, on this comparison's own episodes: what the
    transitions of each pipeline's evaluation (in the game's true scenes) contradict in the
    rules it played by, summed over seeds and budgets; nothing if no row was audited."""
    found: dict[tuple[str, str], dict[tuple[str, bool], int]] = {}
    audited: dict[str, int] = {}
    for pipeline in a.pipelines:
        for split in a.splits:
            for b in a.budgets_of(pipeline):
                cell = a.cell(pipeline, b, split)
                for row in cell.rows if cell else []:
                    audit = row.attribution or {}
                    if "rules_audited" not in audit:
                        continue
                    audited[pipeline] = audited.get(pipeline, 0) + int(audit["rules_audited"])
                    sums = found.setdefault((pipeline, split), {})
                    for atom, says, count in audit["rules_contradicted"]:
                        sums[(atom, bool(says))] = sums.get((atom, bool(says)), 0) + int(count)
    if not audited:
        return []
    out: list[Block] = [
        H(3, "Rules audit"),
        P(
            "What the transitions of each pipeline's evaluation episodes (in the game's true "
            "scenes) contradict in the rules it played by, packaged, yours (`--rules`) or "
            "learned: the learner's test run the other way. A failure the attribution above "
            "calls a reasoning failure is named here by the rule it broke. Audited: "
            + ", ".join(f"{p} ({num(n)} transitions)" for p, n in audited.items())
            + "."
        ),
    ]
    lines = []
    for (pipeline, split), sums in found.items():
        ranked = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
        for (atom, says), count in ranked[:5]:
            sentence = Contradiction(atom, says, count).sentence()
            lines.append(f"{pipeline}, {split}: {sentence}")
    out.append(P("; ".join(lines) + "." if lines else "No transition contradicts them."))
    return out


def _listed(name: str | list[str]) -> list[str]:
    return [name] if isinstance(name, str) else list(name)
