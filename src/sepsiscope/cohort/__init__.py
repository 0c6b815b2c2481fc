"""Cohort engine: bedside scores for every patient-hour of a table, one rule set for all engines."""

from sepsiscope.cohort.scoring import DEFAULT_SCORES, carried_values, score_stream, score_table

__all__ = ["DEFAULT_SCORES", "carried_values", "score_stream", "score_table"]
