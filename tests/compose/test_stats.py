"""Confidence intervals."""

from __future__ import annotations

import pytest

from compose.common.stats import paired_difference, success_estimate, wilson


def test_estimate_is_the_pooled_rate_inside_its_interval():
    est = success_estimate(["1100", "1110"])
    assert est.value == pytest.approx(5 / 8) and est.low <= est.value <= est.high
    assert est.n == 8


def test_intervals_never_collapse_at_the_extremes():
    full = success_estimate(["1" * 20, "1" * 20])
    assert full.value == 1.0 and full.high == 1.0 and 0.85 < full.low < 0.95
    none = success_estimate(["0" * 20, "0" * 20])
    assert none.value == 0.0 and 0.05 < none.high < 0.15


def test_more_episodes_narrow_the_interval():
    small = success_estimate(["10" * 5] * 2)
    large = success_estimate(["10" * 50] * 2)
    assert (large.high - large.low) < (small.high - small.low)


def test_seed_variation_widens_the_interval():
    steady = success_estimate(["1010101010"] * 4)
    shaky = success_estimate(["1111111111", "0000000000"] * 2)
    assert steady.value == shaky.value
    assert (shaky.high - shaky.low) > (steady.high - steady.low)


def test_paired_difference():
    d = paired_difference(["1" * 20] * 2, ["0" * 20] * 2)
    assert d.value == 1.0 and d.low > 0.8
    same = paired_difference(["1010"] * 3, ["1010"] * 3)
    assert same.value == 0 and same.low < 0 < same.high
    with pytest.raises(ValueError):
        paired_difference(["10"], ["100"])


def test_wilson_matches_the_textbook_value():
    low, high = wilson(0.5, 100)
    assert low == pytest.approx(0.4038, abs=1e-3) and high == pytest.approx(0.5962, abs=1e-3)
