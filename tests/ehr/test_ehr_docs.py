"""docs/ehr-integration.md: its FHIR mapping tables are what scripts/ehr_mapping.py renders now."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ehr_mapping", ROOT / "scripts" / "ehr_mapping.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mapping_tables_are_current() -> None:
    script = _script()
    text = (ROOT / "docs" / "ehr-integration.md").read_text(encoding="utf-8")
    assert script.START in text and script.END in text
    assert script.updated(text) == text, "docs/ehr-integration.md is stale: run .venv/bin/python scripts/ehr_mapping.py"


def test_every_loinc_code_is_in_the_doc() -> None:
    from sepsiscope.variables.registry import REGISTRY

    text = (ROOT / "docs" / "ehr-integration.md").read_text(encoding="utf-8")
    for v in REGISTRY:
        for code in v.loinc:
            assert f"`{code}`" in text, (v.name, code)
