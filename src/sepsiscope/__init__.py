"""sepsiscope: find sepsis early — bedside criteria, cohort scoring and early warning.

Supports, never replaces, clinical judgement. Not a medical device.

The names below are loaded on first use (PEP 562), so ``import sepsiscope.cli`` does not
pull in numpy before the command line has set up the process (see :mod:`sepsiscope.cli`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["REGISTRY", "SCORES", "ScoreResult", "__version__", "convert", "evaluate"]

_LAZY = {
    "SCORES": "sepsiscope.scores",
    "ScoreResult": "sepsiscope.scores",
    "evaluate": "sepsiscope.scores",
    "REGISTRY": "sepsiscope.variables",
    "convert": "sepsiscope.variables",
}

if TYPE_CHECKING:
    from sepsiscope.scores import SCORES, ScoreResult, evaluate
    from sepsiscope.variables import REGISTRY, convert


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sepsiscope' has no attribute {name!r}")
