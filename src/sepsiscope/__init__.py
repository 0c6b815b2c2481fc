"""sepsiscope: find sepsis early — bedside criteria, cohort scoring and early warning.

Supports, never replaces, clinical judgement. Not a medical device.
"""

from sepsiscope.scores import SCORES, ScoreResult, evaluate
from sepsiscope.variables import REGISTRY, convert

__version__ = "0.1.0"

__all__ = ["REGISTRY", "SCORES", "ScoreResult", "__version__", "convert", "evaluate"]
