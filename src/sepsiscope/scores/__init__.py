"""Bedside scores: one module per score, pure, scalar and vectorised from the same rules."""

from sepsiscope.scores.base import ScoreDefinition, ScoreResult, evaluate
from sepsiscope.scores.registry import SCORES

__all__ = ["SCORES", "ScoreDefinition", "ScoreResult", "evaluate"]
