"""The audit trail: every read of a patient, write batch and alert action, hash-chained; tampering is found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner

from sepsiscope.cli import app as cli
from sepsiscope.service import audit
from tests.service.conftest import Service

OBS = [{"patient_id": "p1", "time": "2026-03-01T08:00:00Z", "variable": "resp_rate", "value": 25}]


def entries(service: Service) -> list[dict[str, Any]]:
    out, after = [], 0
    while True:
        page = service.get(f"/api/v1/audit?after={after}&limit=2", role="admin")
        out += page["entries"]
        if page["next_after"] is None:
            return out
        after = page["next_after"]


def test_reads_writes_and_alert_actions_are_recorded(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    service.post_observations(OBS)
    service.get("/api/v1/patients/p1")
    alert = service.get("/api/v1/alerts")["alerts"][0]
    service.client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "seen"}, headers=service.headers("nurse")
    )
    every = entries(service)
    reads = {(e["actor"], e["action"]) for e in every if e["action"] == "audit.read"}
    assert reads == {("admin:test-admin", "audit.read")}
    got = [(e["actor"], e["action"], e["target"]) for e in every if e["action"] != "audit.read"]
    assert got == [
        ("integration:test-integration", "patient.created", "patient/p1"),
        ("integration:test-integration", "observations.write", "observations"),
        ("system:monitor", "alert.opened", f"alert/{alert['id']}"),  # by the scorer, after the write
        ("nurse:test-nurse", "patient.read", "patient/p1"),
        ("nurse:test-nurse", "alerts.read", "alerts"),
        ("nurse:test-nurse", "alert.acknowledged", f"alert/{alert['id']}"),
    ]
    seqs = [e["seq"] for e in every]
    assert seqs == list(range(1, len(seqs) + 1))


def test_verify_finds_the_first_changed_or_missing_entry(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    for hour in range(3):
        service.post_observations([dict(OBS[0], time=f"2026-03-01T0{hour}:00:00Z")])
    with service.ctx.sessions() as session:
        result = audit.verify(session)
        assert result.ok and result.checked >= 4
    with service.ctx.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3"))
    with service.ctx.sessions() as session:
        broken = audit.verify(session)
    assert (broken.ok, broken.broken_seq) == (False, 3) and "changed after writing" in (broken.reason or "")


def test_verify_finds_a_deleted_entry(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    service.post_observations(OBS)
    service.get("/api/v1/patients/p1")
    with service.ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with service.ctx.sessions() as session:
        broken = audit.verify(session)
    assert broken.broken_seq == 2 and "missing" in (broken.reason or "")
    with service.ctx.engine.begin() as conn:  # the newest entry removed: only the head can tell
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 2"))
    with service.ctx.sessions() as session:
        assert audit.verify(session).broken_seq == 2


def test_cli_token_create_and_audit_verify(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["token", "create", "--role", "nurse", "--name", "ward 4B", "--data-dir", str(tmp_path)])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("ssc_") and len(token) > 40
    ok = runner.invoke(cli, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert ok.exit_code == 0 and "intact: 1 entries" in ok.stdout
    db = tmp_path / "sepsiscope.db"
    assert token.encode() not in db.read_bytes()  # stored only as a hash
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 1")
    bad = runner.invoke(cli, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 1 and "broken at entry 1" in bad.stderr
    wrong = runner.invoke(cli, ["token", "create", "--role", "janitor", "--data-dir", str(tmp_path)])
    assert wrong.exit_code == 2 and "unknown role" in wrong.stderr
