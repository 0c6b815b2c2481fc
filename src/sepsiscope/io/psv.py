"""PhysioNet 2019 pipe-separated hourly files (one file per patient) -> canonical wide table.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 (file format, 41 columns, ``NaN`` for
not measured). Ranges: shared/docs/clinical/adult-scores.md §1.1 (via ``variables.toml``);
cleaning rules: adult-scores.md §1.4; errors: shared/docs/style.md §4.

Speed. Files are never parsed one by one. Members are decompressed by two threads (zlib releases
the GIL), each file gets cheap byte checks (header equality, line count, ``|`` count), the
bodies are concatenated in batches and each batch is parsed once by ``polars.read_csv``. Only a
file that fails a cheap check, or a batch the strict parse rejects (narrowed by bisection), goes
through the slow line-by-line diagnosis that names file, line and column.
"""

from __future__ import annotations

import mmap
import re
import struct
import threading
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError, UsageError
from sepsiscope.io.report import (
    Flagged,
    Implausible,
    IntArray,
    Locate,
    OnInvalid,
    RawText,
    ReadReport,
    ReadResult,
    RowProblem,
    literal,
    number_text,
    record_values,
    resolve_rows,
)
from sepsiscope.variables.registry import REGISTRY, Variable
from sepsiscope.variables.units import CONVERSIONS, convert

#: Columns of every PhysioNet 2019 file, in file order (Reyna 2020).
PSV_COLUMNS: tuple[str, ...] = (
    "HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp", "EtCO2", "BaseExcess", "HCO3", "FiO2", "pH", "PaCO2",
    "SaO2", "AST", "BUN", "Alkalinephos", "Calcium", "Chloride", "Creatinine", "Bilirubin_direct", "Glucose",
    "Lactate", "Magnesium", "Phosphate", "Potassium", "Bilirubin_total", "TroponinI", "Hct", "Hgb", "PTT", "WBC",
    "Fibrinogen", "Platelets", "Age", "Gender", "Unit1", "Unit2", "HospAdmTime", "ICULOS", "SepsisLabel",
)  # fmt: skip
HEADER = "|".join(PSV_COLUMNS).encode() + b"\n"
LABEL = "SepsisLabel"
#: The same files with the label column removed (as given to a model at test time).
HEADER_UNLABELED = "|".join(PSV_COLUMNS[:-1]).encode() + b"\n"


def _with_label_column(data: bytes | _Unreadable) -> bytes | _Unreadable:
    """A file without ``SepsisLabel`` gets the column back as ``NaN`` (lines keep their numbers)."""
    if not isinstance(data, bytes):
        return data
    bom = data.startswith(_BOM)
    text = data[3:] if bom else data
    crlf = text.startswith(HEADER_UNLABELED[:-1] + b"\r\n")
    if not (text.startswith(HEADER_UNLABELED) or crlf):
        return data
    eol = b"\r\n" if crlf else b"\n"
    body = text[len(HEADER_UNLABELED) + (1 if crlf else 0) :]
    if body and not body.endswith(b"\n"):
        body += eol
    return (_BOM if bom else b"") + HEADER[:-1] + eol + body.replace(eol, b"|NaN" + eol)


HOUR = "ICULOS"
LABEL_COLUMN = "sepsis_label"
#: adult-scores.md §1.4: Gender 0 -> female, 1 -> male; Unit1/Unit2 1 -> true, 0 -> false.
GENDER_CODES: dict[float, str] = {0.0: "female", 1.0: "male"}
#: adult-scores.md §1.4: FiO2 in [0.20, 0.21) is a rounding artefact, set to 0.21.
FIO2_ROUNDING = (0.20, 0.21)

_NSEP = len(PSV_COLUMNS) - 1
_SCHEMA = dict.fromkeys(PSV_COLUMNS, pl.Float64)
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BOM = b"\xef\xbb\xbf"
_BATCHES = 16  # batches per read: parse of one overlaps decompression of the next
_MIN_BATCH = 16  # files
_HINT_NUMBER = 'PhysioNet files hold numbers only, with "NaN" for not measured'
_HINT_QUARANTINE = "fix the file, or pass on_invalid='quarantine' to set bad rows aside with a record"
_HINT_CLEAN = "pass implausible='clean' to set implausible values to missing and record each one (adult-scores.md §1.4)"

Progress = Callable[[int, int], None]


def read_psv(
    path: str | Path,
    *,
    on_invalid: OnInvalid = "error",
    implausible: Implausible = "clean",
    progress: Progress | None = None,
) -> ReadResult:
    """Read PhysioNet 2019 ``.psv`` files into the canonical wide table.

    ``path`` is a folder of ``*.psv`` files (searched recursively), a ``.zip`` holding them
    anywhere inside, or one ``.psv`` file. Files are read in sorted name order, rows in file
    order; ``patient_id`` is the file stem and ``hour`` is ``ICULOS``.

    ``on_invalid="error"`` (default) raises :class:`~sepsiscope.errors.ReadError` naming file,
    line, field and value for a wrong header, a wrong field count, a non-numeric value, a
    missing or repeated ``ICULOS``, an empty file or an unreadable zip member;
    ``"quarantine"`` removes each offending row and records it with its raw text.

    ``implausible="clean"`` (default) applies adult-scores.md §1.4: FiO2 in [0.20, 0.21) -> 0.21,
    FiO2 in [21, 100] -> /100 (``converted``), any other value outside its §1.1 range -> null
    (``set_missing``), each recorded; ``"reject"`` treats such values as invalid rows.
    ``progress(done_files, total_files)`` is called after each batch.
    """
    _check_options(on_invalid, implausible)
    source = _open_source(Path(path))
    try:
        return _PsvReader(source, on_invalid, implausible, progress).run()
    finally:
        source.close()


def write_psv(table: pl.DataFrame, folder: str | Path) -> list[Path]:
    """Write a canonical wide table as one PhysioNet 2019 file per patient (``<patient_id>.psv``).

    The inverse of :func:`read_psv` for clean tables: ``ICULOS`` is written from ``hour``,
    ``sex`` as Gender 0/1, booleans as 1/0, missing as ``NaN``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    by_name = {v.physionet: v for v in REGISTRY if v.physionet}
    sexes = set(table["sex"].drop_nulls().unique().to_list()) if "sex" in table.columns else set()
    if not sexes <= set(GENDER_CODES.values()):
        raise UsageError(f"sex values {sorted(sexes - set(GENDER_CODES.values()))} have no PhysioNet Gender code")
    exprs: list[pl.Expr] = []
    for col in PSV_COLUMNS:
        var = by_name.get(col)
        if col == HOUR:
            expr = pl.col("hour").cast(pl.Float64)
        elif col == LABEL:
            expr = pl.col("sepsis_label").cast(pl.Float64) if "sepsis_label" in table.columns else pl.lit(None)
        elif var is None or var.name not in table.columns:
            expr = pl.lit(None)
        elif var.name == "sex":
            expr = pl.col("sex").replace_strict({v: k for k, v in GENDER_CODES.items()}, default=None)
        else:
            expr = pl.col(var.name).cast(pl.Float64)
        exprs.append(expr.cast(pl.Float64).alias(col))
    paths = []
    for (pid,), part in table.group_by("patient_id", maintain_order=True):
        target = out / f"{pid}.psv"
        body = part.select(exprs).write_csv(separator="|", include_header=False, null_value="NaN", quote_style="never")
        target.write_bytes(HEADER + body.encode())
        paths.append(target)
    return paths


# -- sources -------------------------------------------------------------------------------


class _Unreadable(Exception):
    """A member or file that cannot be read (corrupt zip entry, I/O error)."""


class _Source:
    """Sorted data files of one input, loadable in batches from worker threads."""

    label: str
    names: list[str]
    skipped: list[str]

    def load(self, index: int) -> bytes | _Unreadable:
        raise NotImplementedError

    def close(self) -> None:
        """Release file handles."""


class _FileSource(_Source):
    def __init__(self, label: str, files: list[tuple[str, Path]], skipped: list[str]) -> None:
        self.label = label
        self.names = [name for name, _ in files]
        self._paths = [p for _, p in files]
        self.skipped = skipped

    def load(self, index: int) -> bytes | _Unreadable:
        try:
            return self._paths[index].read_bytes()
        except OSError as exc:
            return _Unreadable(f"cannot read the file ({exc.strerror or exc})")


class _ZipSource(_Source):
    """Zip members read straight from a memory map: zlib on each member's raw deflate bytes."""

    def __init__(self, path: Path) -> None:
        self.label = path.name
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReadError(f"not a readable zip archive ({exc})", file=str(path)) from None
        members, self.skipped = [], []
        for info in self._zip.infolist():
            base = info.filename.rsplit("/", 1)[-1]
            if info.is_dir():
                continue
            if _is_data_name(info.filename, base):
                members.append(info)
            else:
                self.skipped.append(info.filename)
        self._infos = sorted(members, key=lambda i: i.filename)
        self.names = [i.filename for i in self._infos]
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        size = path.stat().st_size
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        self._lock = threading.Lock()

    def load(self, index: int) -> bytes | _Unreadable:
        info = self._infos[index]
        if info.flag_bits & 0x1:
            return _Unreadable("the zip member is encrypted")
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and self._map is not None:
            mm, off = self._map, info.header_offset
            if mm[off : off + 4] != b"PK\x03\x04":
                return _Unreadable("the zip member's local header is damaged")
            n_name, n_extra = struct.unpack_from("<HH", mm, off + 26)
            start = off + 30 + n_name + n_extra
            raw = mm[start : start + info.compress_size]
            try:
                if info.compress_type == zipfile.ZIP_DEFLATED:
                    data = zlib.decompress(raw, -15, info.file_size or zlib.DEF_BUF_SIZE)
                else:
                    data = raw
            except zlib.error as exc:
                return _Unreadable(f"the zip member cannot be decompressed ({exc})")
        else:
            with self._lock:
                try:
                    data = self._zip.read(info)
                except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
                    return _Unreadable(f"the zip member cannot be read ({exc})")
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            return _Unreadable("the zip member is corrupt (size or CRC does not match the archive)")
        return data

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self._file.close()
        self._zip.close()


def _is_data_name(full: str, base: str) -> bool:
    """A ``.psv`` file that is not macOS metadata (``__MACOSX/``, ``._name``)."""
    return base.lower().endswith(".psv") and not base.startswith("._") and "__MACOSX/" not in full


def _open_source(path: Path) -> _Source:
    if path.is_dir():
        files, skipped = [], []
        for p in sorted(path.rglob("*"), key=lambda q: q.relative_to(path).as_posix()):
            if not p.is_file():
                continue
            rel = f"{path.name}/{p.relative_to(path).as_posix()}"
            if _is_data_name(rel, p.name):
                files.append((rel, p))
            else:
                skipped.append(rel)
        if not files:
            raise ReadError(
                "no .psv files in this folder", file=str(path), hint="pass a folder or .zip of p*.psv files"
            )
        return _FileSource(path.name, files, skipped)
    if not path.exists():
        raise ReadError("no such file or folder", file=str(path))
    if path.suffix.lower() == ".zip":
        source = _ZipSource(path)
        if not source.names:
            source.close()
            raise ReadError("the zip holds no .psv files", file=str(path), hint="expected members like */p000001.psv")
        return source
    name = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    return _FileSource(path.name, [(name, path)], [])


def _check_options(on_invalid: str, implausible: str) -> None:
    if on_invalid not in ("error", "quarantine"):
        raise UsageError(f"on_invalid must be 'error' or 'quarantine', not {on_invalid!r}")
    if implausible not in ("clean", "reject"):
        raise UsageError(f"implausible must be 'clean' or 'reject', not {implausible!r}")


# -- slow, exact diagnosis of one file -----------------------------------------------------


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
        if tok != b"NaN" and _NUMBER.fullmatch(tok) is None:
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


# -- the reader ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Joined:
    """One batch's bodies joined for a single parse, with the byte counts the checks need."""

    buf: bytes
    n_count: int  # b"N": every "NaN" holds two, no valid number holds one
    stray: bool

    @classmethod
    def of(cls, pieces: Sequence[bytes | memoryview]) -> _Joined:
        buf = b"".join(pieces)
        return cls(buf, buf.count(b"N"), b" " in buf or b"\t" in buf or b"\r" in buf)


@dataclass(frozen=True)
class _Loaded:
    datas: list[bytes | _Unreadable]
    pieces: list[bytes | memoryview | None]  # None: the file needs the slow diagnosis
    rows: list[int]
    joined: _Joined | None


def _suspect(body: bytes) -> bool:
    """Empty field, short row or blank line somewhere in a body."""
    return (
        body.startswith((b"|", b"\n"))
        or b"||" in body
        or b"\n|" in body
        or b"|\n" in body
        or b"\n\n" in body
        or body.count(b"|") != _NSEP * body.count(b"\n")
    )


def _parse(buf: bytes) -> pl.DataFrame:
    if not buf:
        return pl.DataFrame(schema=_SCHEMA)
    return pl.read_csv(buf, separator="|", has_header=False, schema=_SCHEMA, null_values="NaN", quote_char=None)


def _parses(pieces: Sequence[bytes | memoryview]) -> bool:
    try:
        _parse(b"".join(pieces))
    except pl.exceptions.PolarsError:
        return False
    return True


class _PsvReader:
    def __init__(self, source: _Source, on_invalid: OnInvalid, implausible: Implausible, progress: Progress | None):
        self.source = source
        self.names = source.names
        self.stems = [n.rsplit("/", 1)[-1].rsplit(".", 1)[0] for n in self.names]
        self.on_invalid = on_invalid
        self.implausible = implausible
        self.progress = progress
        n = len(self.names)
        self.report = ReadReport(source=source.label, files=list(self.names), skipped_files=list(source.skipped))
        self.nrows = np.zeros(n, dtype=np.int64)  # rows of each file in the parsed table
        self.line_map: dict[int, list[int]] = {}  # files whose rows are not lines 2, 3, ...
        self.body_at: list[tuple[int, int, int]] = [(0, 0, 0)] * n  # (batch, start, end) in batch buffer
        self.bufs: list[bytes] = []
        self.frames: list[pl.DataFrame] = []
        seen: Counter[str] = Counter()
        self.forced: dict[int, tuple[str, str | None, str]] = {}
        self.unlabeled = 0  # files given without the SepsisLabel column
        self.lock = threading.Lock()
        first_of: dict[str, str] = {}
        for i, stem in enumerate(self.stems):
            seen[stem] += 1
            if seen[stem] > 1:
                msg = f"patient id {stem!r} is already used by {first_of[stem]}"
                self.forced[i] = ("duplicate_patient", stem, msg)
            else:
                first_of[stem] = self.names[i]

    # -- batches ---------------------------------------------------------------------------
    def run(self) -> ReadResult:
        n = len(self.names)
        size = max(_MIN_BATCH, -(-n // _BATCHES))
        batches = [range(s, min(n, s + size)) for s in range(0, n, size)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            pending: deque[Future[_Loaded]] = deque()
            nxt = 0
            for k in range(len(batches)):
                while nxt < len(batches) and len(pending) < 3:
                    pending.append(pool.submit(self._load, batches[nxt]))
                    nxt += 1
                self._batch(k, batches[k], pending.popleft().result())
                if self.progress is not None:
                    self.progress(batches[k].stop, n)
        return self._finish()

    def _load(self, indices: range) -> _Loaded:
        """Worker thread: read the files, check headers, count rows, join the bodies."""
        loaded = [self.source.load(i) for i in indices]
        datas = [_with_label_column(d) for d in loaded]
        with self.lock:
            self.unlabeled += sum(a is not b for a, b in zip(loaded, datas, strict=True))
        hl = len(HEADER)
        pieces: list[bytes | memoryview | None] = []
        rows: list[int] = []
        clean = True
        for i, data in zip(indices, datas, strict=True):
            if isinstance(data, bytes) and i not in self.forced and data.startswith(HEADER):
                count = data.count(b"\n", hl)
                if data.endswith(b"\n"):
                    piece: bytes | memoryview = memoryview(data)[hl:]
                else:
                    count += 1
                    piece = data[hl:] + b"\n"
                if count:
                    pieces.append(piece)
                    rows.append(count)
                    continue
            pieces.append(None)
            rows.append(0)
            clean = False
        if not clean:
            return _Loaded(datas, pieces, rows, None)
        return _Loaded(datas, pieces, rows, _Joined.of(pieces))  # type: ignore[arg-type]

    def _batch(self, k: int, indices: range, loaded: _Loaded) -> None:
        pieces: list[bytes | memoryview] = []
        for i, data, piece, rows in zip(indices, loaded.datas, loaded.pieces, loaded.rows, strict=True):
            if isinstance(data, _Unreadable):
                self._file_problem(i, "unreadable", str(data))
                pieces.append(b"")
            elif piece is None:
                pieces.append(self._diagnosed(i, data))
            else:
                self.nrows[i] = rows
                self.report.rows_read += rows
                pieces.append(piece)
        joined = loaded.joined or _Joined.of(pieces)
        if joined.stray:  # bytes a float parser might tolerate: whitespace, carriage returns
            for j, piece in enumerate(pieces):
                b = bytes(piece)
                if b" " in b or b"\t" in b or b"\r" in b:
                    pieces[j] = self._rediagnose(indices[j], b)
            joined = _Joined.of(pieces)
        frame, joined = self._parse_batch(indices, pieces, joined)
        nulls = sum(frame.null_count().row(0)) if frame.height else 0
        if 2 * nulls != joined.n_count:  # an empty field, a short row or a blank line (null without "NaN")
            suspects = [j for j, piece in enumerate(pieces) if _suspect(bytes(piece))]
            for j in suspects:
                pieces[j] = self._rediagnose(indices[j], bytes(pieces[j]))
            if suspects:
                frame, joined = self._parse_batch(indices, pieces, _Joined.of(pieces))
        expected = int(self.nrows[indices.start : indices.stop].sum())
        if frame.height != expected:
            raise ReadError(f"parsed {frame.height} rows where the files hold {expected}", file=self.source.label)
        start = 0
        for i, piece in zip(indices, pieces, strict=True):
            end = start + len(piece)
            self.body_at[i] = (k, start, end)
            start = end
        self.bufs.append(joined.buf)
        self.frames.append(frame)

    def _parse_batch(
        self, indices: range, pieces: list[bytes | memoryview], joined: _Joined
    ) -> tuple[pl.DataFrame, _Joined]:
        try:
            return _parse(joined.buf), joined
        except pl.exceptions.PolarsError:
            pass
        for j in self._failing(pieces, 0, len(pieces)):
            pieces[j] = self._rediagnose(indices[j], bytes(pieces[j]), must_fail=True)
        joined = _Joined.of(pieces)
        return _parse(joined.buf), joined

    def _failing(self, pieces: list[bytes | memoryview], lo: int, hi: int) -> list[int]:
        """Indices of pieces the strict parse rejects, by bisection."""
        if hi - lo == 1:
            return [lo]
        mid = (lo + hi) // 2
        out = [] if _parses(pieces[lo:mid]) else self._failing(pieces, lo, mid)
        if out and self.on_invalid == "error":
            return out
        return out + ([] if _parses(pieces[mid:hi]) else self._failing(pieces, mid, hi))

    def _rediagnose(self, i: int, body: bytes, *, must_fail: bool = False) -> bytes:
        """Diagnose a file whose body passed the cheap checks but not a later one."""
        if i in self.line_map:  # a diagnosed body holds only lines the validator accepted
            raise ReadError("the strict parser rejects rows the validator accepted", file=self.names[i])
        self.report.rows_read -= int(self.nrows[i])
        diag = _diagnose(HEADER + body, None)
        if must_fail and not diag.problems:
            raise ReadError("the strict parser rejects this file but no bad field was found", file=self.names[i])
        return self._apply(i, diag)

    def _diagnosed(self, i: int, data: bytes) -> bytes:
        return self._apply(i, _diagnose(data, self.forced.get(i)))

    def _apply(self, i: int, diag: _Diagnosis) -> bytes:
        """Raise or record a diagnosis; return the file's good rows."""
        name = self.names[i]
        if diag.problems and self.on_invalid == "error":
            p = diag.problems[0]
            raise ReadError(p.message, file=name, line=p.line, field=p.field, value=p.value, hint=p.hint)
        self.report.rows_read += diag.rows_seen
        for p in diag.problems:
            self.report.rows_quarantined += p.line is not None and p.line > 1
            self.report.add(
                RowProblem(name, p.line, p.field, p.value, p.reason, "quarantined", raw=p.raw, detail=p.message)
            )
        self.nrows[i] = len(diag.lines)
        self.line_map[i] = diag.lines
        return diag.body

    def _file_problem(self, i: int, reason: str, message: str) -> None:
        if self.on_invalid == "error":
            raise ReadError(message, file=self.names[i])
        self.report.add(RowProblem(self.names[i], None, None, None, reason, "quarantined", detail=message))

    # -- whole-table checks ----------------------------------------------------------------
    def _finish(self) -> ReadResult:
        raw = pl.concat(self.frames, how="vertical", rechunk=False) if self.frames else _parse(b"")
        n = raw.height
        self.fidx = np.repeat(np.arange(len(self.names), dtype=np.int64), self.nrows)
        self.offsets = np.concatenate([[0], np.cumsum(self.nrows)])
        checks = _Checks(raw, self.implausible)
        row_flags = checks.row_flags(self.fidx, self._locate, self._raw_text)
        keep = resolve_rows(
            n, row_flags, on_invalid=self.on_invalid, locate=self._locate, raw_text=self._raw_text, report=self.report
        )
        raw = checks.clean(keep, self._locate, self.report)
        stems = pl.Series("patient_id", self.stems, pl.String)
        if keep.all():
            table = _canonical(raw, stems.gather(self.fidx))
        else:
            table = _canonical(raw.filter(pl.Series(keep)), stems.gather(self.fidx[keep]))
        if self.unlabeled and self.unlabeled == len(self.names):
            table = table.drop(LABEL_COLUMN)
            self.report.notes.append("no SepsisLabel column in the input files: the table has no sepsis_label column")
        elif self.unlabeled:
            self.report.notes.append(f"{self.unlabeled} files have no SepsisLabel column: sepsis_label is null there")
        self.report.rows_out = table.height
        return ReadResult(table, self.report)

    def _locate(self, rows: IntArray) -> tuple[list[str], IntArray]:
        f = self.fidx[rows]
        local = rows - self.offsets[f]
        lines = local + 2
        if self.line_map:
            for j in np.flatnonzero(np.isin(f, np.fromiter(self.line_map, dtype=np.int64))):
                lines[j] = self.line_map[int(f[j])][int(local[j])]
        return [self.names[x] for x in f.tolist()], lines

    def _raw_text(self, rows: IntArray) -> list[str]:
        cache: dict[int, list[bytes]] = {}
        out = []
        for r in rows.tolist():
            f = int(self.fidx[r])
            if f not in cache:
                k, start, end = self.body_at[f]
                cache[f] = self.bufs[k][start:end].split(b"\n")
            out.append(_text(cache[f][r - int(self.offsets[f])]))
        return out


# -- value checks (vectorised) -------------------------------------------------------------


class _Checks:
    """Row-level (non-numeric, bad or repeated ICULOS) and value-level (§1.1 range) checks."""

    def __init__(self, raw: pl.DataFrame, implausible: Implausible) -> None:
        self.raw = raw
        self.implausible = implausible
        self.by_col = {c: REGISTRY.by_physionet[c] for c in PSV_COLUMNS if c in REGISTRY.by_physionet}
        # one vectorised pass: how many values of each column need a closer look
        counts = raw.select(self._flag_expr(c).sum().alias(c) for c in PSV_COLUMNS).row(0) if raw.height else ()
        self.numeric: dict[str, IntArray] = {}  # rows holding NaN/inf parsed from a non-"NaN" token
        self.other: dict[str, IntArray] = {}  # rows with a finite value outside the range (or ICULOS null)
        for col, n in zip(PSV_COLUMNS, counts, strict=False):
            if not n:
                continue
            rows = self.raw.select(self._flag_expr(col).arg_true()).to_series().to_numpy().astype(np.int64)
            got = self.raw[col].gather(rows)
            odd = (got.is_nan() | got.is_infinite()).fill_null(False).to_numpy()
            self.numeric[col], self.other[col] = rows[odd], rows[~odd]

    def _flag_expr(self, col: str) -> pl.Expr:
        """True where a value needs a look; NaN and inf fall outside every range."""
        c = pl.col(col)
        var = self.by_col.get(col)
        if col == HOUR:
            assert var is not None and var.min is not None and var.max is not None
            return c.is_null() | ~c.is_between(var.min, var.max) | (c.round(0) != c)
        if var is None or var.kind in ("code", "boolean"):  # SepsisLabel, Gender, Unit1, Unit2
            return ~c.is_in([0.0, 1.0])
        assert var.min is not None and var.max is not None
        return ~c.is_between(var.min, var.max)

    def _values(self, col: str, rows: IntArray) -> list[str | None]:
        return number_text(self.raw[col].gather(rows))

    def row_flags(self, fidx: IntArray, locate: Locate, raw_text: RawText) -> list[Flagged]:
        flags: list[Flagged] = []
        if not self.raw.height:
            return flags
        for col, rows in self.numeric.items():
            if len(rows):  # e.g. "nan", "inf", "1e999": show the token as written
                k = PSV_COLUMNS.index(col)
                tokens: list[str | None] = [line.split("|")[k] for line in raw_text(rows)]
                flags.append(Flagged(rows, col, tokens, "non_numeric", "{value!r} is not a number", _HINT_NUMBER))
        rows = self.other.get(HOUR, np.zeros(0, np.int64))
        if len(rows):
            message = "ICULOS {value} is not a whole number of ICU hours in 0-87600"
            values = [v or "NaN" for v in self._values(HOUR, rows)]
            flags.append(Flagged(rows, HOUR, values, "invalid_hour", message, _HINT_QUARANTINE))
        flags.extend(self._duplicates(fidx, locate))
        if self.implausible == "reject":
            for col, rows in self.other.items():
                if col != HOUR and len(rows):
                    flags.append(self._value_flag(col, rows, reject=True))
        return flags

    def _duplicates(self, fidx: IntArray, locate: Locate) -> list[Flagged]:
        hours = self.raw[HOUR].to_numpy()
        same_file = fidx[1:] == fidx[:-1]
        if not np.any(same_file & ~(np.diff(hours) > 0)):  # strictly increasing within each file
            return []
        keys = pl.DataFrame({"f": fidx, "h": hours, "r": np.arange(len(hours))}).filter(
            pl.col("h").is_finite() & pl.col("h").is_not_null()
        )
        dup = keys.filter(pl.struct("f", "h").is_duplicated())
        if not dup.height:
            return []
        first = dup.group_by("f", "h").agg(pl.col("r").min().alias("first"))
        later = dup.join(first, on=["f", "h"]).filter(pl.col("r") != pl.col("first")).sort("r")
        rows = later["r"].to_numpy().astype(np.int64)
        _, first_lines = locate(later["first"].to_numpy().astype(np.int64))
        details = [f"same hour as line {int(x)}" for x in first_lines]
        msg = "ICULOS {value} repeats an earlier row of the same patient"
        return [Flagged(rows, HOUR, self._values(HOUR, rows), "duplicate_hour", msg, _HINT_QUARANTINE, details)]

    def _value_flag(self, col: str, rows: IntArray, *, reject: bool) -> Flagged:
        var = self.by_col.get(col)
        values = self._values(col, rows)
        hint = _HINT_CLEAN if reject else None
        if var is None or var.kind in ("code", "boolean"):
            meaning = "0 = female, 1 = male" if var is not None and var.kind == "code" else "0 or 1"
            return Flagged(rows, col, values, "invalid_code", f"{{value}} is not a valid {col} ({meaning})", hint)
        message = f"{{value}} is outside the plausible range {literal(var.range_text())}"
        return Flagged(rows, col, values, "out_of_range", message, hint)

    def clean(self, keep: np.ndarray, locate: Locate, report: ReadReport) -> pl.DataFrame:
        """implausible='clean': apply adult-scores.md §1.4 to kept rows and record each change."""
        if self.implausible != "clean" or not self.raw.height:
            return self.raw
        replaced: list[pl.Series] = []
        for col, rows in self.other.items():
            rows = rows[keep[rows]]
            if col == HOUR or not len(rows):
                continue
            series = self.raw[col]
            if col == "FiO2":
                series, rows = _fio2(series, rows, self._values(col, rows), locate, report)
            flag = self._value_flag(col, rows, reject=False)
            record_values(flag, "set_missing", locate=locate, report=report)
            replaced.append(series.scatter(rows, None) if len(rows) else series)
        return self.raw.with_columns(replaced) if replaced else self.raw


def _fio2(
    series: pl.Series,
    rows: IntArray,
    values: list[str | None],
    locate: Locate,
    report: ReadReport,
) -> tuple[pl.Series, IntArray]:
    """FiO2 §1.4: [0.20, 0.21) -> 0.21; [21, 100] percent -> fraction. Returns rows still invalid."""
    x = series.gather(rows).to_numpy()
    lo, hi = FIO2_ROUNDING
    rounding = (x >= lo) & (x < hi)
    rule = CONVERSIONS["fio2"]["%"]
    percent = (x >= (rule.valid_min or 0)) & (x <= (rule.valid_max or 0))
    new = x.copy()
    new[rounding] = REGISTRY["fio2"].min
    new[percent] = convert(x[percent], "fio2", "%")
    for mask, reason, detail in (
        (rounding, "fio2_rounding", "FiO2 in [0.20, 0.21) is a rounding artefact: set to 0.21 (adult-scores.md §1.4)"),
        (percent, "fio2_percent", "FiO2 in [21, 100] is percent: divided by 100 (adult-scores.md §1.4)"),
    ):
        if mask.any():
            idx = np.flatnonzero(mask)
            flag = Flagged(rows[idx], "FiO2", [values[j] for j in idx], reason, detail, details=[detail] * len(idx))
            record_values(flag, "converted", locate=locate, report=report, new_values=number_text(pl.Series(new[idx])))
    fixed = rounding | percent
    if fixed.any():
        series = series.scatter(rows[fixed], pl.Series(new[fixed]))
    return series, rows[~fixed]


def _canonical(raw: pl.DataFrame, patient_id: pl.Series) -> pl.DataFrame:
    """PSV columns -> canonical names and types (registry order), plus patient_id, hour, label."""
    exprs: list[pl.Expr] = [pl.lit(patient_id).alias("patient_id"), pl.col(HOUR).cast(pl.Int32).alias("hour")]
    present = set(raw.columns)
    var: Variable
    for var in REGISTRY:
        if var.physionet not in present:
            continue
        c = pl.col(var.physionet)
        if var.kind == "code":
            exprs.append(c.replace_strict(GENDER_CODES, default=None, return_dtype=pl.String).alias(var.name))
        elif var.kind == "boolean":
            exprs.append((c == 1.0).alias(var.name))
        else:
            exprs.append(c.alias(var.name))
    exprs.append(pl.col(LABEL).cast(pl.Int8).alias("sepsis_label"))
    return raw.select(exprs)
