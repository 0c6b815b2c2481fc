"""Draw the worked-patient timelines of docs/sepsis3.md and docs/bundles.md.

Run: .venv/bin/python scripts/sepsis3_timeline.py

The patient is the synthetic ``shock_60_min_rule`` archetype of ``sepsiscope.synth.clinical_events``
(seed 0), run through the same functions the CLI uses. Plots use matplotlib's Agg canvas.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import polars as pl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sepsiscope.cohort.sepsis3 import episodes_of, hourly_sofa, hours_of, patient_table, patients
from sepsiscope.scores.bundles import ssc_hour1, time_zero
from sepsiscope.synth.clinical_events import ARCHETYPES, generate_clinical_events

DOCS = Path(__file__).resolve().parents[1] / "docs"
ARCHETYPE = "shock_60_min_rule"


def _h(t: datetime, admit: datetime) -> float:
    return (t - admit).total_seconds() / 3600


def _mark(ax: Axes, x: float, label: str, color: str, y: float) -> None:
    ax.axvline(x, color=color, linestyle="--", linewidth=1)
    ax.text(x + 0.15, y, label, color=color, fontsize=8, rotation=90, va="top")


def main() -> None:
    synth = generate_clinical_events(len(ARCHETYPES), seed=0)
    pid = f"e{ARCHETYPES.index(ARCHETYPE):06d}"
    events = synth.events.filter(pl.col("patient_id") == pid)
    admit = synth.truth.filter(pl.col("patient_id") == pid).get_column("admission")[0]
    long = patient_table(events, hourly_sofa(events))
    episode = episodes_of(long).row(0, named=True)
    hours = hours_of(long).filter(pl.col("hour") <= 30)
    x = [float(h) for h in hours.get_column("hour")]

    fig = Figure(figsize=(9, 4.2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.step(x, hours.get_column("sofa_total").to_list(), where="post", color="#4878a8", label="SOFA (24-h window)")
    shock = [h for h, s in zip(x, hours.get_column("septic_shock"), strict=True) if s]
    septic = [h for h, s in zip(x, hours.get_column("sepsis"), strict=True) if s]
    if septic:
        ax.axvspan(min(septic) - 1, max(septic), color="#f2d0a0", alpha=0.35, label="sepsis hours")
    if shock:
        ax.axvspan(min(shock) - 1, max(shock), color="#d05050", alpha=0.25, label="septic shock hours")
    for e in events.iter_rows(named=True):
        t = _h(e["time"], admit)
        if e["kind"] == "vasopressor":
            ax.hlines(-0.4, t, 30, color="#7a3a9a", linewidth=4, label="vasopressin running")
        elif e["kind"] == "measurement" and e["code"] == "lactate":
            ax.plot([t], [3.0], marker="D", color="#b03030", linestyle="none", label=f"lactate {e['value']} mmol/L")
    for key, label, color in (("t_si", "t_SI (antibiotic)", "#2a7a2a"), ("t_sofa", "t_SOFA", "#4878a8")):
        _mark(ax, _h(episode[key], admit), label, color, 3.3)
    _mark(ax, _h(episode["t_culture"], admit), "culture", "#2a7a2a", 2.2)
    ax.set(xlim=(0, 30), ylim=(-0.8, 3.5), xlabel="hours since ICU admission (grid hour = its end)", ylabel="SOFA")
    ax.set_title(
        f"Synthetic patient {pid}: Sepsis-3 onset {_h(episode['t_onset'], admit):.2f} h, shock from hour "
        f"{int(min(shock)) if shock else '-'}",
        fontsize=10,
    )
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(DOCS / "sepsis3_timeline.png", dpi=100)

    (p,) = list(patients(long))
    t0 = time_zero(p.events, episode["t_onset"])
    report = ssc_hour1(p.events, t0)
    fig = Figure(figsize=(9, 3.2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names = list(report.elements)
    for i, name in enumerate(names):
        el = report.elements[name]
        color = {True: "#3a8a4a", False: "#b03030", None: "#aaaaaa"}[el.met] if el.applicable else "#dddddd"
        ax.barh(i, 1, left=_h(el.deadline, admit) - 1, color="#eeeeee", edgecolor="#999999")
        if el.time is not None:
            ax.plot([_h(el.time, admit)], [i], marker="o", color=color, markersize=9)
        state = "n/a" if not el.applicable else {True: "met", False: "not met", None: "unknown"}[el.met]
        ax.text(_h(el.deadline, admit) + 0.2, i, state, va="center", fontsize=8, color=color)
    ax.axvline(_h(t0, admit), color="black", linewidth=1)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set(
        xlim=(_h(t0, admit) - 8, _h(t0, admit) + 4),
        xlabel="hours since ICU admission (grey box: the hour before the deadline; black line: time zero)",
    )
    ax.set_title(
        f"SSC hour-1 bundle for {pid}: time zero = Sepsis-3 onset, compliant = {report.compliant}", fontsize=10
    )
    fig.tight_layout()
    fig.savefig(DOCS / "bundle_timeline.png", dpi=100)
    sys.stdout.write(f"wrote {DOCS / 'sepsis3_timeline.png'} and {DOCS / 'bundle_timeline.png'}\n")


if __name__ == "__main__":
    main()
