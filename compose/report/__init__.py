"""The comparison report: ``report.md``, a self-contained ``report.html`` and ``results.json``.

:mod:`.build` reads a comparison's database and lays the sections out in order; the sections
(:mod:`.who_won`, :mod:`.success`, :mod:`.learning`, :mod:`.rules`, :mod:`.costs`,
:mod:`.knowledge`) fill a list of blocks that :mod:`.document` renders to Markdown and HTML,
beside the figures of :mod:`.figures`; the game's specification supplies the legends, the
ledger and the screens; every number comes from the results database via
:mod:`compose.analysis.results`, and ``results.json`` (:mod:`compose.analysis.results_json`) is
the analysis itself.

``build_report``, ``ReportFiles`` and ``SECTIONS`` are imported on first use (PEP 562), so
that importing one module of the package (the screens, the text helpers) does not load them
all, matplotlib included.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["SECTIONS", "ReportFiles", "build_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("compose.report.build"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'compose.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
