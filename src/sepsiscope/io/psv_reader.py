"""The batch reader behind :func:`sepsiscope.io.psv.read_psv`: files -> one parsed, checked table.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 (file format). Cleaning rules:
shared/docs/clinical/adult-scores.md §1.4; errors: shared/docs/style.md §4.

Speed. Files are never parsed one by one. Members are decompressed by two threads (zlib releases
the GIL), each file gets cheap byte checks (header equality, line count, ``|`` count), the
bodies are concatenated in batches and each batch is parsed once by ``polars.read_csv``. Only a
file that fails a cheap check, or a batch the strict parse rejects (narrowed by bisection), goes
through the slow line-by-line diagnosis that names file, line and column.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
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
    ReadReport,
    ReadResult,
    RowProblem,
    resolve_rows,
)

_SCHEMA = dict.fromkeys(PSV_COLUMNS, pl.Float64)
_BATCHES = 16  # batches per read: parse of one overlaps decompression of the next
_MIN_BATCH = 16  # files

Progress = Callable[[int, int], None]


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
