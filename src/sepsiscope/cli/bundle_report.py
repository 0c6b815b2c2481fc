"""The printable bundle report of ``sepsiscope bundle --report DIR``: one HTML page and its PNG plots.

For a quality team: time to antibiotics and to blood cultures from time zero, compliance by
element (met / not met / unknown among applicable encounters), compliance by month and the
all-or-none rate (adult-scores.md §4.3 "compliant"). Plots use matplotlib's Agg canvas directly
(no pyplot, no GUI backend), as the model report does.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sepsiscope.cohort.bundles import BUNDLES

_TITLES = {"ssc_hour1": "Surviving Sepsis Campaign hour-1 bundle (Levy 2018)", "sep1": "CMS SEP-1 (manual 5.3)"}


def _save(fig: Figure, path: Path) -> str:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path.name


def _minutes(result: pl.DataFrame, element: str) -> np.ndarray:
    col = f"{element}_time"
    if col not in result.columns:
        return np.zeros(0)
    delta = result.select(((pl.col(col) - pl.col("t0")).dt.total_seconds() / 60).alias("m")).drop_nulls()
    return delta.get_column("m").to_numpy()


def _histogram(values: np.ndarray, title: str, due_min: float, path: Path) -> str:
    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    if values.size:
        ax.hist(values, bins=30, color="#4878a8")
    ax.axvline(0, color="black", linewidth=1)
    ax.axvline(due_min, color="#b03030", linestyle="--", label=f"deadline (T0 + {due_min / 60:g} h)")
    ax.set(title=f"{title} (n = {values.size})", xlabel="minutes from time zero", ylabel="encounters")
    ax.legend(loc="upper right", fontsize=8)
    return _save(fig, path)


def _by_element(
    result: pl.DataFrame, elements: tuple[str, ...], path: Path
) -> tuple[str, list[tuple[str, int, int, int]]]:
    rows = []
    for name in elements:
        applicable = result.filter(pl.col(f"{name}_applicable").fill_null(False))
        met = int(applicable.get_column(f"{name}_met").eq(True).sum())
        not_met = int(applicable.get_column(f"{name}_met").eq(False).sum())
        rows.append((name, met, not_met, applicable.height - met - not_met))
    fig = Figure(figsize=(6.5, 0.5 + 0.45 * len(elements)))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for k, (label, color) in enumerate((("met", "#3a8a4a"), ("not met", "#b03030"), ("unknown", "#aaaaaa"))):
        counts = np.array([r[k + 1] for r in rows], dtype=float)
        ax.barh(y, counts, left=left, color=color, label=label)
        left += counts
    ax.set_yticks(y, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set(title="Compliance by element (applicable encounters)", xlabel="encounters")
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path), rows


def _over_time(result: pl.DataFrame, path: Path) -> tuple[str, pl.DataFrame]:
    monthly = (
        result.filter(pl.col("t0").is_not_null())
        .with_columns(pl.col("t0").dt.truncate("1mo").alias("month"))
        .group_by("month")
        .agg(pl.len().alias("n"), pl.col("compliant").eq(True).sum().alias("compliant_n"))
        .sort("month")
    )
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    if monthly.height:
        rate = monthly.get_column("compliant_n") / monthly.get_column("n")
        ax.plot(monthly.get_column("month").to_list(), rate.to_list(), marker="o", color="#4878a8")
    ax.set(title="All-or-none compliance by month of time zero", ylabel="compliant share", ylim=(0, 1))
    fig.autofmt_xdate()
    return _save(fig, path), monthly


def write_bundle_report(result: pl.DataFrame, bundle: str, out_dir: Path) -> Path:
    """Write ``index.html`` and its plots for a :func:`~sepsiscope.cohort.bundles.bundles_of` table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    elements = BUNDLES[bundle]
    due = 60.0 if bundle == "ssc_hour1" else 180.0
    abx = _histogram(_minutes(result, "antibiotics"), "Time to antibiotics", due, out_dir / "time_to_antibiotics.png")
    cx = _histogram(_minutes(result, "blood_cultures"), "Time to blood cultures", due, out_dir / "time_to_cultures.png")
    by_element, counts = _by_element(result, elements, out_dir / "compliance_by_element.png")
    over_time, monthly = _over_time(result, out_dir / "compliance_over_time.png")
    with_t0 = result.filter(pl.col("t0").is_not_null())
    decided = with_t0.filter(pl.col("compliant").is_not_null())
    share = decided.get_column("compliant").cast(pl.Float64).mean()
    rate = f"{float(share):.1%}" if decided.height and share is not None else "n/a"  # type: ignore[arg-type]
    rows = "".join(f"<tr><td>{html.escape(n)}</td><td>{m}</td><td>{x}</td><td>{u}</td></tr>" for n, m, x, u in counts)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(_TITLES[bundle])}</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:2em auto}} img{{max-width:100%}}
table{{border-collapse:collapse}} td,th{{border:1px solid #999;padding:.2em .6em;text-align:right}}
@media print{{img{{page-break-inside:avoid}}}}</style></head><body>
<h1>{html.escape(_TITLES[bundle])}</h1>
<p>{result.height:,} encounters; {with_t0.height:,} with a time zero; {decided.height:,} decided.
<strong>All-or-none compliance: {rate}</strong> (encounters whose every applicable element was met;
an element without the data to decide leaves the encounter undecided, shared/docs/clinical/adult-scores.md §4.3).</p>
<h2>Compliance by element</h2><img src="{by_element}" alt="compliance by element">
<table><tr><th>element</th><th>met</th><th>not met</th><th>unknown</th></tr>{rows}</table>
<h2>Time to antibiotics</h2><img src="{abx}" alt="time to antibiotics">
<h2>Time to blood cultures</h2><img src="{cx}" alt="time to blood cultures">
<h2>Compliance over time</h2><img src="{over_time}" alt="compliance over time">
<p>{monthly.height} months. Routine data cannot show whether fluid resuscitation was adequate, whether
a culture was taken before an antibiotic given elsewhere, or documented reasons for exceptions; see
docs/bundles.md.</p>
</body></html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
