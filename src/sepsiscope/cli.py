"""The ``sepsiscope`` command line: thin Typer commands over the library.

Data goes to stdout, messages to stderr. Exit status 0 = OK, 1 = data problems,
2 = usage errors (shared/docs/style.md §2; calculator: adult-scores.md §5.4).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

# Before numpy loads: its OpenBLAS would start a thread per core that spins for ~0.1 CPU-s
# after import, competing with the work. No command here calls BLAS (LightGBM has its own
# threads). A value set by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402

from sepsiscope.errors import ReadError, SepsiscopeError, UsageError  # noqa: E402

app = typer.Typer(
    name="sepsiscope",
    help="Find sepsis early: bedside criteria, cohort scoring and early warning. "
    "Supports, never replaces, clinical judgement; not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _fail(message: str, code: int, hint: str | None = None) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    if hint:
        err.print(f"[dim]hint:[/] {hint}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def calc(
    score: Annotated[
        str, typer.Argument(help="sirs, qsofa, news2, mews, sofa, phoenix, phoenix8, pediatric_sirs, ...")
    ],
    explain: Annotated[
        bool, typer.Option("--explain", help="Add a one-line explanation per component and the citation.")
    ] = False,
) -> None:
    """Score JSON lines from stdin, one JSON line out per case, in order.

    Follows the calculator contract of shared/docs/clinical/adult-scores.md §5: a malformed
    line gets an error object for that line and the others are still scored. Exit status 1
    if any case had an error, 2 for an unknown score.
    """
    from sepsiscope.scores.calculator import run

    any_error = False
    try:
        for line in run(score, sys.stdin, explain=explain):
            sys.stdout.write(json.dumps(line.payload, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            any_error |= not line.ok
    except UsageError as exc:
        raise _fail(str(exc), 2) from None
    if any_error:
        raise typer.Exit(1)


QUARANTINE_HINT = "pass --on-invalid quarantine to set bad rows aside and score the rest"


def _read(  # type: ignore[no-untyped-def]
    input: Path,
    on_invalid: str,
    implausible: str,
    column: list[str] | None,
    hint: str | None = QUARANTINE_HINT,
    *,
    batches: bool = False,
):
    """Read INPUT as a ReadResult, or with ``batches`` as ReadBatches (PhysioNet read lazily)."""
    from sepsiscope.io import read_any, read_batches

    if on_invalid not in ("error", "quarantine") or implausible not in ("clean", "reject"):
        raise _fail("--on-invalid takes error|quarantine and --implausible takes clean|reject", 2)
    bad = [item for item in column or [] if "=" not in item]
    if bad:
        raise _fail(f"--column takes SOURCE=canonical, got {bad[0]!r}", 2)
    mapping = dict(item.split("=", 1) for item in column or [])
    options = {"columns": mapping} if mapping else {}
    try:
        if batches:
            return read_batches(input, on_invalid=on_invalid, implausible=implausible, **options)
        with err.status(f"reading {input}"):
            return read_any(input, on_invalid=on_invalid, implausible=implausible, **options)
    except ReadError as exc:
        raise _fail(str(exc), 1, hint) from None
    except SepsiscopeError as exc:
        raise _fail(str(exc), 1) from None


def _report(result, out: Path) -> None:  # type: ignore[no-untyped-def]
    report = result.report
    err.print(report.summary(), highlight=False)
    if report.n_problems:
        problems = out.with_name(out.name + ".problems.csv") if out.is_dir() else out.with_suffix(".problems.csv")
        report.write_problems_csv(problems)
        err.print(f"every cleaned value and quarantined row is listed in {problems}", highlight=False)


OnInvalidOpt = Annotated[
    str, typer.Option(help="error: stop at the first malformed row; quarantine: set it aside in a side file.")
]
ImplausibleOpt = Annotated[
    str,
    typer.Option(
        help="clean: values outside the plausible range become missing and are listed in the problems file "
        "(adult-scores.md §1.4); reject: treat them as malformed rows."
    ),
]
ColumnOpt = Annotated[
    list[str] | None, typer.Option("--column", help="CSV/Parquet column mapping SOURCE=canonical (repeatable).")
]


@app.command()
def score(
    input: Annotated[
        str,
        typer.Argument(
            help="PhysioNet folder or zip of p*.psv, a CSV/Parquet wide table, or a Parquet folder "
            "(with --engine spark also an object-store URL such as s3a://bucket/path)."
        ),
    ],
    out: Annotated[str, typer.Option("--out", "-o", help="Output Parquet file (a folder or URL with --engine spark).")],
    on_invalid: OnInvalidOpt = "error",
    implausible: ImplausibleOpt = "clean",
    scores: Annotated[str, typer.Option(help="Comma-separated scores to compute.")] = "sirs,qsofa,news2,mews,sofa",
    column: ColumnOpt = None,
    engine: Annotated[str, typer.Option(help="embedded (Polars, this machine) or spark.")] = "embedded",
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master URL (default: spark-submit's, else local mode on all cores).")
    ] = None,
) -> None:
    """Score every patient-hour of INPUT and write one output row per input row.

    Embedded engine: writes OUT (Parquet, rows in input order) plus, when anything was cleaned
    or quarantined, OUT with the suffix .problems.csv listing every affected value or row.
    Spark engine: INPUT should be a Parquet folder from `sepsiscope convert` (other inputs are
    read and validated here first); OUT is a Parquet folder, rows grouped by patient.
    """
    from sepsiscope.cohort import score_stream

    names = [s.strip() for s in scores.split(",") if s.strip()]
    if engine not in ("embedded", "spark"):
        raise _fail("--engine takes embedded or spark", 2)
    started = time.perf_counter()
    if engine == "spark":
        _score_spark(input, out, names, spark_master, on_invalid, implausible, column)
        err.print(f"wrote {out} with Spark in {time.perf_counter() - started:.1f} s", highlight=False)
        return
    from sepsiscope.scores.registry import SCORES

    unknown = [name for name in names if name not in SCORES]
    if unknown:
        raise _fail(f"unknown score {unknown[0]!r} (known: {', '.join(SCORES)})", 2)
    source, target = Path(input), Path(out)
    batches = _read(source, on_invalid, implausible, column, batches=True)
    try:
        with batches, err.status(f"reading and scoring {source.name}"):
            # PhysioNet input is scored batch by batch while the next files are read
            scored = score_stream(batches, names)
    except ReadError as exc:
        raise _fail(str(exc), 1, QUARANTINE_HINT) from None
    except SepsiscopeError as exc:
        raise _fail(str(exc), 1) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    scored.write_parquet(target)
    _report(batches, target)
    err.print(
        f"wrote {scored.height:,} rows × {scored.width} columns to {out} in {time.perf_counter() - started:.2f} s",
        highlight=False,
    )


def _is_parquet_input(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq") or (path.is_dir() and any(path.glob("*.parquet")))


def _score_spark(
    input: str,
    out: str,
    names: list[str],
    master: str | None,
    on_invalid: str,
    implausible: str,
    column: list[str] | None,
) -> None:
    import tempfile

    from sepsiscope.cohort.spark import score_parquet, spark_session
    from sepsiscope.io import write_patient_dataset

    with tempfile.TemporaryDirectory(prefix="sepsiscope-") as tmp:
        source = input
        if "://" not in input and not _is_parquet_input(Path(input)):
            result = _read(Path(input), on_invalid, implausible, column)
            source = str(Path(tmp) / "input")
            write_patient_dataset(result.table, source)
            if "://" not in out:
                _report(result, Path(out))
        from pyspark.sql import SparkSession

        ours = SparkSession.getActiveSession() is None
        with err.status("starting Spark"):
            session = spark_session(master)
        try:
            with err.status(f"scoring {input} on Spark ({session.sparkContext.master})"):
                score_parquet(session, source, out, names)
        finally:
            if ours:
                session.stop()


@app.command()
def convert(
    input: Annotated[Path, typer.Argument(help="PhysioNet folder or zip, or a CSV/Parquet wide table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder of Parquet files (whole patients per file).")],
    on_invalid: OnInvalidOpt = "error",
    implausible: ImplausibleOpt = "clean",
    column: ColumnOpt = None,
    rows_per_file: Annotated[int, typer.Option(help="Target rows per Parquet file.")] = 250_000,
    overwrite: Annotated[bool, typer.Option(help="Replace OUT if it exists.")] = False,
) -> None:
    """Validate INPUT with the readers and write the canonical table as a Parquet dataset.

    The dataset (OUT/part-00000.parquet, …) is sorted by patient and hour with whole patients
    per file: the input of `sepsiscope score --engine spark` and of data lakes.
    """
    from sepsiscope.io import write_patient_dataset

    result = _read(input, on_invalid, implausible, column)
    try:
        files = write_patient_dataset(result.table, out, rows_per_file=rows_per_file, overwrite=overwrite)
    except SepsiscopeError as exc:
        raise _fail(str(exc), 1) from None
    _report(result, out)
    err.print(f"wrote {result.table.height:,} rows in {len(files)} files to {out}", highlight=False)


@app.command()
def demo(
    patients: Annotated[int, typer.Option(help="Patients on the synthetic ward.")] = 16,
    hours: Annotated[int, typer.Option(help="Hours of observations per patient.")] = 36,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same ward).")] = 7,
) -> None:
    """Generate a seeded synthetic ward, score it and show who needs a look first."""
    from sepsiscope.demo import run_demo

    Console().print(run_demo(patients=patients, hours=hours, seed=seed))


@app.command()
def check(
    lang: Annotated[str, typer.Option("--lang", help="Language of the questions: en or es.")] = "en",
) -> None:
    """Could this be sepsis? Answer a few questions and get advice on how fast to get care.

    A triage aid built from public guidance (shared/docs/clinical/symptom-checker.md). It
    supports, and never replaces, advice from a doctor or nurse, and it never says that
    someone does not have sepsis. Nothing you type is stored.
    """
    from sepsiscope.checker.terminal import run_check
    from sepsiscope.scores.symptom_checker import LANGUAGES

    if lang not in LANGUAGES:
        raise _fail(f"--lang takes one of: {', '.join(LANGUAGES)}", 2)
    run_check(Console(), lang)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the web app: the symptom checker at /check and plain facts about sepsis at /learn.

    The access log is off and nothing a person enters is stored, logged or put in a cookie.
    """
    import uvicorn

    from sepsiscope.app import create_app

    err.print(f"sepsiscope: serving on http://{host}:{port}/check (Ctrl+C to stop)", highlight=False)
    uvicorn.run(create_app(), host=host, port=port, access_log=False, log_level="warning", server_header=False)


@app.command()
def train(
    data: Annotated[Path, typer.Argument(help="Labelled training data: PhysioNet folder or zip, or a wide table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")],
    features: Annotated[
        str, typer.Option(help="Feature set: physiology (default), physiology+measurement, all.")
    ] = "physiology",
    alerts_per_patient_day: Annotated[
        float | None,
        typer.Option(help="Choose the threshold to meet this alert budget instead of maximising utility."),
    ] = None,
    threshold_rule: Annotated[
        str,
        typer.Option(
            help="robust: best worst-case utility if sepsis is up to half as common elsewhere (default); "
            "utility: best utility on the training data."
        ),
    ] = "robust",
    folds: Annotated[int, typer.Option(help="Patient-grouped cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed (same data + seed = same model).")] = 2019,
    rounds: Annotated[int, typer.Option(help="Boosting rounds.")] = 300,
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

    result = _read(data, "error", "clean", None, hint="fix the file: training needs every row")
    err.print(result.report.summary(), highlight=False)
    config = TrainConfig(
        features=features,
        folds=folds,
        seed=seed,
        rounds=rounds,
        alerts_per_patient_day=alerts_per_patient_day,
        threshold_rule=threshold_rule,
        engine=engine,
        spark_master=spark_master,
    )
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
            raise _fail(str(exc), 1) from None
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


@app.command()
def predict(
    input: Annotated[Path, typer.Argument(help="PhysioNet folder or zip of p*.psv (SepsisLabel is never read).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for one prediction file per patient.")],
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the model shipped inside).")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also write OUT/explanations.jsonl: top reasons for every alert.")
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
    import json

    from sepsiscope.io.predictions import write_prediction_dir
    from sepsiscope.model.artifact import ModelArtifact, load_default
    from sepsiscope.model.predict import predict_table

    started = time.perf_counter()
    try:
        artifact = ModelArtifact.load(model) if model else load_default()
    except SepsiscopeError as exc:
        raise _fail(str(exc), 1) from None
    result = _read(input, "error", "clean", None, hint="fix the file: every input row needs a prediction")
    err.print(result.report.summary(), highlight=False)
    with err.status(f"predicting {result.table.height:,} patient-hours"):
        preds = predict_table(
            artifact,
            result.table.drop("sepsis_label", strict=False),
            explain=explain,
            engine=engine,
            spark_master=spark_master,
        )
    try:
        write_prediction_dir(preds.frame, out, overwrite=overwrite)
    except SepsiscopeError as exc:
        raise _fail(str(exc), 2, "pass --overwrite to replace earlier predictions") from None
    if explain:
        with (out / "explanations.jsonl").open("w", encoding="utf-8") as fh:
            for item in preds.explanations:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    alerts = int(preds.frame.get_column("label").sum())
    err.print(
        f"wrote predictions for {preds.frame.get_column('patient_id').n_unique():,} patients "
        f"({preds.frame.height:,} rows, {alerts:,} alert hours) to {out} in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


@app.command()
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

    from sepsiscope.model.evaluate import METRICS, format_value, write_report
    from sepsiscope.model.evaluate import evaluate as run_evaluation

    try:
        with err.status(f"evaluating {pred_dir} against {labels}"):
            result = run_evaluation(labels, pred_dir)
    except SepsiscopeError as exc:
        raise _fail(str(exc), 1) from None
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
        with err.status(f"writing the report to {report}"):
            write_report(result, report)
        err.print(f"wrote {report / 'index.html'} with metrics.json and plots", highlight=False)


def main() -> None:  # pragma: no cover - console entry point
    """Entry point used by ``python -m sepsiscope``."""
    app()
