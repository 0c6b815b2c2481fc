"""The evaluation report: ``metrics.json``, a self-contained ``index.html`` and five PNG plots.

Plots are drawn with matplotlib's Agg canvas directly (no pyplot, no GUI backend, no global state):
ROC, precision-recall, calibration, normalized utility against threshold, and alert burden
(alerts per patient-day against threshold; share of septic patients' hours alerting by hour from
onset). Every number comes from :mod:`sepsiscope.model.metrics`. The report consumes an
:class:`~sepsiscope.model.evaluate.EvaluationResult`; ``evaluate`` does not know the report exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from jinja2 import Environment
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sepsiscope import __version__
from sepsiscope.model import metrics
from sepsiscope.model.evaluate import METRICS, EvaluationResult, format_value

THRESHOLDS = np.linspace(0.0, 1.0, 101)
ONSET_HOURS = np.arange(-24, metrics.CHALLENGE_2019.dt_late + 1)


@dataclass(frozen=True)
class _Plot:
    file: str
    title: str
    caption: str
    draw: Callable[[Figure, EvaluationResult], None]


def write_report(result: EvaluationResult, out_dir: str | Path) -> list[Path]:
    """Write ``metrics.json``, ``index.html`` and the PNG plots into ``out_dir`` (created if needed).

    Returns the files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "metrics.json"]
    written[0].write_text(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for plot in _PLOTS:
        fig = Figure(figsize=(9, 4) if plot.file == "alert_burden.png" else (5, 4.5), layout="constrained")
        FigureCanvasAgg(fig)
        plot.draw(fig, result)
        fig.savefig(out / plot.file, dpi=100, format="png", metadata={"Software": None})
        written.append(out / plot.file)
    html = (
        Environment(autoescape=True)
        .from_string(_TEMPLATE)
        .render(
            metrics=[
                {"key": k, "value": format_value(result.metrics.get(k)), "description": d} for k, d in METRICS.items()
            ],
            calibration=[
                {
                    "range": f"{b.lower:.3f}–{b.upper:.3f}",
                    "rows": f"{b.rows:,}",
                    "expected": f"{b.expected:.1f}",
                    "observed": f"{b.observed:,}",
                    "mean_predicted": f"{b.mean_predicted:.4f}",
                    "observed_rate": f"{b.observed_rate:.4f}",
                }
                for b in result.calibration.bins
            ],
            brier=format_value(result.calibration.brier_score),
            plots=_PLOTS,
            notes=result.notes,
            labels=result.labels_source,
            predictions=result.predictions_source,
            params=metrics.CHALLENGE_2019,
            version=__version__,
        )
    )
    (out / "index.html").write_text(html, encoding="utf-8")
    written.append(out / "index.html")
    return written


def _arrays(result: EvaluationResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = result.rows
    return rows["label"].to_numpy(), rows["probability"].to_numpy(), rows["prediction"].to_numpy()


def _undefined(ax: Axes, why: str) -> None:
    ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, wrap=True)


def _roc(fig: Figure, result: EvaluationResult) -> None:
    y, prob, _ = _arrays(result)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="0.7", linestyle="--", label="chance")
    fpr, tpr, _ = metrics.roc_curve(y, prob)
    if np.isnan(fpr).any() or np.isnan(tpr).any():
        _undefined(ax, "not defined: needs labelled and unlabelled hours")
    else:
        ax.plot(fpr, tpr, color="C0", label=f"AUROC {format_value(result.metrics['auroc'])}")
        ax.legend(loc="lower right")
    ax.set(xlabel="false positive rate (1 − specificity)", ylabel="true positive rate (sensitivity)")
    ax.set(title="ROC, patient-hours", xlim=(0, 1), ylim=(0, 1.01))


def _precision_recall(fig: Figure, result: EvaluationResult) -> None:
    y, prob, _ = _arrays(result)
    ax = fig.add_subplot()
    precision, recall, _ = metrics.precision_recall_curve(y, prob)
    if not len(recall) or np.isnan(recall).any():
        _undefined(ax, "not defined: no labelled hours")
    else:
        ax.step(np.r_[0.0, recall], np.r_[precision[0], precision], where="pre", color="C0",
                label=f"AUPRC {format_value(result.metrics['auprc'])}")  # fmt: skip
        ax.axhline(float(y.mean()), color="0.7", linestyle="--", label=f"prevalence {y.mean():.3f}")
        ax.legend(loc="upper right")
    ax.set(xlabel="recall (sensitivity)", ylabel="precision (PPV)", title="Precision-recall, patient-hours")
    ax.set(xlim=(0, 1), ylim=(0, 1.01))


def _calibration(fig: Figure, result: EvaluationResult) -> None:
    ax = fig.add_subplot()
    bins = result.calibration.bins
    top = max([b.mean_predicted for b in bins] + [b.observed_rate for b in bins] + [0.01])
    ax.plot([0, top], [0, top], color="0.7", linestyle="--", label="perfect calibration")
    ax.plot([b.mean_predicted for b in bins], [b.observed_rate for b in bins], "o-", color="C0",
            label="deciles of predicted risk")  # fmt: skip
    ax.set(xlabel="mean predicted probability", ylabel="observed share labelled", title="Calibration")
    ax.legend(loc="upper left", title=f"Brier {format_value(result.calibration.brier_score)}")


def _utility(fig: Figure, result: EvaluationResult) -> None:
    y, prob, _ = _arrays(result)
    ax = fig.add_subplot()
    curve = metrics.utility_curve(y, prob, result.rows["patient_id"], THRESHOLDS)
    if np.isnan(curve).all():
        _undefined(ax, "not defined: no septic patient")
    else:
        ax.plot(THRESHOLDS, curve, color="C0", label="alert at probability ≥ threshold")
        best = int(np.nanargmax(curve))
        ax.plot(
            THRESHOLDS[best], curve[best], "o", color="C1", label=f"best {curve[best]:.3f} at {THRESHOLDS[best]:.2f}"
        )
        ax.axhline(result.metrics["normalized_utility"], color="C2", linestyle="--", label="PredictedLabel as given")
        ax.legend(loc="lower right")
    ax.axhline(0, color="0.7", linewidth=0.8)
    ax.set(xlabel="threshold", ylabel="normalized utility", title="Utility against threshold", xlim=(0, 1))


def _alert_burden(fig: Figure, result: EvaluationResult) -> None:
    y, prob, alert = _arrays(result)
    left, right = fig.subplots(1, 2)
    left.plot(THRESHOLDS, metrics.alert_burden_curve(prob, THRESHOLDS), color="C0")
    left.axhline(result.metrics["alerts_per_patient_day"], color="C2", linestyle="--", label="PredictedLabel as given")
    left.set(xlabel="threshold", ylabel="alerts per patient-day", title="Alert burden against threshold", xlim=(0, 1))
    left.legend(loc="upper right")
    d = metrics.hours_from_onset(y, result.rows["patient_id"])
    shares = []
    for h in ONSET_HOURS:
        at = d == h
        shares.append(float(alert[at].mean()) if at.any() else np.nan)
    right.bar(ONSET_HOURS, shares, color="C0", width=0.8)
    p = metrics.CHALLENGE_2019
    right.axvspan(p.dt_early - 0.5, p.dt_late + 0.5, color="C2", alpha=0.12, label="rewarded window")
    right.axvline(p.dt_optimal, color="C2", linestyle="--", label="optimal (−6 h)")
    right.set(xlabel="hours from onset (onset = first label + 6 h)", ylabel="share of septic patients alerting",
              title="Septic patients: alerts by hour", ylim=(0, 1))  # fmt: skip
    right.legend(loc="upper left")


_PLOTS = (
    _Plot("roc.png", "ROC curve", "ROC: every patient-hour, probability against SepsisLabel.", _roc),
    _Plot(
        "precision_recall.png", "Precision-recall curve", "Precision against recall, patient-hours.", _precision_recall
    ),
    _Plot(
        "calibration.png",
        "Calibration",
        "Mean predicted probability against the observed share labelled, by decile of predicted risk.",
        _calibration,
    ),
    _Plot(
        "utility_threshold.png",
        "Utility against threshold",
        "Normalized utility if alerts were probability ≥ threshold; dashed: the PredictedLabel column as given.",
        _utility,
    ),
    _Plot(
        "alert_burden.png",
        "Alert burden",
        "Left: alerts per patient-day by threshold. Right: share of septic patients alerting at each hour from onset.",
        _alert_burden,
    ),
)

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sepsiscope evaluation</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
.notice { background: #fff4d6; border-left: 4px solid #d9a400; padding: .6rem 1rem; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { display: inline-block; margin: 0 1rem 1.5rem 0; max-width: 100%; }
img { max-width: 100%; }
footer { color: #666; font-size: .9rem; margin-top: 2rem; }
</style>
</head>
<body>
<h1>Early-warning evaluation</h1>
<p class="notice"><strong>This report supports, never replaces clinical judgement.</strong>
sepsiscope is not a medical device.</p>
<p>Labels: <code>{{ labels }}</code><br>Predictions: <code>{{ predictions }}</code></p>

<h2>Metrics</h2>
<table>
<thead><tr><th>metric</th><th>value</th><th>meaning</th></tr></thead>
<tbody>
{% for m in metrics %}<tr><td><code>{{ m.key }}</code></td><td class="num">{{ m.value }}</td>
<td>{{ m.description }}</td></tr>
{% endfor %}</tbody>
</table>
{% if notes %}<h2>Notes</h2>
<ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>
{% endif %}
<h2>Plots</h2>
{% for p in plots %}<figure><img src="{{ p.file }}" alt="{{ p.title }}">
<figcaption>{{ p.caption }}</figcaption></figure>
{% endfor %}
<h2>Calibration by decile of predicted risk</h2>
<table>
<thead><tr><th>probability range</th><th>rows</th><th>expected positives</th><th>observed positives</th>
<th>mean predicted</th><th>observed rate</th></tr></thead>
<tbody>
{% for b in calibration %}<tr><td>{{ b.range }}</td><td class="num">{{ b.rows }}</td>
<td class="num">{{ b.expected }}</td><td class="num">{{ b.observed }}</td>
<td class="num">{{ b.mean_predicted }}</td><td class="num">{{ b.observed_rate }}</td></tr>
{% endfor %}</tbody>
</table>
<p>Brier score: {{ brier }}</p>

<h2>How the utility is scored</h2>
<p>As in the PhysioNet/CinC 2019 challenge. A patient is septic if any SepsisLabel is 1; onset is the first
labelled hour + 6 h (labels start 6 h before onset). An alert on a septic patient earns up to
{{ params.max_u_tp }} at {{ -params.dt_optimal }} h before onset, falling to 0 at {{ -params.dt_early }} h before
and at {{ params.dt_late }} h after; alerts earlier than that cost {{ -params.u_fp }}. A septic hour without an
alert after the optimal time costs up to {{ -params.min_u_fn }} at {{ params.dt_late }} h after onset; hours
later than that count for nothing. Each alert on a patient who never becomes septic costs
{{ -params.u_fp }}. The total is scaled so that the best possible alerts score 1 and never alerting
scores 0.</p>
<footer>sepsiscope {{ version }}. Reyna MA et al. Early Prediction of Sepsis From Clinical Data: the
PhysioNet/Computing in Cardiology Challenge 2019. Crit Care Med 2020;48(2):210–217.</footer>
</body>
</html>
"""
