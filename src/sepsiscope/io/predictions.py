"""PhysioNet 2019 prediction files: one ``<patient>.psv`` per patient, one row per input row.

Format (Reyna MA et al., Crit Care Med 2020;48(2):210-217; the challenge's ``driver.py`` and
``evaluate_sepsis_score.py``): a header ``PredictedProbability|PredictedLabel`` and then, for each row
of the patient's input file and in the same order, the predicted probability of sepsis (0 to 1) and
the binary alert (0 or 1). The file is named like the input file (``p000001.psv``).

Reading is strict (shared/docs/style.md §4): the first problem raises
:class:`~sepsiscope.errors.ReadError` naming the file, line (header = line 1) and field.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError, UsageError

PROBABILITY = "PredictedProbability"
LABEL = "PredictedLabel"
HEADER = f"{PROBABILITY}|{LABEL}"
_HINT = f"Each prediction file needs the header {HEADER} and one 'probability|label' line per input row"
_SAFE_ID = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]*")


def write_prediction_dir(frame: pl.DataFrame, out_dir: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write one PhysioNet prediction file per patient: ``out_dir/<patient_id>.psv``.

    ``frame`` has ``patient_id``, ``probability`` (0 to 1) and ``label`` (0/1), one row per input row,
    in row order within each patient. Probabilities are written with full precision, so
    :func:`read_prediction_dir` gives back the same numbers. ``out_dir`` must not already hold
    ``.psv`` files unless ``overwrite=True``, which deletes them first (no stale patients).
    """
    missing = {"patient_id", "probability", "label"} - set(frame.columns)
    if missing:
        raise UsageError(
            f"the predictions frame needs columns patient_id, probability, label; missing {sorted(missing)}"
        )
    data = frame.select(
        pl.col("patient_id").cast(pl.String), pl.col("probability").cast(pl.Float64), pl.col("label")
    ).with_row_index("_row")
    _check_frame(data)
    out = Path(out_dir)
    existing = sorted(out.glob("*.psv")) if out.is_dir() else []
    if existing and not overwrite:
        raise UsageError(
            f"{out} already holds {len(existing)} .psv files (e.g. {existing[0].name}); "
            "pass overwrite=True to replace them, or choose an empty folder"
        )
    for old in existing:
        old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    bodies = (
        data.select(
            "patient_id",
            line=pl.col("probability").cast(pl.String) + "|" + pl.col("label").cast(pl.Int8).cast(pl.String),
        )
        .group_by("patient_id", maintain_order=True)
        .agg(pl.col("line").str.join("\n"))
    )
    paths = []
    for pid, body in bodies.iter_rows():
        target = out / f"{pid}.psv"
        target.write_text(f"{HEADER}\n{body}\n", encoding="utf-8")
        paths.append(target)
    return paths


def _check_frame(data: pl.DataFrame) -> None:
    label_ok = pl.col("label").cast(pl.Float64, strict=False).is_in([0.0, 1.0]).fill_null(False)
    prob = pl.col("probability")
    checks = [
        (pl.col("patient_id").is_null(), "patient_id is missing"),
        (~pl.col("patient_id").str.contains(f"^{_SAFE_ID.pattern}$").fill_null(True), "patient_id is not a file name"),
        (prob.is_null() | ~prob.is_finite() | (prob < 0) | (prob > 1), "probability must be a number from 0 to 1"),
        (~label_ok, "label must be 0 or 1"),
    ]
    for bad, message in checks:
        hit = data.filter(bad)
        if hit.height:
            row = hit.row(0, named=True)
            raise UsageError(
                f"predictions row {row['_row']} (patient {row['patient_id']!r}, probability {row['probability']!r}, "
                f"label {row['label']!r}): {message}"
            )


def read_prediction_dir(folder: str | Path) -> pl.DataFrame:
    """Read a folder of PhysioNet prediction files (``*.psv``, not recursive, sorted by name).

    Returns ``patient_id`` (file stem), ``row`` (0-based row within the patient, file order),
    ``probability`` (Float64) and ``label`` (Int8). Raises :class:`~sepsiscope.errors.ReadError`
    naming file, line and field for a missing or wrong header, a line without exactly two
    ``|``-separated fields, a probability that is not a number or lies outside [0, 1], or a label
    that is not 0 or 1. A label written as ``1.0`` is accepted, as the challenge's scorer does.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ReadError("not a folder of prediction files", file=str(root), hint=_HINT)
    files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() == ".psv" and p.name[0] != ".")
    if not files:
        raise ReadError("no .psv prediction files in this folder", file=str(root), hint=_HINT)
    lines: list[str] = []
    counts: list[int] = []
    for path in files:
        body = _body_lines(path)
        lines.extend(body)
        counts.append(len(body))
    n = np.asarray(counts, dtype=np.int64)
    table = _parse(lines, files, n)
    starts = np.repeat(np.cumsum(n) - n, n)
    return table.select(
        patient_id=pl.Series([p.stem for p in files], dtype=pl.String).gather(np.repeat(np.arange(len(files)), n)),
        row=pl.Series(np.arange(len(lines), dtype=np.int64) - starts),
        probability="probability",
        label="label",
    )


def _body_lines(path: Path) -> list[str]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (byte {exc.start})", file=str(path), hint=_HINT) from None
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc.strerror or exc})", file=str(path)) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n")
    if lines[0] != HEADER:
        found = lines[0] if text else "an empty file"
        raise ReadError(f"header is {found!r}, expected {HEADER!r}", file=str(path), line=1, value=lines[0], hint=_HINT)
    return lines[1:] if text != HEADER else []


def _parse(lines: list[str], files: list[Path], counts: np.ndarray) -> pl.DataFrame:
    """Parse every data line at once; on the first bad line (in file order) raise naming it."""
    raw = pl.DataFrame({"line": pl.Series(lines, dtype=pl.String)})
    parts = raw.select(
        fields=pl.col("line").str.count_matches("|", literal=True) + 1,
        p_text=pl.col("line").str.split_exact("|", 1).struct.field("field_0"),
        l_text=pl.col("line").str.split_exact("|", 1).struct.field("field_1"),
    ).with_columns(
        probability=pl.col("p_text").str.strip_chars().cast(pl.Float64, strict=False),
        l_num=pl.col("l_text").str.strip_chars().cast(pl.Float64, strict=False),
    )
    checks: list[tuple[pl.Expr, str | None, str, str]] = [
        (pl.col("fields") != 2, None, "line", "expected 2 fields separated by '|', found {n}"),
        (pl.col("probability").is_null(), PROBABILITY, "p_text", "{value!r} is not a number"),
        (
            ~pl.col("probability").is_finite() | (pl.col("probability") < 0) | (pl.col("probability") > 1),
            PROBABILITY,
            "p_text",
            "{value} is not a probability from 0 to 1",
        ),
        (~pl.col("l_num").is_in([0.0, 1.0]).fill_null(False), LABEL, "l_text", "{value!r} is not 0 or 1"),
    ]
    bad_any = pl.any_horizontal([c.fill_null(False) for c, *_ in checks])
    first = parts.with_row_index("_i").filter(bad_any).head(1)
    if first.height:
        i = int(first["_i"][0])
        ends = np.cumsum(counts)
        k = int(np.searchsorted(ends, i, side="right"))
        line_no = i - int(ends[k] - counts[k]) + 2  # header is line 1
        for bad, field, column, message in checks:
            if first.select(bad.fill_null(False)).item():
                value = "" if field is None else first[column][0]
                text = message.format(n=first["fields"][0], value=value)
                raise ReadError(text, file=str(files[k]), line=line_no, field=field, value=lines[i], hint=_HINT)
    return parts.select("probability", label=pl.col("l_num").cast(pl.Int8))
