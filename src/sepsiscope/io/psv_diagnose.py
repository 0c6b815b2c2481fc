"""Slow, exact diagnosis of one PSV file, line by line: which file, line, column and value is wrong.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 (file format, 41 columns, ``NaN`` for
not measured); errors: shared/docs/style.md §4. Only a file that fails the reader's cheap byte
checks, or that the strict batch parse rejects, comes here; the result holds the file's good
rows and one problem per bad line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sepsiscope.io.psv_format import _BOM, _HINT_NUMBER, _HINT_QUARANTINE, HEADER, PSV_COLUMNS

#: Not measured: ``NaN`` (Reyna 2020), also with a minus sign as some C libraries print it.
_MISSING = (b"NaN", b"-NaN")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class _LineProblem:
    line: int | None
    field: str | None
    value: str | None
    reason: str
    message: str
    hint: str | None
    raw: str | None


@dataclass(frozen=True)
class _Diagnosis:
    body: bytes  # the good rows, each ending in "\n"
    lines: list[int]  # their line numbers
    rows_seen: int
    problems: list[_LineProblem]


def _text(b: bytes) -> str:
    return b.decode("utf-8", errors="replace")


def _header_problem(header: bytes) -> tuple[str | None, str, str]:
    """(field, value, message) naming the first header column that differs."""
    found = header.split(b"|")
    for i, expected in enumerate(PSV_COLUMNS):
        if i >= len(found):
            return (
                expected,
                _text(header),
                f"the header ends after {len(found)} columns; column {i + 1} {expected!r} is missing",
            )
        if found[i] != expected.encode():
            got = _text(found[i])
            return expected, got, f"header column {i + 1} is {got!r}, expected {expected!r}"
    extra = _text(found[len(PSV_COLUMNS)])
    return None, extra, f"the header has {len(found)} columns, expected {len(PSV_COLUMNS)}; extra column {extra!r}"


def _line_problem(line: bytes) -> tuple[str | None, str, str, str] | None:
    """(field, value, reason, message) for the first problem in a data line, or None."""
    fields = line.split(b"|")
    if len(fields) != len(PSV_COLUMNS):
        if not line:
            return None, "", "wrong_field_count", f"empty line, expected {len(PSV_COLUMNS)} fields"
        if len(fields) < len(PSV_COLUMNS):
            missing = PSV_COLUMNS[len(fields)]
            return (
                missing,
                _text(line),
                "wrong_field_count",
                (f"the line has {len(fields)} fields, expected {len(PSV_COLUMNS)}; {missing!r} and later are missing"),
            )
        return (
            None,
            _text(line),
            "wrong_field_count",
            (f"the line has {len(fields)} fields, expected {len(PSV_COLUMNS)} (one per header column)"),
        )
    for col, tok in zip(PSV_COLUMNS, fields, strict=True):
        if tok not in _MISSING and _NUMBER.fullmatch(tok) is None:
            return col, _text(tok), "non_numeric", f"{_text(tok)!r} is not a number"
    return None


def _diagnose(data: bytes, forced: tuple[str, str | None, str] | None) -> _Diagnosis:
    """Check one file line by line. ``forced`` = (reason, value, message) sets every row aside."""
    text = data[3:] if data.startswith(_BOM) else data
    if b"\r\n" in text:
        text = text.replace(b"\r\n", b"\n")
    if not text.strip():
        msg = "the file is empty (no header, no rows)"
        return _Diagnosis(b"", [], 0, [_LineProblem(None, None, None, "empty_file", msg, None, _text(data) or None)])
    rows = text.split(b"\n")
    if rows[-1] == b"":
        rows.pop()
    header, body = rows[0], rows[1:]
    problems: list[_LineProblem] = []
    whole: _LineProblem | None = None  # a problem that sets every row of the file aside
    if forced is not None:
        whole = _LineProblem(None, None, forced[1], forced[0], forced[2], None, None)
    elif header + b"\n" != HEADER:
        field, value, message = _header_problem(header)
        hint = f"PhysioNet 2019 files start with the header {HEADER[:-1].decode()}"
        whole = _LineProblem(1, field, value, "wrong_header", message, hint, _text(header))
    if whole is not None:
        problems.append(whole)
        rest = [
            _LineProblem(k, whole.field, whole.value, whole.reason, whole.message, None, _text(line))
            for k, line in enumerate(body, start=2)
        ]
        return _Diagnosis(b"", [], len(body), problems + rest)
    if not body:
        msg = "the file has a header but no data rows"
        return _Diagnosis(b"", [], 0, [_LineProblem(None, None, None, "no_rows", msg, None, _text(header))])
    good: list[bytes] = []
    lines: list[int] = []
    for k, line in enumerate(body, start=2):
        found = _line_problem(line)
        if found is None:
            good.append(line)
            lines.append(k)
        else:
            field, value, reason, message = found
            hint = _HINT_NUMBER if reason == "non_numeric" else _HINT_QUARANTINE
            problems.append(_LineProblem(k, field, value, reason, message, hint, _text(line)))
    return _Diagnosis(b"".join(g + b"\n" for g in good), lines, len(body), problems)
