"""How the report writes numbers (percentages, differences in points, latencies, counts) and
reads pipeline labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "listed",
    "multiple",
    "num",
    "pair",
    "pct",
    "points",
    "signed_interval",
    "signed_points",
    "times",
    "whole_points",
]


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def whole_points(x: float, sign: str = "") -> str:
    """A proportion in whole points, never ``-0`` (a bound of -0.3 points rounds to 0)."""
    return f"{round(100 * x) + 0:{sign}d}"


def points(d: Any) -> str:
    """A difference of proportions in percentage points with its interval: ``80 points
    [60–95]``, ``1 point [-9–12]``."""
    value = whole_points(d.value)
    unit = "point" if value in ("1", "-1") else "points"
    return f"{value} {unit} [{whole_points(d.low)}–{whole_points(d.high)}]"


def signed_points(d: Any) -> str:
    """A difference with its sign, in points, with its interval: ``+80 points [+60, +95]``,
    ``-1 point [-9, +7]``."""
    value = whole_points(d.value, "+")
    unit = "point" if value in ("+1", "-1") else "points"
    return f"{value} {unit} [{_bounds(d)}]"


def signed_interval(d: Any) -> str:
    """``+80 [+60, +95]``: :func:`signed_points` without the unit, for tables."""
    return f"{whole_points(d.value, '+')} [{_bounds(d)}]"


def _bounds(d: Any) -> str:
    return f"{whole_points(d.low, '+')}, {whole_points(d.high, '+')}"


def listed(numbers: Sequence[int], singular: str, sep: str = ", ") -> str:
    """Numbers and their noun: ``1, 3, 10 demonstration episodes``, ``1 demonstration
    episode``, with ``sep`` between the numbers."""
    noun = singular if list(numbers) == [1] else singular + "s"
    return f"{sep.join(f'{n:,}' for n in numbers)} {noun}"


def pair(lat: dict[str, float] | None, part: str) -> str:
    """``p50 / p95`` of one latency part in ms."""
    if lat is None:
        return "—"
    return f"{lat[part + '_p50']:.2f} / {lat[part + '_p95']:.2f}"


def num(x: float | None, fmt: str = "{:,.0f}") -> str:
    return "—" if x is None else fmt.format(x)


def multiple(x: float) -> str:
    """A ratio to two significant figures, whole from 10 on: ``30``, ``3.3``, ``0.33``."""
    return f"{x:,.0f}" if x >= 10 else f"{x:.2g}"


def times(x: float) -> str:
    """A ratio as a multiplier: ``×30``, ``×3.3``, ``×0.33``, ``×1,000``."""
    return "×" + multiple(x)
