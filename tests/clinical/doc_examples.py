"""Parse the worked-example blocks of shared/docs/clinical/*.md."""

from __future__ import annotations

import re
from pathlib import Path

_ADULT = re.compile(r"```jsonl (\w+) (input|output)\n(.*?)```", re.S)
_TAGGED = re.compile(r"<!-- examples:(\w+):(input|expected) -->\s*```jsonl\n(.*?)```", re.S)


def adult_examples(doc: Path) -> dict[str, tuple[list[str], list[str]]]:
    """score -> (input lines, expected output lines) from adult-scores.md §6."""
    blocks: dict[tuple[str, str], list[str]] = {}
    for score, kind, body in _ADULT.findall(doc.read_text(encoding="utf-8")):
        blocks[(score, kind)] = [line for line in body.splitlines() if line.strip()]
    scores = sorted({s for s, _ in blocks})
    return {s: (blocks[(s, "input")], blocks[(s, "output")]) for s in scores}


def tagged_examples(doc: Path) -> dict[str, tuple[list[str], list[str]]]:
    """score -> (input lines, expected lines) from ``<!-- examples:NAME:... -->`` blocks."""
    blocks: dict[tuple[str, str], list[str]] = {}
    for score, kind, body in _TAGGED.findall(doc.read_text(encoding="utf-8")):
        blocks[(score, kind)] = [line for line in body.splitlines() if line.strip()]
    scores = sorted({s for s, _ in blocks})
    return {s: (blocks[(s, "input")], blocks[(s, "expected")]) for s in scores}


def without_message(obj: dict) -> dict:
    """Drop the free-text ``message`` of an error object (not part of the contract tests)."""
    if "error" in obj:
        obj = dict(obj)
        obj["error"] = {k: v for k, v in obj["error"].items() if k != "message"}
    return obj
