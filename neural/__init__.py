"""Small PyTorch modules for perception and monolithic baselines, and how they learn."""

from __future__ import annotations

__all__: list[str] = []
