"""Locating and loading the data files of one PSV input: a folder, a ``.zip`` or a single file.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 (one ``.psv`` file per patient). Errors:
shared/docs/style.md §4. A source lists its data files in sorted name order (macOS metadata and
other files are recorded as skipped) and loads each one as bytes from a worker thread; zip
members are inflated straight from a memory map (zlib-ng, which releases the GIL). A file given
without the ``SepsisLabel`` column gets it back as ``NaN`` (:func:`_with_label_column`).
"""

from __future__ import annotations

import mmap
import struct
import threading
import zipfile
import zlib
from pathlib import Path
from types import ModuleType

from sepsiscope.errors import ReadError
from sepsiscope.io.psv_format import _BOM, HEADER, HEADER_UNLABELED

_inflate: ModuleType
try:  # zlib-ng: the same deflate and CRC-32, ~1.7x faster to inflate set A than zlib
    from zlib_ng import zlib_ng as _inflate
except ImportError:  # pragma: no cover - a pinned dependency; zlib gives identical bytes
    _inflate = zlib


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
                    data = _inflate.decompress(raw, -15, info.file_size or zlib.DEF_BUF_SIZE)
                else:
                    data = raw
            except (zlib.error, _inflate.error) as exc:
                return _Unreadable(f"the zip member cannot be decompressed ({exc})")
        else:
            with self._lock:
                try:
                    data = self._zip.read(info)
                except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
                    return _Unreadable(f"the zip member cannot be read ({exc})")
        if len(data) != info.file_size or _inflate.crc32(data) != info.CRC:
            return _Unreadable("the zip member is corrupt (size or CRC does not match the archive)")
        return data

    def close(self) -> None:
        if self._map is not None:
            self._map.close()  # closing twice is harmless, as for the file and the zip
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
