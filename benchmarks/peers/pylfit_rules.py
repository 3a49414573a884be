"""pylfit (LFIT, the PRIDE algorithm) on transitions in propositional form, run by
``benchmarks/induction.py --peer pylfit`` in a virtualenv of its own (pylfit is GPL-3.0 and not
a Neurocomp dependency).

    python pylfit_rules.py DATA.json     # prints one JSON line: accuracy, seconds, rules

DATA.json holds ``features`` and ``targets`` (variable names), ``train`` and ``test`` (lists of
[feature values, target values]; "?" is an unknown target value). A test transition counts as
predicted when the model's synchronous semantics gives exactly one next state and it is the
true one on every target whose true value is known (a transition that ended the episode is
judged on ``ended`` alone: its next screen was never shown).
"""

from __future__ import annotations

import json
import sys
import time

import pylfit


def next_values(model: pylfit.models.DMVLP, features: list[str]) -> list[set[str]]:
    """Each target's possible next values by the rules that match ``features``, as pylfit's
    synchronous semantics collects them (``Synchronous.next`` before it enumerates every
    combination, which takes seconds per state here): one next state exactly when every set
    holds one value."""
    values: list[set[str]] = [set() for _ in model.targets]
    for rule in model.rules:
        if rule.matches(features):
            values[rule.head.state_position].add(rule.head.value)
    return values


def main() -> None:
    data = json.loads(open(sys.argv[1], encoding="utf-8").read())
    train = [(list(f), list(t)) for f, t in data["train"]]
    t0 = time.perf_counter()
    dataset = pylfit.preprocessing.discrete_state_transitions_dataset_from_array(
        data=train, feature_names=data["features"], target_names=data["targets"]
    )
    model = pylfit.models.DMVLP(features=dataset.features, targets=dataset.targets)
    model.compile(algorithm="pride")
    model.fit(dataset=dataset)
    learned = time.perf_counter() - t0
    domains = {name: set(values) for name, values in dataset.features}
    right = 0
    t1 = time.perf_counter()
    for features, truth in data["test"]:
        if any(v not in domains[n] for n, v in zip(data["features"], features, strict=True)):
            continue  # a value training never showed: no rule can fire (counted as wrong)
        predicted = next_values(model, features)
        if all(len(values) == 1 for values in predicted):
            right += all(
                next(iter(v)) == t for v, t in zip(predicted, truth, strict=True) if t != "?"
            )
    print(
        json.dumps(
            {
                "accuracy": right / len(data["test"]),
                "learn_seconds": learned,
                "predict_seconds": time.perf_counter() - t1,
                "rules": len(model.rules),
            }
        )
    )


if __name__ == "__main__":
    main()
