"""Every error sepsiscope raises on purpose.

::

    SepsiscopeError
     ├── RegistryError          variables.toml or a score definition is inconsistent
     ├── UnitError              a unit the registry cannot convert
     ├── CaseError              one calculator case is invalid (code, variable, message)
     ├── ReadError              input data is malformed: names file, line, field and value
     │    ├── PlausibilityError a value outside its plausible range
     │    └── InvalidEvent      one clinical event breaks events.toml (variables/events.py)
     ├── ScoreInputError        a table lacks what a score or the cohort engine needs
     ├── EngineMismatch         two cohort engines gave different results
     ├── ModelArtifactError     a model directory is missing, corrupt or of another version
     ├── ReplayError            the service refused a replayed request (service/replay.py)
     └── UsageError             a request that can never work (e.g. ``calc sofa2``)
          └── MissingExtraError a feature whose optional extra is not installed (``[spark]``)

The service's request errors (``ItemError``, ``TransitionError``, ``ApiError``) are not in
this tree: they never leave the service, which answers them in the API's one error shape.

The CLI turns each into a one-paragraph message (exit status 1 for data problems,
2 for usage errors).
"""

from __future__ import annotations


class SepsiscopeError(Exception):
    """Base class of every error sepsiscope raises on purpose."""


class RegistryError(SepsiscopeError):
    """The variable registry or a score definition is inconsistent (a bug, not bad data)."""


class UnitError(SepsiscopeError):
    """A unit conversion the registry does not know."""


class CaseError(SepsiscopeError):
    """One calculator case is invalid.

    ``code`` is one of the contract's error codes (adult-scores.md §5.4,
    pediatric-obstetric.md §0.1); ``variable`` names the offending key or is ``None``.
    """

    def __init__(self, code: str, variable: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.variable = variable
        self.message = message


class ReadError(SepsiscopeError):
    """Malformed input data, located to the file, line and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        value: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                file,
                f"line {line}" if line is not None else None,
                f"field {field!r}" if field is not None else None,
            )
            if part
        )
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text}. {hint}"
        super().__init__(text)
        self.file = file
        self.line = line
        self.field = field
        self.value = value
        self.reason = message


class PlausibilityError(ReadError):
    """A value outside the registry's plausible range (adult-scores.md §1.1)."""


class ScoreInputError(SepsiscopeError):
    """A table lacks a column the cohort engine needs."""


class EngineMismatch(SepsiscopeError):
    """Two cohort engines (embedded, Spark) disagree on the same input."""


class ModelArtifactError(SepsiscopeError):
    """A model directory is missing, corrupt or written by an incompatible version."""


class UsageError(SepsiscopeError):
    """A request that can never work, e.g. an unknown or unverified score."""


class MissingExtraError(UsageError):
    """A feature needs an optional extra that is not installed; the message says what to install.

    ``extra`` is the extra's name in ``pyproject.toml`` (``spark``), ``module`` the import that failed.
    """

    def __init__(self, feature: str, extra: str, module: str, reason: str | None = None) -> None:
        problem = f"cannot be imported ({reason})" if reason else "is not installed"
        super().__init__(f"{feature} needs {module}, which {problem}: pip install 'sepsiscope[{extra}]'")
        self.feature = feature
        self.extra = extra
        self.module = module
