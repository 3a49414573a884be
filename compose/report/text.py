"""How the report writes numbers (percentages, differences in points, latencies, counts) and
reads pipeline labels."""

from __future__ import annotations

from typing import Any

__all__ = ["augmented", "multiple", "num", "pair", "pct", "points", "times"]


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def points(d: Any) -> str:
    """A difference of proportions in percentage points with its interval."""
    return f"{100 * d.value:.0f} points [{100 * d.low:.0f}–{100 * d.high:.0f}]"


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


def augmented(words: set[str]) -> tuple[bool, bool]:
    """``(symmetry, colour)``: how a pipeline was augmented, from its label's words
    (``-sym``, ``-colour``, ``-aug`` for both; see ``neural.augment.AUGMENTS``)."""
    return bool(words & {"sym", "aug"}), bool(words & {"colour", "aug"})
