"""What a reader found wrong with its input, and what it did about it.

Every reader returns a :class:`ReadResult`: the canonical wide table plus a :class:`ReadReport`.
Nothing leaves the table without a :class:`RowProblem` in the report (style.md §4, "Errors that
point at the data"; adult-scores.md §1.4 "count it in the ingestion report").

Problems are held column-wise (a polars frame per batch), so a file with a million cleaned values
costs no Python objects until someone asks for :attr:`ReadReport.problems`.

This module also holds the one policy every reader shares (:func:`resolve_rows`): a problem that
makes a row unusable either raises :class:`~sepsiscope.errors.ReadError` (``on_invalid="error"``)
or removes the row and records it with its raw text (``on_invalid="quarantine"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from sepsiscope.errors import PlausibilityError, ReadError

Action = Literal["error", "quarantined", "set_missing", "converted"]
OnInvalid = Literal["error", "quarantine"]
Implausible = Literal["clean", "reject"]
IntArray = npt.NDArray[np.int64]

ACTIONS: tuple[Action, ...] = ("error", "quarantined", "set_missing", "converted")

#: Reasons that are about a value's plausibility (raised as PlausibilityError).
PLAUSIBILITY_REASONS = frozenset({"out_of_range", "invalid_code", "not_integer"})

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.Int64(),
    "field": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "action": pl.String(),
    "new_value": pl.String(),
    "raw": pl.String(),
    "detail": pl.String(),
}


@dataclass(frozen=True)
class RowProblem:
    """One problem in the input, located to file, line and field.

    ``line`` is 1-based with the header as line 1 for text files; for Parquet it is the 0-based
    row index (see :attr:`ReadReport.line_meaning`). ``None`` for file-level problems.
    ``action`` says what the reader did: ``error`` (recorded, nothing kept from it),
    ``quarantined`` (the whole row was removed; ``raw`` holds its text), ``set_missing`` (the
    value became null) or ``converted`` (the value was rewritten to ``new_value``).
    """

    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str
    action: Action
    new_value: str | None = None
    raw: str | None = None
    detail: str | None = None


@dataclass
class ReadReport:
    """Files and rows read, rows written, and every problem found on the way."""

    source: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line_meaning: str = "line number in the file (header = line 1)"
    _chunks: list[pl.DataFrame] = field(default_factory=list, init=False, repr=False, compare=False)
    _pending: list[RowProblem] = field(default_factory=list, init=False, repr=False, compare=False)

    # -- recording -------------------------------------------------------------------------
    def add(self, problem: RowProblem) -> None:
        """Record one problem."""
        self._pending.append(problem)

    def add_frame(self, frame: pl.DataFrame) -> None:
        """Record many problems at once (a frame with the :data:`PROBLEM_SCHEMA` columns)."""
        if frame.height:
            self._chunks.append(frame.select(pl.col(k).cast(v) for k, v in PROBLEM_SCHEMA.items()))

    # -- reading ---------------------------------------------------------------------------
    def _flush(self) -> None:
        if self._pending:
            rows = [p.__dict__ for p in self._pending]
            self._chunks.append(pl.DataFrame(rows, schema=PROBLEM_SCHEMA))
            self._pending.clear()

    def problems_frame(self) -> pl.DataFrame:
        """All problems, ordered by file, line and field (file-level problems first)."""
        self._flush()
        if not self._chunks:
            return pl.DataFrame(schema=PROBLEM_SCHEMA)
        frame = pl.concat(self._chunks, how="vertical")
        return frame.sort(["file", "line", "field", "action"], nulls_last=False, maintain_order=True)

    @property
    def problems(self) -> list[RowProblem]:
        """All problems as :class:`RowProblem` objects (see :meth:`problems_frame`)."""
        return [RowProblem(**row) for row in self.problems_frame().iter_rows(named=True)]

    @property
    def n_problems(self) -> int:
        """Number of recorded problems."""
        return len(self._pending) + sum(chunk.height for chunk in self._chunks)

    def counts(self) -> pl.DataFrame:
        """Problem counts by action, reason and field, largest first."""
        return (
            self.problems_frame()
            .group_by(["action", "reason", "field"])
            .len("n")
            .sort(["n", "action", "reason", "field"], descending=[True, False, False, False], nulls_last=False)
        )

    def summary(self) -> str:
        """Short human text: files, rows in/out, and problem counts by action, reason and field."""
        lines = [
            f"{self.source}: {len(self.files)} files, {self.rows_read} rows read, {self.rows_out} rows out, "
            f"{self.rows_quarantined} rows quarantined, {self.n_problems} problems"
        ]
        if self.skipped_files:
            lines.append(f"  skipped {len(self.skipped_files)} non-data files (e.g. {self.skipped_files[0]})")
        for note in self.notes:
            lines.append(f"  {note}")
        if self.ignored_columns:
            lines.append(f"  ignored unknown columns: {', '.join(self.ignored_columns)}")
        if self.n_problems:
            by_reason = (
                self.counts()
                .group_by(["action", "reason"], maintain_order=True)
                .agg(pl.col("n").sum(), pl.col("field"), pl.col("n").alias("per_field"))
            )
            for action, reason, n, fields, per_field in by_reason.iter_rows():
                detail = ", ".join(f"{f or '-'} {k}" for f, k in list(zip(fields, per_field, strict=True))[:8])
                more = ", ..." if len(fields) > 8 else ""
                lines.append(f"  {action:<11} {reason:<18} {n:>8}  ({detail}{more})")
        return "\n".join(lines)

    def write_problems_csv(self, path: str | Path) -> Path:
        """Write every problem to a CSV file and return its path."""
        out = Path(path)
        self.problems_frame().write_csv(out)
        return out


@dataclass(frozen=True)
class ReadResult:
    """What every reader returns: the canonical wide table and the report."""

    table: pl.DataFrame
    report: ReadReport


@dataclass(frozen=True)
class ReadBatches:
    """The canonical table as successive tables of whole patients, in input order.

    Iterate once; ``report`` grows as the tables come and is complete when they end. A
    table's columns are those of the whole read, except that ``sepsis_label`` is kept (null)
    even when no file had it. Files are released when the tables end; use it as a context
    manager (or call :meth:`close`) when you may stop before the end.
    """

    tables: Iterator[pl.DataFrame]
    report: ReadReport
    on_close: Callable[[], None] = lambda: None

    def __iter__(self) -> Iterator[pl.DataFrame]:
        return self.tables

    def close(self) -> None:
        """Stop reading and release the input files (safe to call more than once)."""
        stop = getattr(self.tables, "close", None)  # a generator: its loader threads finish first
        if stop is not None:
            stop()
        self.on_close()

    def __enter__(self) -> ReadBatches:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- shared policy -------------------------------------------------------------------------


@dataclass(frozen=True)
class Flagged:
    """A vectorised set of problems in one field: row indices (into the unfiltered table).

    ``message`` is the error text with ``{value}`` in place of the value; ``values`` are the
    display values (original text where the reader has it).
    """

    rows: IntArray
    field: str | None
    values: Sequence[str | None]
    reason: str
    message: str
    hint: str | None = None
    details: Sequence[str | None] | None = None


Locate = Callable[[IntArray], tuple[list[str], IntArray]]
RawText = Callable[[IntArray], list[str]]


def raise_for(flag: Flagged, i: int, locate: Locate, *, line_label: str | None = None) -> None:
    """Raise the ReadError (or PlausibilityError) for the ``i``-th entry of ``flag``."""
    files, lines = locate(flag.rows[i : i + 1])
    value = flag.values[i]
    message = flag.message.format(value=value)
    if flag.details is not None and flag.details[i]:
        message = f"{message} ({flag.details[i]})"
    cls = PlausibilityError if flag.reason in PLAUSIBILITY_REASONS else ReadError
    line = int(lines[0])
    if line_label is None:
        raise cls(message, file=files[0], line=line, field=flag.field, value=value, hint=flag.hint)
    # e.g. Parquet: "data.parquet, row index 11 (0-based), field 'temp_c': ..."
    err = cls(
        message, file=f"{files[0]}, {line_label.format(line=line)}", field=flag.field, value=value, hint=flag.hint
    )
    err.file, err.line = files[0], line
    raise err


def resolve_rows(
    n_rows: int,
    flags: list[Flagged],
    *,
    on_invalid: OnInvalid,
    locate: Locate,
    raw_text: RawText,
    report: ReadReport,
    line_label: str | None = None,
) -> npt.NDArray[np.bool_]:
    """Apply the row policy to row-level problems; return the mask of rows to keep.

    ``error``: raise for the problem on the earliest row. ``quarantine``: remove every flagged
    row and record it once (its first problem, in flag order) with its raw text.
    """
    keep = np.ones(n_rows, dtype=np.bool_)
    flags = [f for f in flags if len(f.rows)]
    if not flags:
        return keep
    if on_invalid == "error":
        best = min(((int(f.rows.min()), k) for k, f in enumerate(flags)))
        flag = flags[best[1]]
        raise_for(flag, int(np.argmin(flag.rows)), locate, line_label=line_label)
    rows = np.concatenate([f.rows for f in flags])
    order = np.concatenate([np.full(len(f.rows), k) for k, f in enumerate(flags)])
    entry = np.concatenate([np.arange(len(f.rows)) for f in flags])
    sort = np.lexsort((order, rows))
    rows, order, entry = rows[sort], order[sort], entry[sort]
    first = np.ones(len(rows), dtype=np.bool_)
    first[1:] = rows[1:] != rows[:-1]
    rows, order, entry = rows[first], order[first], entry[first]
    files, lines = locate(rows)
    raws = raw_text(rows)
    fields, values, reasons, details = [], [], [], []
    for k, e in zip(order.tolist(), entry.tolist(), strict=True):
        flag = flags[k]
        fields.append(flag.field)
        values.append(flag.values[e])
        reasons.append(flag.reason)
        extra = flag.details[e] if flag.details is not None else None
        text = flag.message.format(value=flag.values[e])
        details.append(f"{text} ({extra})" if extra else text)
    report.add_frame(
        pl.DataFrame(
            {
                "file": files,
                "line": lines,
                "field": fields,
                "value": values,
                "reason": reasons,
                "action": ["quarantined"] * len(rows),
                "new_value": [None] * len(rows),
                "raw": raws,
                "detail": details,
            },
            schema=PROBLEM_SCHEMA,
        )
    )
    keep[rows] = False
    report.rows_quarantined += len(rows)
    return keep


def record_values(
    flag: Flagged,
    action: Action,
    *,
    locate: Locate,
    report: ReadReport,
    new_values: Sequence[str | None] | None = None,
) -> None:
    """Record value-level problems (``set_missing`` or ``converted``) for rows that stay."""
    if not len(flag.rows):
        return
    files, lines = locate(flag.rows)
    n = len(flag.rows)
    report.add_frame(
        pl.DataFrame(
            {
                "file": files,
                "line": lines,
                "field": [flag.field] * n,
                "value": list(flag.values),
                "reason": [flag.reason] * n,
                "action": [action] * n,
                "new_value": list(new_values) if new_values is not None else [None] * n,
                "raw": [None] * n,
                "detail": list(flag.details)
                if flag.details is not None
                else [flag.message.format(value=v) for v in flag.values],
            },
            schema=PROBLEM_SCHEMA,
        )
    )


def literal(text: str) -> str:
    """Escape ``text`` for a :class:`Flagged` message template (units such as ``{score}``)."""
    return text.replace("{", "{{").replace("}", "}}")


def number_text(values: pl.Series) -> list[str | None]:
    """Numbers as short text: ``7.0`` -> ``"7"``, ``20.9`` -> ``"20.9"`` (vectorised)."""
    s = values.cast(pl.Float64)
    whole = s.is_finite() & (s == s.round(0)) & (s.abs() < 1e15)
    text = pl.select(
        pl.when(whole).then(s.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(s.cast(pl.String))
    ).to_series()
    return text.to_list()
