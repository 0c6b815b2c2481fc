"""Shared fixtures: where the clinical reference and PhysioNet data live, and skip rules.

Tests that need ../shared skip with the path named, unless SEPSISCOPE_REQUIRE_ALL=1
(set by CI), where a missing dataset is a failure, not a skip.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CLINICAL_DOCS = SHARED / "docs" / "clinical"
SET_A_ZIP = SHARED / "data" / "physionet2019" / "training_setA.zip"

settings.register_profile("ci", derandomize=True, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def require(path: Path, what: str) -> Path:
    """Return ``path`` or skip (fail under SEPSISCOPE_REQUIRE_ALL=1) naming what is missing."""
    if path.exists():
        return path
    message = f"{what} not found at {path}"
    if os.environ.get("SEPSISCOPE_REQUIRE_ALL") == "1":
        pytest.fail(message + " (SEPSISCOPE_REQUIRE_ALL=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def clinical_docs() -> Path:
    """Folder of the normative clinical reference (shared/docs/clinical)."""
    return require(CLINICAL_DOCS, "clinical reference")


@pytest.fixture(scope="session")
def set_a_zip() -> Path:
    """The PhysioNet 2019 training set A zip."""
    return require(SET_A_ZIP, "PhysioNet 2019 training set A")


@pytest.fixture(scope="module", autouse=True)
def _earlier_modules_heap_frozen() -> Iterator[None]:
    """Keep the heap that earlier test modules left out of every later garbage collection.

    ``sepsiscope train`` runs a full collection after each booster fit (model/fitting.py: it
    lowers the peak memory of training), and a full collection scans every tracked object. In
    one pytest process the heap grows to ~600k objects after the service tests (apps, engines,
    schemathesis), and the model tests' fits then spent ~0.3 s per collection: the bag
    determinism test took 12 s after ``tests/service`` against 5 s alone. Collecting once per
    module and freezing what survives keeps each collection to the objects of the current
    module. What is frozen stays alive until the process ends (a cycle that dies later is not
    collected); each module's own objects are collected as usual.
    """
    gc.collect()
    gc.freeze()
    yield
