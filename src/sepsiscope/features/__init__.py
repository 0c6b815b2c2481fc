"""Causal model features for every patient-hour, built from the cohort engine's definitions."""

from sepsiscope.features.build import FEATURE_SETS, FeatureSpec, build_features, feature_groups

__all__ = ["FEATURE_SETS", "FeatureSpec", "build_features", "feature_groups"]
