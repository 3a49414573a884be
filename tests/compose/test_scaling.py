"""Costs against size: the growth fit recovers a known exponent, and `bench --scaling` measures
a real sweep (tiny: LightsOut's three smallest sizes)."""

from __future__ import annotations

import json

import pytest

from compose.experiments.scaling import COSTS, growth
from tests.helpers import run_cli


def test_the_growth_fit_recovers_an_exponent_and_says_when_it_cannot():
    cells = [64, 256, 1024, 4096]
    exact = growth(cells, [3.0 * n**1.5 for n in cells])
    assert exact["exponent"] == pytest.approx(1.5)
    assert exact["low"] == pytest.approx(1.5) and exact["high"] == pytest.approx(1.5)
    noisy = growth(cells, [n * f for n, f in zip(cells, (1.0, 1.3, 0.8, 1.1), strict=True)])
    assert noisy["low"] < 1.0 < noisy["high"] and noisy["high"] - noisy["low"] < 1.0
    two = growth(cells[:2], [1.0, 4.0])  # two sizes: a slope, no interval
    assert two["exponent"] == pytest.approx(1.0) and two["low"] is two["high"] is None
    assert growth(cells, [1.0, 0.0, 2.0, 3.0])["exponent"] is None  # a cost of 0: no log


@pytest.mark.slow
def test_bench_scaling_measures_each_size_and_fits_each_cost(tmp_path):
    figure = tmp_path / "figures" / "scaling.png"
    result = run_cli(
        "bench", "--scaling", "--quick", "--env", "lightsout", "--json", "--figure", str(figure)
    )
    assert result.returncode == 0, result.stderr
    assert figure.stat().st_size > 10_000 and f"figure: {figure}" in result.stderr
    figures = json.loads(result.stdout)
    rows = figures["rows"]
    assert [r["cells"] for r in rows] == [25, 100, 225]
    for row in rows:
        assert row["success"] == 1.0  # the hybrid trained on 5x5 solves every larger board
        assert 0 < row["neural_p50_ms"] and 0 < row["hybrid_p50_ms"] <= row["hybrid_p95_ms"]
        assert row["train_s"] > 0 and row["peak_mib"] > 0
    fits = figures["growth"]["LightsOut"]
    assert set(fits) == {cost for cost, _ in COSTS}
    assert fits["neural_p50_ms"]["low"] <= fits["neural_p50_ms"]["exponent"]
