"""Save and load a trained early-warning model: booster, features, calibration, threshold, provenance.

A model directory holds ``model.txt`` (LightGBM text format, readable by any LightGBM) and
``model.json`` (everything else, including the abstention check when the model has one). The
default model ships inside the package (``sepsiscope/model/default/``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from sepsiscope.errors import ModelArtifactError
from sepsiscope.features.build import FEATURES_VERSION, LAB_TREND_COLUMNS
from sepsiscope.model.abstain import Abstention

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Calibration:
    """Isotonic map from raw booster scores to probabilities (piecewise linear, clipped)."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return np.interp(raw, np.asarray(self.x), np.asarray(self.y))


@dataclass
class ModelArtifact:
    """A trained model and what is needed to use and audit it."""

    booster: lgb.Booster
    features: list[str]
    feature_groups: list[str]
    calibration: Calibration
    threshold: float
    threshold_rule: str
    metadata: dict[str, Any] = field(default_factory=dict)
    abstention: Abstention | None = None  # fitted at training time; used by ``predict --abstain``

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for a feature matrix in ``features`` order."""
        return self.calibration(np.asarray(self.booster.predict(X, raw_score=False)))

    def save(self, folder: str | Path) -> Path:
        """Write ``model.txt`` and ``model.json`` into ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(out / "model.txt"))
        meta = {
            "format_version": FORMAT_VERSION,
            "features_version": FEATURES_VERSION,
            "features": self.features,
            "feature_groups": self.feature_groups,
            "calibration": asdict(self.calibration),
            "threshold": self.threshold,
            "threshold_rule": self.threshold_rule,
            "metadata": self.metadata,
        }
        if self.abstention is not None:
            meta["abstention"] = self.abstention.to_dict()
        (out / "model.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, folder: str | Path) -> ModelArtifact:
        """Read a model directory written by :meth:`save`."""
        src = Path(folder)
        try:
            meta = json.loads((src / "model.json").read_text(encoding="utf-8"))
            booster = lgb.Booster(model_file=str(src / "model.txt"))
        except (OSError, ValueError, lgb.basic.LightGBMError) as exc:
            raise ModelArtifactError(f"{src}: not a sepsiscope model directory ({exc})") from None
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelArtifactError(f"{src}: model format {meta.get('format_version')} != {FORMAT_VERSION}")
        trained_on = meta.get("features_version", 1)  # written from version 2 on
        if trained_on != FEATURES_VERSION:
            raise ModelArtifactError(
                f"{src}: trained on features version {trained_on}, but this sepsiscope computes version "
                f"{FEATURES_VERSION} (feature definitions changed); retrain it with `sepsiscope train`"
            )
        if booster.feature_name() != meta["features"]:
            raise ModelArtifactError(f"{src}: model.txt and model.json disagree on the feature list")
        return cls(
            booster=booster,
            features=meta["features"],
            feature_groups=_with_lab_trends_named(meta["feature_groups"], meta["features"]),
            calibration=Calibration(tuple(meta["calibration"]["x"]), tuple(meta["calibration"]["y"])),
            threshold=float(meta["threshold"]),
            threshold_rule=meta["threshold_rule"],
            metadata=meta.get("metadata", {}),
            abstention=Abstention.from_dict(meta["abstention"]) if "abstention" in meta else None,
        )


def default_model_dir() -> Path:
    """Folder of the model shipped inside the package."""
    return Path(str(files("sepsiscope.model").joinpath("default")))


def load_default() -> ModelArtifact:
    """The shipped default model."""
    return ModelArtifact.load(default_model_dir())


def _with_lab_trends_named(groups: list[str], features: list[str]) -> list[str]:
    """A model's feature groups as this sepsiscope names them.

    The lab trends were part of the ``physiology`` group until they became a group of their
    own (``lab_trends``); a model written before that lists only ``physiology`` but uses them.
    """
    if "physiology" in groups and "lab_trends" not in groups and LAB_TREND_COLUMNS.intersection(features):
        at = groups.index("physiology") + 1
        return [*groups[:at], "lab_trends", *groups[at:]]
    return list(groups)
