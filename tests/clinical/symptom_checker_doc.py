"""Read the texts of symptom-checker.md §7 (and the §6/§9 D13 additions) straight from the doc."""

from __future__ import annotations

import re
from pathlib import Path

_QUOTED = re.compile(r'^"(.*)"$')


def _unquote(cell: str) -> str:
    cell = cell.strip()
    m = _QUOTED.match(cell)
    return (m[1] if m else cell).replace('\\"', '"')


def _section(text: str, heading: str) -> str:
    body = text.split(heading, 1)[1].split("\n", 1)[1]
    return body.split("\n### ", 1)[0].split("\n## ", 1)[0]


def _code_ranges(text: str) -> set[str]:
    """``"E09–E14, E16, U02–U07, U11)"`` -> every code named, ranges expanded."""
    codes: set[str] = set()
    for first, last in re.findall(r"([EU]\d\d)(?:–([EU]\d\d))?", text):
        end = last or first
        codes |= {f"{first[0]}{n:02d}" for n in range(int(first[1:]), int(end[1:]) + 1)}
    return codes


def _rows(body: str) -> list[list[str]]:
    rows = []
    for line in body.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows[1:]  # drop the header row


class CheckerDoc:
    """The §7 texts of the symptom checker doc."""

    def __init__(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        self.action = {r[0]: _unquote(r[1]) for r in _rows(_section(text, "### 7.2"))}
        self.reason = {r[0]: _unquote(r[1]) for r in _rows(_section(text, "### 7.3"))}
        self.safety_net = [_unquote(m) for m in re.findall(r"^\d+\. (.*)$", _section(text, "### 7.4"), re.M)]
        body = _section(text, "### 7.5")
        self.escalate: dict[str, list[tuple[str, str]]] = {}
        group = ""
        for cells in _rows(body):
            if cells[0]:
                group = cells[0]
            if cells[1]:
                self.escalate.setdefault(group, []).append((cells[1], _unquote(cells[2])))
        last = re.search(r"All groups end with one URGENT item: (\".*?\")", body)
        assert last, "§7.5 final item not found"
        self.escalate_last = ("URGENT", _unquote(last[1]))
        disclaimer = _section(text, "### 7.6").strip().split("\n\n")[0]
        self.disclaimer = _unquote(" ".join(line.strip() for line in disclaimer.splitlines()))
        d13 = next(r for r in _rows(_section(text, "## 9.")) if r[0] == "D13")
        note = re.search(r"`messages` then add: (\".*?\")", d13[1])
        assert note, "§9 D13 sentence not found"
        #: §9 D13: the sentence added to ``messages`` and the result page when age is missing.
        self.age_note = _unquote(note[1])
        #: §6: codes of the age-limited rules read in their strictest form without an age (D13).
        limited = re.search(r"limits it\s*\(([^)]*)\)", _section(text, "## 6."))
        assert limited, "§6 list of age-limited rules not found"
        self.age_limited = _code_ranges(limited[1])

    def escalation_for(self, months: float | None) -> list[tuple[str, str]]:
        """§7.5 list for an age, built from the doc's own rows and its "age unknown" rule."""
        by_prefix = {k.split(" (")[0]: v for k, v in self.escalate.items()}
        if months is None:
            items = list(by_prefix["12 and over"])
            items += [item for item in by_prefix["under 5 years"] if item[1] not in {t for _, t in items}]
        elif months < 60:
            items = list(by_prefix["under 5 years"])
        elif months < 144:
            items = list(by_prefix["5–11 years"])
        else:
            items = list(by_prefix["12 and over"])
        return [*items, self.escalate_last]
