"""The batch reader behind :func:`sepsiscope.io.psv.read_psv`: files -> parsed, checked tables.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 (file format). Cleaning rules:
shared/docs/clinical/adult-scores.md §1.4; errors: shared/docs/style.md §4.

Speed. Files are never parsed one by one. Members are decompressed by two threads (zlib-ng
releases the GIL), each file gets cheap byte checks (header equality, line count), the bodies
are concatenated in batches and each batch is parsed once by ``polars.read_csv``, then checked
and made canonical on its own (a file never straddles two batches), so a consumer can work on
one batch while the next is read (:meth:`_PsvReader.tables`). Only a file that fails a cheap
check, or a batch the strict parse rejects (narrowed by bisection), goes through the slow
line-by-line diagnosis that names file, line and column.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError
from sepsiscope.io.psv_checks import _canonical, _Checks
from sepsiscope.io.psv_diagnose import _diagnose, _Diagnosis, _text
from sepsiscope.io.psv_format import _NSEP, HEADER, LABEL_COLUMN, PSV_COLUMNS
from sepsiscope.io.psv_source import _Source, _Unreadable, _with_label_column
from sepsiscope.io.report import (
    Implausible,
    IntArray,
    OnInvalid,
    ReadBatches,
    ReadReport,
    ReadResult,
    RowProblem,
    resolve_rows,
)

_SCHEMA = dict.fromkeys(PSV_COLUMNS, pl.Float64)
_BATCHES = 16  # batches per read: parse of one overlaps decompression of the next
_MIN_BATCH = 16  # files

Progress = Callable[[int, int], None]


#: Bytes that no valid body holds and that a float parser might still accept: whitespace,
#: carriage returns (``stray``); and NaN/infinity spellings other than ``NaN``: ``nan``,
#: ``NAN``, ``inf``, ``+NaN`` (``odd``). Each is one ``memchr`` pass over a batch.
_STRAY = (b" ", b"\t", b"\r")
_ODD = (b"n", b"A", b"+")


@dataclass(frozen=True)
class _Joined:
    """One batch's bodies joined for a single parse, with the byte checks the parse needs."""

    buf: bytes
    stray: bool
    odd: bool

    @classmethod
    def of(cls, pieces: Sequence[bytes | memoryview]) -> _Joined:
        buf = b"".join(pieces)
        return cls(buf, any(b in buf for b in _STRAY), any(b in buf for b in _ODD))


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


#: The null spellings (adult-scores.md / Reyna 2020: ``NaN``; a minus-signed NaN, as some C
#: libraries print it, is the same non-number: float parsers read both as NaN).
_NULLS = ["NaN", "-NaN"]


def _parse(buf: bytes, null_values: list[str] | None = _NULLS) -> pl.DataFrame:
    if not buf:
        return pl.DataFrame(schema=_SCHEMA)
    return pl.read_csv(buf, separator="|", has_header=False, schema=_SCHEMA, null_values=null_values, quote_char=None)


def _parses(pieces: Sequence[bytes | memoryview]) -> bool:
    try:
        _parse(b"".join(pieces))
    except pl.exceptions.PolarsError:
        return False
    return True


def _parse_joined(joined: _Joined) -> tuple[pl.DataFrame, bool]:
    """Parse a batch: (frame with ``NaN`` as null, whether a field was empty or a row short).

    When every NaN-like token is spelled ``NaN`` (no ``odd`` byte), the parse reads ``NaN``
    as a float NaN (faster than matching a null string) and any null can only come from an
    empty field, a short row or a blank line. Otherwise ``NaN`` is matched as the null
    string, so other spellings stay NaN for the checks to report, and an empty field shows
    as more nulls than ``NaN`` tokens (each holds two ``N``; no valid number holds one).
    """
    if not joined.odd:
        frame = _parse(joined.buf, None)
        empty = frame.height > 0 and sum(frame.null_count().row(0)) > 0
        return frame.fill_nan(None), empty
    frame = _parse(joined.buf)
    nulls = sum(frame.null_count().row(0)) if frame.height else 0
    return frame, 2 * nulls != joined.buf.count(b"N")


@dataclass
class _Batch:
    """One parsed batch of whole files: its rows, and how to point back into its files."""

    indices: range  # file numbers
    frame: pl.DataFrame  # parsed rows (PSV columns)
    buf: bytes  # the joined bodies that were parsed
    spans: list[tuple[int, int]]  # each file's (start, end) in ``buf``
    fidx: IntArray  # file number of each row
    offsets: IntArray  # first row of each file in ``frame`` (by position in ``indices``)


class _PsvReader:
    def __init__(self, source: _Source, on_invalid: OnInvalid, implausible: Implausible, progress: Progress | None):
        self.source = source
        self.names = source.names
        self.stems = [n.rsplit("/", 1)[-1].rsplit(".", 1)[0] for n in self.names]
        self.patient_ids = pl.Series("patient_id", self.stems, pl.String)
        self.on_invalid = on_invalid
        self.implausible = implausible
        self.progress = progress
        n = len(self.names)
        self.report = ReadReport(source=source.label, files=list(self.names), skipped_files=list(source.skipped))
        self.nrows = np.zeros(n, dtype=np.int64)  # rows of each file in the parsed table
        self.line_map: dict[int, list[int]] = {}  # files whose rows are not lines 2, 3, ...
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
    def tables(self) -> Iterator[pl.DataFrame]:
        """Canonical tables of successive batches of whole files, checked and cleaned.

        Batches come in file order; the report grows as they do. Two threads load the next
        batches while this one parses, so a consumer working on a yielded table overlaps
        the reading of the next.
        """
        n = len(self.names)
        size = max(_MIN_BATCH, -(-n // _BATCHES))
        ranges = [range(s, min(n, s + size)) for s in range(0, n, size)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            pending: deque[Future[_Loaded]] = deque()
            nxt = 0
            for indices in ranges:
                while nxt < len(ranges) and len(pending) < 3:
                    pending.append(pool.submit(self._load, ranges[nxt]))
                    nxt += 1
                table = self._finish(self._batch(indices, pending.popleft().result()))
                if self.progress is not None:
                    self.progress(indices.stop, n)
                yield table

    def run(self) -> ReadResult:
        """The whole input as one table."""
        tables = list(self.tables())
        table = pl.concat(tables, how="vertical") if tables else _canonical(_parse(b""), self.patient_ids.clear())
        if self.finish_report(table.height):
            table = table.drop(LABEL_COLUMN)
        return ReadResult(table, self.report)

    def batches(self) -> ReadBatches:
        """The tables of :meth:`tables`; the report is completed after the last one, the source closed."""

        def tables() -> Iterator[pl.DataFrame]:
            try:
                rows = 0
                for table in self.tables():
                    rows += table.height
                    yield table
                self.finish_report(rows)
            finally:
                self.source.close()

        return ReadBatches(tables(), self.report, self.source.close)

    def finish_report(self, rows_out: int) -> bool:
        """Complete the report after the last batch; True if no file had the SepsisLabel column."""
        self.report.rows_out = rows_out
        if self.unlabeled and self.unlabeled == len(self.names):
            self.report.notes.append("no SepsisLabel column in the input files: the table has no sepsis_label column")
            return True
        if self.unlabeled:
            self.report.notes.append(f"{self.unlabeled} files have no SepsisLabel column: sepsis_label is null there")
        return False

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

    def _batch(self, indices: range, loaded: _Loaded) -> _Batch:
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
        frame, joined, empty = self._parse_batch(indices, pieces, joined)
        if empty:  # an empty field, a short row or a blank line somewhere
            suspects = [j for j, piece in enumerate(pieces) if _suspect(bytes(piece))]
            for j in suspects:
                pieces[j] = self._rediagnose(indices[j], bytes(pieces[j]))
            if suspects:
                frame, joined, _ = self._parse_batch(indices, pieces, _Joined.of(pieces))
        nrows = self.nrows[indices.start : indices.stop]
        if frame.height != int(nrows.sum()):
            message = f"parsed {frame.height} rows where the files hold {int(nrows.sum())}"
            raise ReadError(message, file=self.source.label)
        spans, start = [], 0
        for piece in pieces:
            spans.append((start, start + len(piece)))
            start += len(piece)
        fidx = np.repeat(np.arange(indices.start, indices.stop, dtype=np.int64), nrows)
        return _Batch(indices, frame, joined.buf, spans, fidx, np.concatenate([[0], np.cumsum(nrows)]))

    def _parse_batch(
        self, indices: range, pieces: list[bytes | memoryview], joined: _Joined
    ) -> tuple[pl.DataFrame, _Joined, bool]:
        try:
            frame, empty = _parse_joined(joined)
            return frame, joined, empty
        except pl.exceptions.PolarsError:
            pass
        for j in self._failing(pieces, 0, len(pieces)):
            pieces[j] = self._rediagnose(indices[j], bytes(pieces[j]), must_fail=True)
        joined = _Joined.of(pieces)
        frame, empty = _parse_joined(joined)
        return frame, joined, empty

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

    # -- checks, per batch -------------------------------------------------------------------
    def _finish(self, batch: _Batch) -> pl.DataFrame:
        """Row and value checks on one batch (files never straddle batches), then canonical form."""
        raw = batch.frame

        def locate(rows: IntArray) -> tuple[list[str], IntArray]:
            return self._locate(batch, rows)

        def raw_text(rows: IntArray) -> list[str]:
            return self._raw_text(batch, rows)

        checks = _Checks(raw, self.implausible)
        row_flags = checks.row_flags(batch.fidx, locate, raw_text)
        keep = resolve_rows(
            raw.height, row_flags, on_invalid=self.on_invalid, locate=locate, raw_text=raw_text, report=self.report
        )
        raw = checks.clean(keep, locate, self.report)
        if keep.all():
            return _canonical(raw, self.patient_ids.gather(batch.fidx))
        return _canonical(raw.filter(pl.Series(keep)), self.patient_ids.gather(batch.fidx[keep]))

    def _locate(self, batch: _Batch, rows: IntArray) -> tuple[list[str], IntArray]:
        f = batch.fidx[rows]
        local = rows - batch.offsets[f - batch.indices.start]
        lines = local + 2
        if self.line_map:
            for j in np.flatnonzero(np.isin(f, np.fromiter(self.line_map, dtype=np.int64))):
                lines[j] = self.line_map[int(f[j])][int(local[j])]
        return [self.names[x] for x in f.tolist()], lines

    def _raw_text(self, batch: _Batch, rows: IntArray) -> list[str]:
        cache: dict[int, list[bytes]] = {}
        out = []
        for r in rows.tolist():
            j = int(batch.fidx[r]) - batch.indices.start
            if j not in cache:
                start, end = batch.spans[j]
                cache[j] = batch.buf[start:end].split(b"\n")
            out.append(_text(cache[j][r - int(batch.offsets[j])]))
        return out
