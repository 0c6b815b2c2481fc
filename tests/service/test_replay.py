"""The replay client against a real ``sepsiscope serve`` subprocess (SQLite), tokens from the real CLI."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app
from sepsiscope.service.replay import (
    PATIENT_RECORD,
    ReplayError,
    ReplayPlan,
    physionet_plan,
    plan_from_table,
    replay,
    synthetic_plan,
)
from sepsiscope.synth import generate_ward
from sepsiscope.synth.export import to_psv_folder
from tests.live_server import cli_token, live_server

BASE = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Running:
    url: str
    integration: str
    nurse: str

    def get(self, path: str) -> Any:
        request = urllib.request.Request(f"{self.url}/api/v1{path}", headers={"Authorization": f"Bearer {self.nurse}"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("replay")
    tokens = {role: cli_token(folder / "data", role) for role in ("integration", "nurse")}
    with live_server(folder) as running:
        yield Running(running.url, tokens["integration"], tokens["nurse"])


def _ids(plan: ReplayPlan, patient_id: str) -> dict[str, Any]:
    patient = next(p for p in plan.patients if p.patient_id == patient_id)
    return {item["id"]: item["value"] for _, items in plan.batches(patient) for item in items}


def _renamed(prefix: str, hours: int, seed: int) -> pl.DataFrame:
    table = generate_ward(3, 24, seed=seed).table.filter(pl.col("hour") <= hours)
    return table.with_columns((prefix + pl.col("patient_id")).alias("patient_id"))


# -- the plan, without a server ------------------------------------------------------------


def test_plan_puts_the_patient_record_in_the_put_body_and_the_rest_in_hourly_batches() -> None:
    plan = synthetic_plan(4, 12, seed=5, base=BASE)
    ward = generate_ward(4, 24, seed=5)
    table = ward.table.filter(pl.col("hour") <= 12)
    first = plan.patients[0]
    row = table.row(0, named=True)
    assert first.body == {
        "admitted_at": (BASE + timedelta(hours=1)).isoformat(), "age_years": row["age_years"], "sex": row["sex"],
        "location": {"bed": ward.truth.row(0, named=True)["bed"]},
    }  # fmt: skip
    sent = [(h, item) for p in plan.patients for h, items in plan.batches(p) for item in items]
    assert len(sent) == plan.observations
    assert plan.observations == sum(table.get_column(c).is_not_null().sum() for c in first.rows.columns if c != "hour")
    assert not {item["variable"] for _, item in sent} & set(PATIENT_RECORD)
    hour, item = sent[0]
    assert item["id"] == f"{first.patient_id}-{hour}-{item['variable']}"
    assert item["time"] == (BASE + timedelta(hours=hour)).isoformat()
    assert all(isinstance(i["value"], int) for _, i in sent if i["variable"] == "gcs")
    assert plan.hour_span == (1, 12)


def test_physionet_plan_takes_the_first_patients_and_maps_the_unit_flags(tmp_path: Path) -> None:
    ward = generate_ward(3, 24, seed=2)
    to_psv_folder(ward, tmp_path)
    plan = physionet_plan(tmp_path, patients=2, base=BASE, hours=5)
    assert [p.patient_id for p in plan.patients] == ward.truth.get_column("patient_id").to_list()[:2]
    assert plan.hour_span[1] <= 5
    for p in plan.patients:
        assert not set(p.rows.columns) & {"iculos_h", "hosp_adm_time_h", "unit_micu", "unit_sicu", "sepsis_label"}
        assert p.body["admitted_at"] == (BASE + timedelta(hours=1)).isoformat()
    micu = plan_from_table(pl.DataFrame({"patient_id": ["a"], "hour": [1], "unit_micu": [True], "heart_rate": [80.0]}))
    assert micu.patients[0].body["location"] == {"ward": "MICU"}
    assert micu.base.minute == 0 and timedelta(0) <= datetime.now(UTC) - timedelta(hours=1) - micu.base < timedelta(
        hours=1
    )


def test_a_base_without_offset_and_bad_options_are_usage_errors() -> None:
    with pytest.raises(Exception, match="no UTC offset"):
        synthetic_plan(2, 2, base=datetime(2026, 1, 1))
    with pytest.raises(Exception, match="n_patients"):
        synthetic_plan(0, 2)
    plan = synthetic_plan(1, 2, base=BASE)
    with pytest.raises(Exception, match="speed must be positive"):
        replay(plan, "http://127.0.0.1:9", "t", speed=0)
    with pytest.raises(Exception, match="give the service's base URL"):
        replay(plan, "ftp://x", "t")


# -- against the server ----------------------------------------------------------------------


def test_replay_stores_every_observation_and_a_rerun_is_all_duplicates(server: Running) -> None:
    plan = synthetic_plan(6, 12, seed=11, base=BASE)
    seen: list[tuple[int, int]] = []
    first = replay(plan, server.url, server.integration, clients=3, progress=lambda d, t: seen.append((d, t)))
    assert (first.observations_sent, first.accepted, first.duplicates) == (plan.observations, plan.observations, 0)
    assert first.patient_requests == 6 and first.requests == len(first.latencies_s) > 0
    assert seen[-1] == (plan.observations, plan.observations)
    assert 0 < first.p50_ms <= first.p95_ms <= first.p99_ms and first.obs_per_s > 0
    for p in plan.patients:
        stored = server.get(f"/patients/{p.patient_id}/observations")["observations"]
        assert {o["id"]: o["value"] for o in stored} == pytest.approx(_ids(plan, p.patient_id))
    again = replay(plan, server.url, server.integration, clients=2)
    assert (again.accepted, again.duplicates) == (0, plan.observations)


def test_paced_replay_sends_each_ward_hour_of_every_patient_before_the_next(server: Running) -> None:
    plan = plan_from_table(_renamed("paced-", 2, seed=4), base=BASE)
    speed = 5.0
    result = replay(plan, server.url, server.integration, clients=2, speed=speed)
    assert result.accepted == plan.observations
    assert result.wall_s >= 1 / speed
    received: dict[int, list[datetime]] = {1: [], 2: []}
    for p in plan.patients:
        for o in server.get(f"/patients/{p.patient_id}/observations")["observations"]:
            received[int(o["id"].split("-")[2])].append(datetime.fromisoformat(o["received_at"]))
    assert received[1] and received[2]
    assert max(received[1]) < min(received[2])


def test_a_refused_batch_stops_the_replay_naming_patient_hour_and_the_servers_error(server: Running) -> None:
    table = _renamed("bad-", 3, seed=6).with_columns(
        pl.when((pl.col("hour") == 2) & (pl.col("patient_id") == "bad-p900001"))
        .then(999.0).otherwise(pl.col("heart_rate")).alias("heart_rate")
    )  # fmt: skip
    plan = plan_from_table(table, base=BASE)
    with pytest.raises(ReplayError, match=r"patient bad-p900001, hour 2: the server answered 422 .*out_of_range"):
        replay(plan, server.url, server.integration, clients=1)


def test_a_bad_token_ends_with_a_clear_error(server: Running) -> None:
    plan = plan_from_table(_renamed("token-", 2, seed=1), base=BASE)
    with pytest.raises(ReplayError, match=r"patient token-p90000[1-3]: the server answered 401 .*not valid"):
        replay(plan, server.url, "not-a-token")


def test_cli_replay_prints_the_summary_and_exits_1_on_a_refusal(server: Running) -> None:
    runner = CliRunner()
    args = ["replay", "synthetic", "--to", server.url, "--patients", "6", "--hours", "3", "--seed", "11",
            "--base", "2026-03-01T00:00:00+00:00"]  # fmt: skip
    ok = runner.invoke(app, [*args, "--token", server.integration])
    assert ok.exit_code == 0, ok.output
    assert "duplicates" in ok.stdout and "observations/s" in ok.stdout and "p99" in ok.stdout
    refused = runner.invoke(app, [*args, "--token", server.nurse])
    assert refused.exit_code == 1
    assert "403" in refused.output
    missing = runner.invoke(app, ["replay", "no-such-folder", "--to", server.url, "--token", "t"])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_a_time_limit_stops_the_replay_and_says_it_is_incomplete(server: Running) -> None:
    plan = plan_from_table(_renamed("limit-", 3, seed=8), base=BASE)
    unpaced = replay(plan, "http://127.0.0.1:9", "never-used", time_limit_s=0)
    assert (unpaced.complete, unpaced.requests, unpaced.patient_requests) == (False, 0, 0)
    paced = replay(plan, server.url, server.integration, clients=2, speed=1.0, time_limit_s=0)
    assert (paced.complete, paced.requests, paced.patient_requests) == (False, 0, 3)
    whole = replay(plan, server.url, server.integration, clients=2, time_limit_s=600)
    assert whole.complete and whole.accepted == plan.observations
