"""The ``sepsiscope`` command line: thin Typer commands over the library.

Data goes to stdout, messages to stderr. Exit status 0 = OK, 1 = data problems,
2 = usage errors (shared/docs/style.md §2; calculator: adult-scores.md §5.4).

One module per command group, each with a ``register(app)`` that adds its commands;
``GROUPS`` lists them in the order ``sepsiscope --help`` shows them. To add a group, write
``cli/<group>.py`` with ``register`` and append the module to ``GROUPS``.
"""

from __future__ import annotations

import os

# Before numpy loads: its OpenBLAS would start a thread per core that spins for ~0.1 CPU-s
# after import, competing with the work. No command here calls BLAS (LightGBM has its own
# threads). A value set by the user wins. Every submodule runs this file first.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from sepsiscope.cli import demo, model, people, sepsis, service, tables  # noqa: E402
from sepsiscope.cli.shared import app  # noqa: E402

GROUPS = (tables, sepsis, demo, people, service, model)

for _group in GROUPS:
    _group.register(app)

__all__ = ["GROUPS", "app", "main"]


def main() -> None:  # pragma: no cover - console entry point
    """Entry point used by ``python -m sepsiscope``."""
    app()
