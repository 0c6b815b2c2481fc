"""Optional extras: the one guarded import behind every feature that needs one.

``pyproject.toml`` ``[project.optional-dependencies]`` declares them; :data:`EXTRAS` repeats
which importable modules each brings (``tests/unit/test_extras.py`` checks the two agree). A
feature calls :func:`require` before it touches the extra, so a missing package is one line
naming what to install (:class:`~sepsiscope.errors.MissingExtraError`, exit status 2 in the
CLI) instead of a ``ModuleNotFoundError`` deep inside a run.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from sepsiscope.errors import MissingExtraError

# extra -> (import name, name shown to people) of each package it installs
EXTRAS: dict[str, tuple[tuple[str, str], ...]] = {
    "spark": (("pyspark", "PySpark"), ("pandas", "pandas")),
}


def require(extra: str, feature: str) -> dict[str, ModuleType]:
    """Import every package of ``extra``, or raise :class:`MissingExtraError` naming ``feature``.

    Returns the imported modules by import name.
    """
    modules: dict[str, ModuleType] = {}
    for name, shown in EXTRAS[extra]:
        try:
            modules[name] = import_module(name)
        except ImportError as exc:
            missing = (exc.name or "").split(".")[0]
            reason = None if missing in ("", name) else str(exc)
            raise MissingExtraError(feature, extra, shown, reason) from exc
    return modules
