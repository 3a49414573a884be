"""The report's sections on what each pipeline took: what it consumed (frames, action and cell
labels, rule clauses, and what it learns from), its costs (parameters, training time, decision
latency) and, with several monolithic sizes, the model-size sweep.
"""

from __future__ import annotations

from pathlib import Path

from compose.analysis.results import Analysis, counted
from compose.common.stats import paired_difference
from compose.pipelines.spec import PipelineSpec
from compose.report.document import Block, Figure, H, P, Table
from compose.report.text import listed, num, signed_points
from neural.settings import augment_parts

__all__ = ["consumption", "costs", "learns_from", "size_sweep"]


LEARNS_FROM = {
    "hybrid": "screens + per-cell kind labels + rules; never sees an action",
    "hybrid-abduced": (
        "screens + expert actions + rules; no cell label: the cells' kinds are abduced"
    ),
    "hybrid-legend": (
        "screens + expert actions + rules + one labelled cell per kind; the rest abduced"
    ),
    "hybrid-induced": (
        "screens + per-cell kind labels + expert actions (to learn rules) + its own play "
        "(frames counted); no game rule written"
    ),
    "hybrid-autonomous": (
        "screens + expert actions + its own play (frames counted); no cell label, no game rule "
        "written: cells named by appearance, rules learned over those names"
    ),
    "monolithic": "screens + expert actions",
    "ppo": "screens + reward from its own play; no labels, no demonstrations",
}


def learns_from(spec: PipelineSpec | None, label: str, kind: str) -> str:
    """What a pipeline learns from, for the consumption table, read off its spec (a pipeline
    of your own: what its kind learns from)."""
    if label in LEARNS_FROM or spec is None:
        return LEARNS_FROM.get(label, LEARNS_FROM.get(kind, "—"))
    symmetry, colour = augment_parts(spec.augment)
    if kind == "hybrid":
        plain = spec.model_copy(update={"augment": None}).label
        said = [LEARNS_FROM.get(plain, LEARNS_FROM["hybrid"])]
        if symmetry:
            said.append("perception trained on the board's symmetries (facing kinds turned)")
        if colour:
            said.append("perception trained on the screens with their colours changed")
        return "; ".join(said)
    seen = "the true grid of kinds (never a screen)" if spec.inputs == "symbols" else "screens"
    if spec.training == "distilled":
        said = [
            f"{seen} + a labelled hybrid teacher's actions on freshly generated levels; no expert "
            "action (the teacher's cell labels and rules are counted here)"
        ]
    else:
        said = [f"{seen} + expert actions"]
    if spec.training == "dagger":
        said.append("DAgger: the expert's action in every state it visited on its levels")
    if symmetry:
        said.append("the board's symmetries (actions remapped)")
    if colour:
        said.append("random colour maps")
    return "; ".join(said)


def consumption(a: Analysis) -> list[Block]:
    rows = []
    for pipeline in a.pipelines:
        if a.kinds[pipeline] == "oracle":
            clauses = a.fit_mean(pipeline, 0, "rule_clauses")
            rows.append(
                [
                    pipeline,
                    "—",
                    "0",
                    "0",
                    "0",
                    num(clauses),
                    "reads the true scene at test time (an upper bound, not a contender)",
                ]
            )
            continue
        for b in a.budgets_of(pipeline):
            rows.append(
                [
                    pipeline,
                    a.budget_label(pipeline, b),
                    num(a.fit_mean(pipeline, b, "frames")),
                    num(a.fit_mean(pipeline, b, "actions")),
                    num(a.fit_mean(pipeline, b, "cell_labels")),
                    num(a.fit_mean(pipeline, b, "rule_clauses")),
                    learns_from(a.spec(pipeline), pipeline, a.kinds[pipeline]),
                ]
            )
    return [
        H(2, "What each pipeline consumed"),
        P(
            "Every learner that imitates gets the same demonstration episodes (same levels, "
            "same seed); PPO gets none and plays for its budget of frames instead. This table "
            "says exactly what each took (means over seeds). Frames are frames of interaction "
            "with the game: for the imitating learners, the expert's frames behind their "
            "demonstrations. The hybrid uses the per-cell labels of the ground-truth scene, "
            "which the monolithic policies never get, and hand-written rules; keep that in mind "
            "when reading who won. An abduced hybrid gets exactly what the monolithic policies "
            "get (screens and the expert's actions) plus the rules, and no cell label."
        ),
        Table(
            [
                "pipeline",
                "budget",
                "frames",
                "action labels",
                "cell labels",
                "rule clauses",
                "what it learns from",
            ],
            rows,
        ),
    ]


def costs(a: Analysis, figures: dict[str, Path]) -> list[Block]:
    split = a.splits[0]
    rows = []
    for pipeline in a.pipelines:
        b = a.top_of(pipeline)
        lat = a.latency(pipeline, b, split)
        train = [a.fit_mean(pipeline, x, "train_seconds") for x in a.budgets_of(pipeline)]
        rows.append(
            [
                pipeline,
                num(a.fit_mean(pipeline, b, "params")),
                " / ".join(num(t, "{:.1f}") for t in train)
                if a.kinds[pipeline] != "oracle"
                else "0",
                num(lat and lat["total_p50"], "{:.2f}")
                + " / "
                + num(lat and lat["total_p95"], "{:.2f}"),
                num(lat and lat["neural_p50"], "{:.2f}")
                + " / "
                + num(lat and lat["neural_p95"], "{:.2f}"),
                num(lat and lat["symbolic_p50"], "{:.2f}")
                + " / "
                + num(lat and lat["symbolic_p95"], "{:.2f}"),
            ]
        )
    larger = []
    for s in a.splits[1:]:
        for pipeline in ("hybrid", "oracle"):
            if pipeline in a.pipelines:
                b = 0 if pipeline == "oracle" else a.top_budget
                lat = a.latency(pipeline, b, s)
                if lat:
                    larger.append(
                        [
                            s,
                            pipeline,
                            f"{lat['neural_p50']:.2f}",
                            f"{lat['symbolic_p50']:.2f}",
                            f"{lat['total_p95']:.2f}",
                        ]
                    )
    out: list[Block] = [
        H(2, "Costs"),
        P(
            f"Parameters; training wall time per budget ({listed(a.budgets, 'episode', ' / ')}"
            ", or PPO's frames; one CPU thread, learning-rate search and early stopping "
            "included); "
            f"decision latency in ms, p50 / p95, on {split} at the largest budget, split into "
            "the neural part (perception, or the whole policy) and the symbolic part (Prolog "
            "rules + graph search). The levels of a split are played together, their screens "
            "read by the network in one batch: a decision's neural part is its share of the "
            "batch (`neurocomp bench` times decisions one screen at a time)."
        ),
        Table(
            ["pipeline", "parameters", "training s", "latency total", "neural", "symbolic"], rows
        ),
        Figure(figures["latency"], "Median decision latency, neural and symbolic parts."),
    ]
    if larger:
        out += [
            P("Symbolic pipelines on the other splits (median ms; p95 of the total):"),
            Table(["split", "pipeline", "neural p50", "symbolic p50", "total p95"], larger),
        ]
    return out


def size_sweep(a: Analysis, figures: dict[str, Path]) -> list[Block]:
    out: list[Block] = [H(2, "Model-size sweep")]
    monos = a.monolithic()
    if len(monos) < 2:
        out.append(P("Fewer than two monolithic sizes in this comparison."))
        return out
    split = a.splits[0]
    rows = []
    for p in monos:
        rows.append(
            [
                p,
                num(a.fit_mean(p, a.top_budget, "params")),
                *[(c.success.text() if (c := a.cell(p, b, split)) else "n/a") for b in a.budgets],
                *[num(a.fit_mean(p, b, "val_accuracy"), "{:.2f}") for b in a.budgets],
            ]
        )
    sizes = [
        (a.fit_mean(p, a.top_budget, "params") or 0, p)
        for p in monos
        if a.cell(p, a.top_budget, split)
    ]
    sizes.sort()
    if len(sizes) >= 2:
        small, large = sizes[0][1], sizes[-1][1]
        d = None
        cs, cl = a.cell(small, a.top_budget, split), a.cell(large, a.top_budget, split)
        if cs and cl and cs.seeds == cl.seeds:
            d = paired_difference(cl.outcomes, cs.outcomes)
        verdict = (
            f"Largest ({large}) minus smallest ({small}) at {counted(a.top_budget, 'episode')}: "
        )
        if d is None:
            verdict += "— (not evaluated on the same seeds)."
        else:
            verdict += signed_points(d)
            if d.low > 0:
                verdict += " — bigger helps here."
            elif d.high < 0:
                verdict += " — bigger is worse here."
            else:
                verdict += " — no evidence that size matters at this budget."
    else:
        verdict = ""
    out += [
        P(
            f"Monolithic policies of different sizes, {split}; each trained with the same "
            "learning-rate search and early stopping. Success by budget, then the best "
            "validation action accuracy by budget. " + verdict
        ),
        Table(
            [
                "policy",
                "parameters",
                *[f"success @{b}" for b in a.budgets],
                *[f"val acc @{b}" for b in a.budgets],
            ],
            rows,
        ),
    ]
    if "size_sweep" in figures:
        out.append(Figure(figures["size_sweep"], "Success against parameters, per budget."))
    return out
