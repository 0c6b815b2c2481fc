"""What to watch for: the "get help now if…" lists (§7.5) and the safety net (§7.4).

Source: shared/docs/clinical/symptom-checker.md §7.4 and §7.5. Catalogue keys only; the
words are in ``messages/<lang>.toml``. Pure: no I/O.
"""

from __future__ import annotations

from typing import Literal

from sepsiscope.scores.symptom_checker import thresholds as th

EscalationGroup = Literal["under_5", "5_to_11", "12_plus", "unknown"]
#: The level an item asks for: call emergency services, or a doctor or nurse today.
ItemLevel = Literal["EMERGENCY", "URGENT"]
Item = tuple[ItemLevel, str]

#: §7.5: "get help now if…" items (catalogue keys) per age group, in the doc's order.
ESCALATION: dict[str, tuple[Item, ...]] = {
    "under_5": (
        ("EMERGENCY", "skin"),
        ("EMERGENCY", "rash"),
        ("EMERGENCY", "breathing_child"),
        ("EMERGENCY", "sleepy"),
        ("EMERGENCY", "cry"),
        ("EMERGENCY", "floppy"),
        ("URGENT", "diaper_12"),
        ("URGENT", "cold_or_leg_pain"),
    ),
    "5_to_11": (
        ("EMERGENCY", "skin"),
        ("EMERGENCY", "rash"),
        ("EMERGENCY", "breathing"),
        ("EMERGENCY", "confused_or_hard_to_wake"),
        ("URGENT", "pee_12"),
        ("URGENT", "cold_or_leg_pain"),
    ),
    "12_plus": (
        ("EMERGENCY", "confusion"),
        ("EMERGENCY", "skin"),
        ("EMERGENCY", "rash"),
        ("EMERGENCY", "breathing"),
        ("EMERGENCY", "pee_18"),
        ("URGENT", "adult_signs"),
        ("URGENT", "pee_12"),
    ),
}
#: "All groups end with one URGENT item."
ESCALATION_LAST: Item = ("URGENT", "infection_worse")

#: §7.4, in order.
SAFETY_NET: tuple[str, ...] = ("fast", "cannot_tell", "trust", "say_sepsis", "pregnant")


def escalation_group(m: float | None) -> EscalationGroup:
    """Which §7.5 list applies: by ``m``, or ``unknown`` without an age."""
    if m is None:
        return "unknown"
    if m < th.UNDER_5_END:
        return "under_5"
    return "5_to_11" if m < th.CHILD_END else "12_plus"


def escalation_items(group: EscalationGroup) -> tuple[Item, ...]:
    """§7.5 items for ``group``, ending with the "infection gets worse" item.

    Age unknown: the 12-and-over items, then the under-5 items not already listed
    (items with the same text share a catalogue key, so "not already listed" is by key).
    """
    if group == "unknown":
        items: list[Item] = list(ESCALATION["12_plus"])
        items += [item for item in ESCALATION["under_5"] if item[1] not in {k for _, k in items}]
    else:
        items = list(ESCALATION[group])
    return (*items, ESCALATION_LAST)
