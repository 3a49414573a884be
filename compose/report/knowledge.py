"""The report's sections on knowledge and behaviour: the knowledge ledger, failure
attribution, one episode step by step (with its screens) and provenance."""

from __future__ import annotations

import json
from dataclasses import astuple
from pathlib import Path

from compose.analysis.results import Analysis, counted
from compose.common.symbols import hybrid_assumptions
from compose.pipelines.spec import PipelineSpec
from compose.report.document import Block, Code, Figure, H, P, Table
from compose.report.screens import outline, replay, save_strip, with_maps
from compose.report.text import pct
from environments.registry import make
from environments.spec import GameSpec
from neural.settings import augment_parts, colour_words
from symbolic.engine import PrologEngine, RuleLedger
from symbolic.induction import background_clauses
from symbolic.reasoner import RULES_DIR, reasoner_class, rules_path

__all__ = ["attribution", "episode", "episode_strip", "ledger", "provenance"]


def _handed(kind: str, spec: PipelineSpec | None, game: GameSpec) -> list[str]:
    """Knowledge a learner is handed besides rules, read off its spec."""
    if spec is None:
        return []
    handed = []
    symmetry, colour = augment_parts(spec.augment)
    if symmetry:
        turned = "facing kinds turned" if kind == "hybrid" else "actions remapped"
        handed.append(f"augmentation: the board's symmetries ({turned})")
    if colour:
        handed.append(f"augmentation: {colour_words(game)}")
    if kind == "monolithic" and spec.inputs == "symbols":
        handed.append("reads the true grid of kinds")
    return handed


def ledger(a: Analysis, game: GameSpec) -> list[Block]:
    rules = Path(a.config.rules or rules_path(game))
    ledger = PrologEngine.get().load_rules(rules).ledger
    grammar = ""
    if game.grammar:  # the words beside the screen are read by hand-written rules too
        said = PrologEngine.get().load_rules(RULES_DIR / game.grammar, trusted=True).ledger
        ledger = RuleLedger(*(a + b for a, b in zip(astuple(ledger), astuple(said), strict=True)))
        grammar = f" + {game.grammar} (the mission grammar)"
    questions = ", ".join(reasoner_class(game).questions)
    assumptions = hybrid_assumptions(game)
    rows = []
    for pipeline in a.pipelines:
        kind = a.kinds[pipeline]
        spec = a.spec(pipeline)
        handed = _handed(kind, spec, game)
        # a distilled network knows what its teacher knows
        taught = kind == "monolithic" and spec is not None and spec.training == "distilled"
        if kind in ("monolithic", "ppo") and not taught:
            rows.append([pipeline, "0", "0", "0", "0", "; ".join(handed) or "none"])
            continue
        counted = len(assumptions) if kind == "hybrid" or taught else 0
        extra = "; decoder: " + ", ".join(assumptions) if counted else ""
        if kind == "hybrid" and spec is not None and spec.rules == "induced":
            given = (
                f"no rule file: its clauses are learned (see Rules learned from play); given: "
                f"the shared background ({background_clauses()} clauses) and the hypothesis "
                f"language{extra}"
            )
            if spec.supervision == "abduced":  # the autonomous hybrid: nothing game-specific
                counted = int(bool(game.agent_kinds))  # one agent; the rest it measured
                given = (
                    "no rule file and no cell label: cells named by appearance, clauses "
                    "learned over those names (see Rules learned from play); given: "
                    f"the shared background ({background_clauses()} clauses), the hypothesis "
                    "language, the appearance features, and the structure its decoder "
                    "assumes: one agent, moving as its move actions say, and the screen "
                    "structure the demonstrations share (learned, not declared)"
                )
            rows.append([pipeline, "0", "0", "0", str(counted), "; ".join([given, *handed])])
            continue
        source = f"{'its hybrid teacher: ' if taught else ''}{rules.name}{grammar}{extra}"
        rows.append(
            [
                pipeline,
                str(ledger.clauses),
                str(ledger.predicates),
                str(ledger.lines),
                str(counted),
                "; ".join([source, *handed]),
            ]
        )
    return [
        H(2, "Knowledge ledger"),
        P(
            "Hand-written knowledge each pipeline relies on: clauses, predicates and non-comment "
            "lines of the rule file, plus the assumptions of the hybrid's symbol decoder "
            f"({game.decoder}). The reasoner asks the rules {questions}; its search is generic "
            "code, not game knowledge. The monolithic policies use none, except what they are "
            "handed: augmentation (the board's symmetries, random colour maps), the true grid, "
            "or a hybrid teacher whose knowledge a distilled student inherits."
        ),
        Table(
            ["pipeline", "clauses", "predicates", "lines", "decoder assumptions", "source"], rows
        ),
        P(f"The rule file ({rules}):"),
        Code(rules.read_text(encoding="utf-8").strip()),
    ]


def attribution(a: Analysis) -> list[Block]:
    out: list[Block] = [H(2, "Failure attribution")]
    if "hybrid" not in a.pipelines:
        out.append(P("No hybrid pipeline in this comparison."))
        return out
    kinds: list[str] = []
    per_budget = {b: a.attribution(b, a.splits[0]) for b in a.budgets}
    for att in per_budget.values():
        for k in (att or {}).get("per_kind", {}):
            if k not in kinds:
                kinds.append(k)
    rows = [
        [k, *[pct((per_budget[b] or {}).get("per_kind", {}).get(k)) for b in a.budgets]]
        for k in kinds
    ]
    out.append(
        P(
            f"Perception accuracy per kind of cell on {a.splits[0]} (share of true cells "
            "of that kind read correctly, over every decision), by budget:"
        )
    )
    out.append(Table(["kind", *[counted(b, "demo") for b in a.budgets]], rows))
    gap_rows = []
    for split in a.splits:
        for b in a.budgets:
            att = a.attribution(b, split)
            hybrid = a.cell("hybrid", b, split)
            oracle = a.cell("oracle", 0, split)
            if att is None or hybrid is None:
                continue
            d = att["decisions"] or 1
            gap_rows.append(
                [
                    split,
                    str(b),
                    hybrid.success.text(),
                    oracle.success.text() if oracle else "—",
                    f"{att.get('perception_failures', '—')} / {att.get('reasoning_failures', '—')}"
                    f" of {att.get('failures', '—')}",
                    f"{100 * att['wrong_scenes'] / d:.1f}%",
                    "—"
                    if att["changed_actions"] is None
                    else f"{100 * att['changed_actions'] / d:.1f}%",
                ]
            )
    out.append(
        P(
            "Hybrid against the oracle on the same levels. A hybrid failure on a level the oracle "
            "solves is a perception failure (the reasoner and rules are the same); a level both "
            "fail is a reasoning (rules or search) failure. Per decision: how often the perceived "
            "scene had any wrong cell, and how often that changed the action the reasoner would "
            "have taken on the true scene (—: not measured, where the reasoner decides from a "
            "map of the screens before)."
        )
    )
    out.append(
        Table(
            [
                "split",
                "budget",
                "hybrid",
                "oracle",
                "failures: perception / reasoning",
                "decisions with a wrong cell",
                "actions changed",
            ],
            gap_rows,
        )
    )
    return out


def episode(a: Analysis, game: GameSpec, figures: dict[str, Path]) -> list[Block]:
    out: list[Block] = [H(2, "One episode, step by step")]
    trace = a.trace_for("hybrid", a.top_budget, 0) if "hybrid" in a.pipelines else None
    if trace is None:
        out.append(P("No recorded hybrid episode."))
        return out
    result = "solved" if trace.get("success") else "not solved"
    out.append(
        P(
            f"The hybrid trained on {counted(a.top_budget, 'demonstration episode')} (seed 0), "
            f"on the first evaluation level of {trace['split']} (level seed "
            f"{trace['level_seed']}): {result} in "
            f"{counted(trace.get('total_steps', len(trace['steps'])), 'step')}. Each step shows "
            f"the scene as perceived ({game.legend()}) and the reasoner's explanation."
        )
    )
    if "episode" in figures:
        out.append(
            Figure(
                figures["episode"],
                "The screens of that episode, step by step, with the action taken under each; "
                "a magenta box marks a cell perception misread.",
            )
        )
    lines = []
    for step in trace["steps"]:
        wrong = f" ({counted(step['wrong_cells'], 'cell')} misread)" if step["wrong_cells"] else ""
        lines.append(f"step {step['step']}{wrong}\n{step['perceived']}\n{step['explanation']}\n")
    out.append(Code("\n".join(lines).rstrip()))
    return out


STRIP_FRAMES = 18  # the strip shows at most this many screens


def episode_strip(a: Analysis, game: GameSpec, path: Path) -> Path | None:
    """Replay the hybrid's recorded episode and draw its screens, misread cells outlined (and
    the map it kept, beside each, if it keeps one)."""
    trace = a.trace_for("hybrid", a.top_budget, 0) if "hybrid" in a.pipelines else None
    if trace is None or "env" not in trace:
        return None
    env = make(trace["env"], **trace.get("kwargs", {}))
    steps = trace["steps"][:STRIP_FRAMES]
    shots = replay(env, trace["level_seed"], [s["action"] for s in steps])
    frames = [
        outline(frame, game.parse(step["perceived"]) != truth, env.tile)
        for (frame, truth), step in zip(shots, steps, strict=False)
    ]
    if any("map" in s for s in steps):  # a pipeline that maps as it goes: its map beside
        maps = [env.draw_map(game.parse(s["map"])) if "map" in s else None for s in steps]
        frames = with_maps(frames, maps)
    labels = [f"{s['step']}: {s['action_name']}" for s in steps[: len(frames)]]
    _, info = env.reset(seed=trace["level_seed"])
    said = info.get("mission", "")
    return save_strip(path, frames, labels, title=f"mission: {said}" if said else "")


def provenance(a: Analysis, ignored: int) -> list[Block]:
    versions = a.rows[0].versions
    created = sorted(r.created_at for r in a.rows)
    text = [
        f"- settings hash `{a.settings_hash}`; {counted(len(a.rows), 'result row')} "
        f"({created[0]} to {created[-1]})",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- evaluation levels are the same for every pipeline (seeded per seed and level "
        "index); training levels are disjoint from them",
        "- a pipeline that revisits a state with the same memory is stopped and recorded as the "
        "timeout it would reach (same success, return 0, max steps)",
    ]
    if ignored:
        text.append(
            f"- not reported here: {counted(ignored, 'row')} of the database, from other "
            "settings or jobs"
        )
    return [
        H(2, "Method and provenance"),
        P("\n".join(text)),
        Code(json.dumps(json.loads(a.config.model_dump_json()), indent=2)),
    ]
