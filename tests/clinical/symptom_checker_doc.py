"""Read the texts of symptom-checker.md §7 straight from the doc (for doc = code tests)."""

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
