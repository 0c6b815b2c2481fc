"""The MEDS code map: which dataset codes are which of our events, kept as data (TOML).

Format and example: :mod:`sepsiscope.io.meds_events`. Every entry must name an event kind and
code that ``events.toml`` knows, else the map is refused naming the file and the entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sepsiscope.errors import ReadError
from sepsiscope.variables.events import EVENTS

_PARTS = ("point", "start", "end")


@dataclass(frozen=True)
class Target:
    """What one MEDS code becomes."""

    kind: str
    code: str
    unit: str | None = None
    route: str | None = None
    part: str = "point"


@dataclass(frozen=True)
class CodeMap:
    """A MEDS code map: exact codes, prefixes, ignored prefixes and the dataset's zone."""

    codes: dict[str, Target]
    prefixes: dict[str, Target]
    ignore: tuple[str, ...]
    time_zone: str | None

    @classmethod
    def load(cls, path: str | Path) -> CodeMap:
        """Read and check a TOML code map; errors name the file and the entry."""
        p = Path(path)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ReadError(f"cannot read the code map ({exc})", file=str(p)) from None
        tables = {}
        for section in ("codes", "prefixes"):
            tables[section] = {k: _target(p.name, f"{section}.{k}", v) for k, v in raw.get(section, {}).items()}
        return cls(tables["codes"], tables["prefixes"], tuple(raw.get("ignore", ())), raw.get("time_zone"))

    def lookup(self, code: str) -> Target | None:
        """The target of a MEDS code (exact match first, then the longest prefix)."""
        hit = self.codes.get(code)
        if hit is not None:
            return hit
        best = max((p for p in self.prefixes if code.startswith(p)), key=len, default=None)
        return None if best is None else self.prefixes[best]

    def ignored(self, code: str) -> bool:
        """True when the code is on the ignore list."""
        return code.startswith(self.ignore) if self.ignore else False


def _target(file: str, entry: str, spec: dict[str, object]) -> Target:
    try:
        target = Target(**{k: str(v) for k, v in spec.items()})  # type: ignore[arg-type]
    except TypeError as exc:
        raise ReadError(f"code map entry {entry}: {exc}", file=file, field=entry) from None
    kind = EVENTS.kinds.get(target.kind)
    if kind is None or target.code not in kind.codes or target.part not in _PARTS:
        raise ReadError(
            f"code map entry {entry} maps to kind {target.kind!r}, code {target.code!r}, part {target.part!r}, "
            "which events.toml does not know",
            file=file,
            field=entry,
        )
    return target
