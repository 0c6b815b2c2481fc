"""``sepsiscope demo --table``: a seeded synthetic ward, scored, ranked by who needs a look first.

The ranking uses the bedside scores only (NEWS2 risk band first, as RCP 2017 Chart 2 sets
the clinical response; then qSOFA and SIRS flags, then SOFA). Every rule comes from
``sepsiscope.scores`` through the cohort engine; this module only arranges the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sepsiscope.cohort import carried_values, score_table
from sepsiscope.scores.registry import SCORES
from sepsiscope.synth import generate_ward

RISK_ORDER = {"high": 4, "medium": 3, "low-medium": 2, "low": 1}
RISK_STYLE = {"high": "bold white on red", "medium": "bold black on dark_orange", "low-medium": "black on yellow"}
TREND_HOURS = 6
#: A NEWS2 rise of this much over TREND_HOURS is highlighted.
TREND_ALERT = 3
#: Show a component among the reasons when it scores at least this many points.
NEWS2_REASON_POINTS = 2
NOT_A_DEVICE = (
    "Synthetic patients. sepsiscope supports, and never replaces, clinical judgement; it is not a medical device."
)


@dataclass(frozen=True)
class WardRow:
    """One patient's latest hour, ready to print."""

    bed: str
    label: str
    hour: int
    news2: int | None
    news2_partial: int
    risk: str | None
    trend: int | None
    qsofa_positive: bool | None
    sirs_positive: bool | None
    sofa: int | None
    reasons: list[str]
    missing: list[str]


SHORT = {
    "resp_rate": "RR",
    "spo2": "SpO2",
    "supplemental_o2": "oxygen",
    "sbp": "SBP",
    "heart_rate": "HR",
    "consciousness": "ACVPU",
    "temp_c": "temp",
    "temperature": "temp",
    "respiratory": "RR/PaCO2",
    "wbc": "WBC",
    "mentation": "mentation",
    "respiration": "resp",
    "coagulation": "coag",
    "liver": "liver",
    "cardiovascular": "CV",
    "cns": "CNS",
    "renal": "renal",
}
UNITS = {"heart_rate": "/min", "resp_rate": "/min", "temp_c": "°C", "sbp": "", "spo2": "%"}


def _fmt_value(name: str, value: object) -> str:
    if isinstance(value, float):
        value = int(value) if value.is_integer() else round(value, 1)
    return f"{value}{UNITS.get(name, '')}"


def _met(score: str, rec: dict, at_least: int = 1) -> list[str]:
    return [SHORT[c.name] for c in SCORES[score].components if (rec[f"{score}_{c.name}"] or 0) >= at_least]


def _reasons(rec: dict) -> list[str]:
    """Why a patient ranks where it does, in the words of each score's components."""
    parts = []
    for comp in SCORES["news2"].components:
        pts = rec[f"news2_{comp.name}"]
        if pts is not None and pts >= NEWS2_REASON_POINTS:
            var = comp.inputs[0]
            shown = "on O2" if comp.name == "supplemental_o2" else f"{SHORT[var]} {_fmt_value(var, rec.get(var))}"
            parts.append(f"{shown} (+{pts})")
    reasons = [f"NEWS2: {', '.join(parts)}"] if parts else []
    if rec["qsofa_positive"]:
        reasons.append(f"qSOFA: {', '.join(_met('qsofa', rec))}")
    if rec["sirs_positive"]:
        reasons.append(f"SIRS: {', '.join(_met('sirs', rec))}")
    organs = _met("sofa", rec, 2)
    if organs:
        reasons.append(f"SOFA ≥2 in {', '.join(organs)}")
    if rec.get("norepinephrine"):
        reasons.append(f"norepinephrine {rec['norepinephrine']:.2f} µg/kg/min")
    return reasons


def build_rows(table: pl.DataFrame, truth: pl.DataFrame) -> list[WardRow]:
    """Latest hour of each patient with its scores, trend and reasons, highest risk first."""
    scored = score_table(table)
    values = carried_values(table)
    both = pl.concat([scored, values.drop("patient_id", "hour")], how="horizontal")
    latest = both.group_by("patient_id", maintain_order=True).last()
    prior = both.join(latest.select("patient_id", pl.col("hour").alias("_last")), on="patient_id")
    prior = (
        prior.filter(pl.col("hour") <= pl.col("_last") - TREND_HOURS)
        .group_by("patient_id")
        .agg(pl.col("news2_partial").last().alias("_before"))
    )
    latest = latest.join(prior, on="patient_id", how="left").join(truth, on="patient_id", how="left")
    rows = []
    for rec in latest.iter_rows(named=True):
        before = rec["_before"]
        rows.append(
            WardRow(
                bed=rec["bed"],
                label=rec["label"],
                hour=rec["hour"],
                news2=rec["news2_total"],
                news2_partial=rec["news2_partial"],
                risk=rec["news2_risk"],
                trend=None if before is None else rec["news2_partial"] - before,
                qsofa_positive=rec["qsofa_positive"],
                sirs_positive=rec["sirs_positive"],
                sofa=rec["sofa_total"],
                reasons=_reasons(rec),
                missing=rec["news2_missing"],
            )
        )
    rows.sort(
        key=lambda r: (
            RISK_ORDER.get(r.risk or "", 0),
            r.news2_partial,
            bool(r.qsofa_positive),
            bool(r.sirs_positive),
            r.sofa or 0,
        ),
        reverse=True,
    )
    return rows


def _flag(value: bool | None) -> Text:
    if value is None:
        return Text("?", style="dim")
    return Text("yes", style="bold red") if value else Text("no", style="green")


def render(rows: list[WardRow], title: str) -> Group:
    """Rich renderable: the ranked ward table, why each flagged patient ranks there, the notice."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (
        ("#", "right"),
        ("Bed", "left"),
        ("NEWS2", "right"),
        ("Risk", "left"),
        ("Δ6h", "right"),
        ("qSOFA", "left"),
        ("SIRS", "left"),
        ("SOFA", "right"),
        ("Working label", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=name != "Working label")  # type: ignore[arg-type]
    why = Text()
    for i, row in enumerate(rows, start=1):
        news2 = str(row.news2) if row.news2 is not None else f"≥{row.news2_partial}"
        trend = "" if row.trend is None else f"{row.trend:+d}"
        risk = row.risk or "incomplete"
        table.add_row(
            str(i),
            row.bed,
            news2,
            Text(risk, style=RISK_STYLE.get(risk, "")),
            Text(trend, style="bold red" if (row.trend or 0) >= TREND_ALERT else ""),
            _flag(row.qsofa_positive),
            _flag(row.sirs_positive),
            "" if row.sofa is None else str(row.sofa),
            row.label,
        )
        if RISK_ORDER.get(row.risk or "", 0) >= RISK_ORDER["low-medium"] or row.qsofa_positive:
            why.append(f"{i:>2} {row.bed}: ", style="bold")
            why.append("; ".join(row.reasons) or "no single criterion met", style="")
            why.append("\n")
    legend = Text(
        "NEWS2 '≥n': an input is missing, n is what could be scored. Risk: RCP NEWS2 2017 Chart 2. "
        "qSOFA/SIRS '?': cannot tell from the data present. Δ6h: NEWS2 change over 6 hours.\n" + NOT_A_DEVICE,
        style="dim",
    )
    why.rstrip()
    body = why if why.plain else Text("nobody at low-medium risk or above")
    return Group(table, Panel(body, title="Why", title_align="left"), legend)


def run_demo(*, patients: int = 16, hours: int = 36, seed: int = 7) -> Group:
    """Generate, score and rank a synthetic ward."""
    ward = generate_ward(patients, hours, seed=seed)
    rows = build_rows(ward.table, ward.truth.select("patient_id", "bed", "label"))
    title = f"Synthetic ward (seed {seed}): {patients} patients, hour {hours} — who needs a look first"
    return render(rows, title)
