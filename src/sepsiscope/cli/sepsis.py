"""Sepsis-3 commands: ``sepsis3`` (onset and septic shock), ``bundle`` (SSC hour-1, SEP-1) and ``label``.

Thin wrappers over :mod:`sepsiscope.cohort.sepsis3` and :mod:`sepsiscope.cohort.bundles`; the
rules are shared/docs/clinical/adult-scores.md §3 and §4.
"""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sepsiscope.cli.inputs import QUARANTINE_HINT, ColumnOpt, OnInvalidOpt, read_input, report_problems
from sepsiscope.cli.shared import err, exit_code, fail, require_extra
from sepsiscope.errors import ReadError, SepsiscopeError

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

EventsOpt = Annotated[
    Path | None,
    typer.Option(
        "--events",
        help="Clinical events: CSV/Parquet event table (patient_id, time, kind, code, value, unit, route, end) "
        "or a MEDS dataset folder (with --meds-codes).",
    ),
]
HourlyArg = Annotated[
    Path | None,
    typer.Argument(
        help="Wide hourly table (patient_id, hour since the admission event, SOFA inputs; any format `score` "
        "reads). Omit it to derive the hourly grid and SOFA from the events' measurements."
    ),
]
BaselineOpt = Annotated[
    str, typer.Option(help="Baseline SOFA rule: zero (default, Singer 2016), cummin, start, min24.")
]
EventsArg = Annotated[Path, typer.Argument(help="Clinical events: CSV/Parquet event table, or MEDS with --meds-codes.")]
MedsCodesOpt = Annotated[
    Path | None, typer.Option("--meds-codes", help="TOML code map from MEDS codes to event kinds and codes.")
]
TimeZoneOpt = Annotated[
    str | None, typer.Option("--time-zone", help="Zone of MEDS times (they carry none), e.g. UTC or Europe/Berlin.")
]


def read_events_input(
    path: Path, on_invalid: str, column: list[str] | None, meds_codes: Path | None, time_zone: str | None
) -> Any:
    """Read the event table (CSV/Parquet) or MEDS dataset; errors become messages with exit codes."""
    from sepsiscope.io.events import read_events
    from sepsiscope.io.meds_events import read_meds

    if on_invalid not in ("error", "quarantine"):
        raise fail("--on-invalid takes error or quarantine", 2)
    bad = [item for item in column or [] if "=" not in item]
    if bad:
        raise fail(f"--column takes SOURCE=canonical, got {bad[0]!r}", 2)
    try:
        with err.status(f"reading events {path}"):
            if meds_codes is not None:
                return read_meds(path, meds_codes, time_zone=time_zone, on_invalid=on_invalid)  # type: ignore[arg-type]
            columns = dict(item.split("=", 1) for item in column or [])
            return read_events(path, columns=columns, on_invalid=on_invalid)  # type: ignore[arg-type]
    except ReadError as exc:
        raise fail(str(exc), 1, QUARANTINE_HINT) from None
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None


def _inputs(
    events: Path | None,
    hourly: Path | None,
    on_invalid: str,
    column: list[str] | None,
    meds_codes: Path | None,
    time_zone: str | None,
    out: Path,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    if events is None:
        raise fail("suspected infection needs antibiotic and culture events", 2, "pass --events EVENTS")
    result = read_events_input(events, on_invalid, column, meds_codes, time_zone)
    report_problems(result, out)
    table = None
    if hourly is not None:
        wide = read_input(hourly, on_invalid, "clean", None)
        report_problems(wide, out)
        table = wide.table
    return result.table, table


def _per_chunk(events: pl.DataFrame, hourly: pl.DataFrame | None, fn: Any, what: str) -> pl.DataFrame:
    from sepsiscope.cohort.sepsis3 import per_chunk

    try:
        with err.status(what):
            return per_chunk(events, hourly, fn)
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None


def sepsis3(
    hourly: HourlyArg = None,
    events: EventsOpt = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Output folder: episodes.parquet and hours.parquet (Spark: episodes/ and hours/ folders).",
        ),
    ] = Path("sepsis3"),
    baseline: BaselineOpt = "zero",
    engine: Annotated[str, typer.Option(help="embedded (Polars, this machine) or spark.")] = "embedded",
    on_invalid: OnInvalidOpt = "error",
    column: ColumnOpt = None,
    meds_codes: MedsCodesOpt = None,
    time_zone: TimeZoneOpt = None,
) -> None:
    """Sepsis-3 onset per infection episode and sepsis / septic shock per patient-hour.

    Writes OUT/episodes.parquet (one row per suspected-infection episode: t_si, t_sofa, t_onset,
    delta_sofa and the baseline rule; adult-scores.md §3.2-§3.5) and OUT/hours.parquet (per
    patient-hour: sepsis, septic_shock and the criteria behind them, §3.7). The hourly grid is
    anchored at each patient's admission event. Both engines give identical tables.
    """
    from sepsiscope.scores.sepsis3.baseline import BASELINES

    if baseline not in BASELINES:
        raise fail(f"--baseline takes {', '.join(BASELINES)}", 2)
    if engine not in ("embedded", "spark"):
        raise fail("--engine takes embedded or spark", 2)
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    table, wide = _inputs(events, hourly, on_invalid, column, meds_codes, time_zone, out)
    if engine == "spark":
        if wide is not None:
            raise fail("--engine spark derives the hourly grid from the events; omit HOURLY", 2)
        require_extra("spark", "--engine spark")
        _spark(table, out, {"episodes": {}, "hours": {}}, baseline)
    else:
        from sepsiscope.cohort.sepsis3 import sepsis3 as run

        try:
            with err.status("hourly SOFA, onset and septic shock"):
                result = run(table, wide, baseline=baseline)  # type: ignore[arg-type]
        except SepsiscopeError as exc:
            raise fail(str(exc), exit_code(exc)) from None
        episodes, hours = result.episodes, result.hours
        episodes.write_parquet(out / "episodes.parquet")
        hours.write_parquet(out / "hours.parquet")
        septic = episodes.filter(episodes.get_column("t_onset").is_not_null()).get_column("patient_id").n_unique()
        err.print(
            f"{episodes.height:,} infection episodes, {septic:,} patients with Sepsis-3 (baseline {baseline}), "
            f"{int(hours.get_column('septic_shock').sum()):,} septic-shock hours",
            highlight=False,
        )
    err.print(f"wrote {out} in {time.perf_counter() - started:.2f} s", highlight=False)


def _spark(table: pl.DataFrame, out: Path, outputs: dict[str, dict[str, str]], baseline: str) -> None:
    import tempfile

    from sepsiscope.cohort.sepsis3_spark import sepsis3_spark_frame
    from sepsiscope.cohort.spark import active_session, spark_session

    with tempfile.TemporaryDirectory(prefix="sepsiscope-") as tmp:
        source = Path(tmp) / "events.parquet"
        table.write_parquet(source)
        ours = active_session() is None
        with err.status("starting Spark"):
            session = spark_session()
        try:
            session.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
            df = session.read.parquet(str(source))
            for name, options in outputs.items():
                with err.status(f"{name} on Spark"):
                    frame = sepsis3_spark_frame(df, name, baseline=baseline, **options)  # type: ignore[arg-type]
                    frame.write.mode("overwrite").parquet(str(out / name))
        finally:
            if ours:
                session.stop()


def bundle(
    events: Annotated[
        Path, typer.Argument(help="Clinical events (CSV/Parquet event table, or MEDS with --meds-codes).")
    ],
    hourly: HourlyArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSON lines: one §4.3 object per encounter.")] = Path(
        "bundles.jsonl"
    ),
    bundle: Annotated[str, typer.Option("--bundle", help="ssc_hour1 (Levy 2018) or sep1 (CMS SEP-1).")] = "ssc_hour1",
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write an HTML report with plots to this folder.")
    ] = None,
    baseline: BaselineOpt = "zero",
    on_invalid: OnInvalidOpt = "error",
    column: ColumnOpt = None,
    meds_codes: MedsCodesOpt = None,
    time_zone: TimeZoneOpt = None,
) -> None:
    """Sepsis bundle compliance per encounter: the SSC hour-1 bundle or CMS SEP-1.

    Writes OUT as JSON lines, one object per encounter in the shape of adult-scores.md §4.3
    (bundle, t0, elements with applicable/met/time/deadline, all-or-none compliant; SEP-1 also
    manual_version, t_shock, t_hypotension). SSC time zero is ED triage for sepsis that began in
    the ED, else the Sepsis-3 onset (§4.1); SEP-1 finds severe sepsis presentation itself (§4.2).
    """
    from sepsiscope.cohort.bundles import BUNDLES, bundles_of

    if bundle not in BUNDLES:
        raise fail(f"--bundle takes {' or '.join(BUNDLES)}", 2)
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    table, wide = _inputs(events, hourly, on_invalid, column, meds_codes, time_zone, out)
    fn = partial(bundles_of, bundle=bundle, baseline=baseline)  # type: ignore[arg-type]  # bundles_of checks both
    result = _per_chunk(table, wide, fn, f"{bundle} per encounter")
    with out.open("w", encoding="utf-8") as f:
        for patient_id, text in result.select("patient_id", "report").iter_rows():
            f.write(json.dumps({"patient_id": patient_id, **json.loads(text)}) + "\n")
    with_t0 = result.filter(result.get_column("t0").is_not_null())
    rate = with_t0.get_column("compliant").mean() if with_t0.height else None
    err.print(
        f"{result.height:,} encounters, {with_t0.height:,} with a time zero; all-or-none compliant: "
        + (f"{float(rate):.1%}" if rate is not None else "n/a"),  # type: ignore[arg-type]
        highlight=False,
    )
    if report is not None:
        from sepsiscope.cli.bundle_report import write_bundle_report

        page = write_bundle_report(result, bundle, report)
        err.print(f"wrote the report {page}", highlight=False)
    err.print(f"wrote {out} in {time.perf_counter() - started:.2f} s", highlight=False)


def label(
    events: Annotated[
        Path, typer.Argument(help="Clinical events (CSV/Parquet event table, or MEDS with --meds-codes).")
    ],
    hourly: HourlyArg = None,
    physionet: Annotated[
        bool, typer.Option("--physionet", help="Label the PhysioNet 2019 way (adult-scores.md §3.6).")
    ] = False,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output Parquet: patient_id, hour, sepsis_label.")] = Path(
        "labels.parquet"
    ),
    on_invalid: OnInvalidOpt = "error",
    column: ColumnOpt = None,
    meds_codes: MedsCodesOpt = None,
    time_zone: TimeZoneOpt = None,
) -> None:
    """Per patient-hour SepsisLabel by the PhysioNet/CinC 2019 rule, from clinical events.

    IV antibiotics and blood cultures give t_suspicion; the first 2-point SOFA rise within 24 h
    gives t_SOFA; eligible when it falls 24 h before to 12 h after t_suspicion; hours from
    t_sepsis − 6 h are labelled 1 (adult-scores.md §3.6). Never use it to relabel the distributed
    PhysioNet files, which already carry SepsisLabel.
    """
    from sepsiscope.cohort.sepsis3 import labels_of

    if not physionet:
        raise fail("only the PhysioNet 2019 labelling rule is available", 2, "pass --physionet")
    out.parent.mkdir(parents=True, exist_ok=True)
    table, wide = _inputs(events, hourly, on_invalid, column, meds_codes, time_zone, out)
    labels = _per_chunk(table, wide, labels_of, "PhysioNet labels")
    labels.write_parquet(out)
    positive = labels.filter(labels.get_column("sepsis_label") == 1).get_column("patient_id").n_unique()
    err.print(f"wrote {labels.height:,} patient-hours to {out}; {positive:,} patients labelled septic", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``sepsis3``, ``bundle`` and ``label`` to the app."""
    app.command()(sepsis3)
    app.command()(bundle)
    app.command()(label)
