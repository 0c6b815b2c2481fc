"""Early-warning model commands: ``train``, ``predict`` and ``evaluate``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from sepsiscope.cli.inputs import read_input
from sepsiscope.cli.shared import err, exit_code, fail, require_extra
from sepsiscope.errors import SepsiscopeError


def train(
    data: Annotated[Path, typer.Argument(help="Labelled training data: PhysioNet folder or zip, or a wide table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")],
    features: Annotated[
        str,
        typer.Option(
            help="Feature set: all-lab_trends (default: physiology, charting recency and ICU context, "
            "without lab trends), all (with them), all+baseline, physiology+measurement, physiology."
        ),
    ] = "all-lab_trends",
    alerts_per_patient_day: Annotated[
        float | None,
        typer.Option(help="Choose the threshold to meet this alert budget instead of maximising utility."),
    ] = None,
    threshold_rule: Annotated[
        str,
        typer.Option(
            help="utility: best out-of-fold utility on the training data (default); "
            "robust: best worst-case utility if sepsis is up to half as common elsewhere."
        ),
    ] = "utility",
    folds: Annotated[int, typer.Option(help="Patient-grouped cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed (same data + seed = same model).")] = 2019,
    rounds: Annotated[int, typer.Option(help="Boosting rounds (the most, with --early-stopping).")] = 300,
    early_stopping: Annotated[
        bool,
        typer.Option(help="Rounds of the lowest mean held-out log-loss over the patient-grouped folds (default)."),
    ] = True,
    patience: Annotated[
        int,
        typer.Option(help="With --early-stopping: stop a fold model after this many rounds without gain (0: never)."),
    ] = 30,
    bag: Annotated[
        int,
        typer.Option(min=1, max=10, help="Seed-bag: each model is this many boosters merged into one (K× the time)."),
    ] = 3,
    lab_thinning: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=0.95,
            help="Also fit on a copy of every stay with up to this share of its lab draws removed "
            "(a hospital that draws labs less often; 0: off).",
        ),
    ] = 0.0,
    target: Annotated[
        Literal["label", "utility"],
        typer.Option(
            help="What the trees are fitted to: label (SepsisLabel, default) or utility (each hour's "
            "gain from alerting under the challenge utility, as its weight; not with --lab-thinning)."
        ),
    ] = "label",
    engine: Annotated[
        Literal["embedded", "spark"], typer.Option(help="Feature engine: embedded or spark.")
    ] = "embedded",
    spark_master: Annotated[str | None, typer.Option(help="Spark master URL (with --engine spark).")] = None,
    oof_out: Annotated[
        Path | None,
        typer.Option(help="Also write the out-of-fold predictions here (PhysioNet format) for `sepsiscope evaluate`."),
    ] = None,
) -> None:
    """Train the early-warning model (LightGBM) with patient-grouped cross-validation.

    Prints the cross-validated figures; the threshold is chosen on out-of-fold predictions
    to maximise the PhysioNet 2019 normalized utility (or to meet --alerts-per-patient-day).
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sepsiscope.model.train import TrainConfig
    from sepsiscope.model.train import train as train_model

    if engine == "spark":
        require_extra("spark", "--engine spark")  # before any reading
    try:
        config = TrainConfig(
            features=features,
            folds=folds,
            seed=seed,
            rounds=rounds,
            early_stopping=early_stopping,
            patience=patience,
            bag=bag,
            lab_thinning=lab_thinning,
            target=target,
            alerts_per_patient_day=alerts_per_patient_day,
            threshold_rule=threshold_rule,
            engine=engine,
            spark_master=spark_master,
        )
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    result = read_input(data, "error", "clean", None, hint="fix the file: training needs every row")
    err.print(result.report.summary(), highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err) as bars:  # fmt: skip
        tasks: dict[str, object] = {}

        def tick(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total)
            bars.update(tasks[step], completed=done)  # type: ignore[arg-type]

        try:
            trained = train_model(result.table, config, tick)
        except (SepsiscopeError, ValueError) as exc:
            raise fail(str(exc), exit_code(exc) if isinstance(exc, SepsiscopeError) else 1) from None
    trained.artifact.save(out)
    if oof_out is not None:
        import numpy as np
        import polars as pl

        from sepsiscope.io.predictions import write_prediction_dir

        oof = pl.DataFrame(
            {
                "patient_id": trained.patient_id,
                "probability": trained.oof_probability,
                "label": (trained.oof_probability >= trained.artifact.threshold).astype(np.int8),
            }
        )
        write_prediction_dir(oof, oof_out, overwrite=True)
    cv = trained.cv
    err.print(
        f"cross-validated ({folds} folds, patient-grouped): utility {cv['normalized_utility']:.3f}, "
        f"AUROC {cv['auroc']:.3f}, AUPRC {cv['auprc']:.3f}, {cv['alerts_per_patient_day']:.2f} alerts/patient-day; "
        f"threshold {trained.artifact.threshold:.4f} ({trained.artifact.threshold_rule})",
        highlight=False,
    )
    err.print(f"model written to {out}", highlight=False)


def predict(
    input: Annotated[Path, typer.Argument(help="PhysioNet folder or zip of p*.psv (SepsisLabel is never read).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for one prediction file per patient.")],
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the model shipped inside).")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also write OUT/explanations.jsonl: top reasons for every alert.")
    ] = False,
    abstain: Annotated[
        bool,
        typer.Option(
            "--abstain",
            help="Mark hours whose inputs are far from the training data indeterminate: no alert, and a reason "
            "in OUT/indeterminate.jsonl (the model's conformal check).",
        ),
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace prediction files already in OUT.")] = False,
    engine: Annotated[
        Literal["embedded", "spark"], typer.Option(help="Feature engine: embedded or spark.")
    ] = "embedded",
    spark_master: Annotated[str | None, typer.Option(help="Spark master URL (with --engine spark).")] = None,
) -> None:
    """Predict sepsis risk for every patient-hour, each from that hour and earlier only.

    Writes OUT/<patient>.psv with header PredictedProbability|PredictedLabel, one row per input row.
    """

    from sepsiscope.io.predictions import write_prediction_dir
    from sepsiscope.model.artifact import ModelArtifact, load_default
    from sepsiscope.model.predict import predict_table

    started = time.perf_counter()
    if engine == "spark":
        require_extra("spark", "--engine spark")  # before any reading
    try:
        artifact = ModelArtifact.load(model) if model else load_default()
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None
    result = read_input(input, "error", "clean", None, hint="fix the file: every input row needs a prediction")
    err.print(result.report.summary(), highlight=False)
    try:
        with err.status(f"predicting {result.table.height:,} patient-hours"):
            preds = predict_table(
                artifact,
                result.table.drop("sepsis_label", strict=False),
                explain=explain,
                abstain=abstain,
                engine=engine,
                spark_master=spark_master,
            )
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None
    try:
        write_prediction_dir(preds.frame.drop("indeterminate", strict=False), out, overwrite=overwrite)
    except SepsiscopeError as exc:
        raise fail(str(exc), 2, "pass --overwrite to replace earlier predictions") from None
    if explain:
        with (out / "explanations.jsonl").open("w", encoding="utf-8") as fh:
            for item in preds.explanations:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    if abstain:
        with (out / "indeterminate.jsonl").open("w", encoding="utf-8") as fh:
            for item in preds.indeterminate:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    alerts = int(preds.frame.get_column("label").sum())
    unsure = f", {len(preds.indeterminate):,} indeterminate hours" if abstain else ""
    err.print(
        f"wrote predictions for {preds.frame.get_column('patient_id').n_unique():,} patients "
        f"({preds.frame.height:,} rows, {alerts:,} alert hours{unsure}) to {out} "
        f"in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


def evaluate(
    labels: Annotated[
        Path, typer.Argument(help="Labels: PhysioNet folder or zip of p*.psv, or a table with sepsis_label.")
    ],
    pred_dir: Annotated[
        Path, typer.Argument(help="Folder of PhysioNet prediction files (PredictedProbability|PredictedLabel).")
    ],
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write an HTML report with PNG plots into this folder.")
    ] = None,
) -> None:
    """Score predictions the PhysioNet/CinC 2019 way: normalized utility, AUROC, AUPRC, alert burden.

    Prints the metrics as a table on stderr and as JSON on stdout. Each patient needs a prediction
    file named like its input file, one row per input row, in the same order.
    """
    from rich.table import Table

    from sepsiscope.model.evaluate import METRICS, format_value
    from sepsiscope.model.evaluate import evaluate as run_evaluation

    try:
        with err.status(f"evaluating {pred_dir} against {labels}"):
            result = run_evaluation(labels, pred_dir)
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None
    table = Table(title="sepsiscope evaluate (supports, never replaces, clinical judgement)", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("meaning", style="dim")
    for key, meaning in METRICS.items():
        table.add_row(key, format_value(result.metrics.get(key)), meaning)
    err.print(table)
    for note in result.notes:
        err.print(f"[dim]note:[/] {note}", highlight=False, soft_wrap=True)
    sys.stdout.write(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
    if report is not None:
        from sepsiscope.model.report import write_report

        with err.status(f"writing the report to {report}"):
            write_report(result, report)
        err.print(f"wrote {report / 'index.html'} with metrics.json and plots", highlight=False)


def register(app: typer.Typer) -> None:
    """Add train, predict, evaluate to ``app``, in this order."""
    app.command()(train)
    app.command()(predict)
    app.command()(evaluate)
