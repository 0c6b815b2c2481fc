"""The scorer: patients scored together equal each scored alone; the queue survives crashes and
races; late data rescored from its hour; other patients untouched; group commit isolates errors."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, update

from sepsiscope.service import monitor, pending
from sepsiscope.service.db.models import PatientHour, PendingScore
from sepsiscope.service.writer import GroupWriter
from tests.service.conftest import Service, make_service
from tests.service.test_patient_scores import ADULT, obs

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def vitals(pid: str, hour: float, **values: Any) -> list[dict[str, Any]]:
    t = (T0 + timedelta(hours=hour)).isoformat()
    return [{"patient_id": pid, "time": t, "variable": k, "value": v} for k, v in values.items()]


def timeline(service: Service, pid: str) -> dict[str, Any]:
    return service.get(f"/api/v1/patients/{pid}/timeline")  # type: ignore[no-any-return]


def news2_points(service: Service, pid: str) -> dict[str, Any]:
    return {h["hour_start"][11:16]: h["scores"]["news2_points"] for h in timeline(service, pid)["hours"]}


def test_patients_scored_together_equal_each_scored_alone(service: Service) -> None:
    """One cohort-engine and model pass over the stacked tables gives each patient what it gets alone."""
    born = (T0 - timedelta(days=400)).date().isoformat()
    service.put_patient("a1", age_years=67, sex="female", admitted_at=T0.isoformat())
    service.put_patient("c1", birth_date=born, sex="male")
    service.put_patient("z9", age_years=45)
    items = [*ADULT, obs("c1", 0, "heart_rate", 190), obs("c1", 2, "resp_rate", 55), obs("c1", 2, "lactate", 6.0),
             obs("z9", 3, "temp_c", 39.1), obs("z9", 4, "sbp", 88), obs("z9", 9, "wbc", 15.0)]  # fmt: skip
    service.post_observations(items)
    now = datetime.now(UTC)
    ids = ["a1", "c1", "z9"]
    with service.ctx.sessions() as session:
        patients, observations = monitor.load(session, ids)
    since = {pid: T0 for pid in ids}
    together = monitor.assess(patients, observations, service.ctx.artifact, now, since)
    for p in patients:
        alone = monitor.assess([p], observations, service.ctx.artifact, now, {p.id: T0})
        a, b = together.states[p.id], alone.states[p.id]
        assert together.timeline[p.id] == alone.timeline[p.id], p.id
        assert a.snapshot == b.snapshot, p.id
        assert a.hourly.table.select(b.hourly.table.columns).equals(b.hourly.table), p.id
        others = [c for c in a.hourly.table.columns if c not in b.hourly.table.columns]
        assert all(a.hourly.table.get_column(c).null_count() == a.hourly.table.height for c in others), p.id
        if a.risk is None:
            assert b.risk is None and p.id == "c1"  # no risk for a child
        else:
            assert b.risk is not None and a.risk.probability.tobytes() == b.risk.probability.tobytes(), p.id
            assert np.array_equal(a.risk.alert, b.risk.alert)
    assert len(together.timeline["a1"]) == 4 and len(together.timeline["z9"]) == 3


def test_writes_queue_until_scored_and_the_timeline_says_so(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    service.ctx.scorer.stop()  # the background thread; settle() below scores in this thread
    service.post_observations(vitals("p1", 0, resp_rate=18), settle=False)
    body = timeline(service, "p1")
    assert body["scoring_since"] == "2026-03-01T06:00:00Z"
    ward = {r["patient_id"]: r for r in service.get("/api/v1/patients")["patients"]}
    assert ward["p1"]["scoring_since"] == "2026-03-01T06:00:00Z"
    service.ctx.settle()
    body = timeline(service, "p1")
    assert body["scoring_since"] is None and [h["scores"]["news2_points"] for h in body["hours"]] == [0]


def test_the_background_scorer_catches_up_without_being_asked(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    service.post_observations(vitals("p1", 0, resp_rate=25), settle=False)  # 3 points: an urgent alert
    deadline = time.monotonic() + 20
    while timeline(service, "p1")["scoring_since"] is not None or not timeline(service, "p1")["hours"]:
        assert time.monotonic() < deadline, "the scorer thread did not score the write"
        time.sleep(0.05)
    alerts = service.get("/api/v1/alerts")["alerts"]
    assert [(a["rule"], a["level"]) for a in alerts] == [("news2", "urgent")]


def test_late_out_of_order_writes_between_rounds_rescore_from_the_earliest_hour(service: Service) -> None:
    """Several writes, one round: the same timeline as scoring after each write (test_ingest)."""
    service.put_patient("p1", age_years=55)
    service.put_patient("other", age_years=70)
    service.post_observations(vitals("other", 0, resp_rate=18) + vitals("other", 1, heart_rate=80))
    with service.ctx.sessions.begin() as session:  # a mark only a rewrite would remove
        session.execute(update(PatientHour).where(PatientHour.patient_id == "other").values(risk=0.123))
    service.ctx.scorer.stop()  # the background thread: all four writes wait for one round
    service.post_observations(vitals("p1", 4, resp_rate=18), settle=False)
    service.post_observations(vitals("p1", 6, resp_rate=18), settle=False)
    service.post_observations(vitals("p1", 3.5, heart_rate=135), settle=False)  # late: 09:30
    service.post_observations(vitals("p1", 5 + 5 / 60, temp_c=39.4), settle=False)  # between
    with service.ctx.sessions() as session:
        assert pending.since_of(session) == {"p1": T0 + timedelta(hours=3)}
    service.ctx.settle()
    assert news2_points(service, "p1") == {"09:00": 3, "10:00": 3, "11:00": 5, "12:00": 5}
    assert {h["risk"] for h in timeline(service, "other")["hours"]} == {0.123}  # no other patient touched


def test_a_patient_written_while_being_scored_is_scored_again(service: Service) -> None:
    scorer = service.ctx.scorer
    service.put_patient("p1", age_years=55)
    scorer.stop()  # the background thread; this test plays the scorer's steps itself
    service.post_observations(vitals("p1", 0, resp_rate=18), settle=False)
    with service.ctx.sessions.begin() as session:  # the scorer takes p1 and reads its data ...
        claims = pending.claim(session, 10)
        patients, observations = monitor.load(session, ["p1"])
    service.post_observations(vitals("p1", 2, resp_rate=25), settle=False)  # ... a write lands meanwhile ...
    scorer._score(claims, patients, observations, datetime.now(UTC))  # ... and it stores what it read
    assert news2_points(service, "p1") == {"06:00": 0}
    with service.ctx.sessions() as session:  # still queued, from the new write's hour only
        assert pending.since_of(session) == {"p1": T0 + timedelta(hours=2)}
    service.ctx.settle()
    assert news2_points(service, "p1") == {"06:00": 0, "08:00": 3}
    assert timeline(service, "p1")["scoring_since"] is None


def test_a_crash_before_scoring_or_mid_round_is_recovered_by_the_next_scorer(database_url: str) -> None:
    """The queue row commits with the data; a claim not finished (the scorer died) is taken again."""
    for first in make_service(database_url):
        first.put_patient("p1", age_years=55)
        first.put_patient("p2", age_years=55)
        first.ctx.scorer.stop()  # the scorer is gone before it scored anything ...
        first.post_observations(vitals("p1", 0, resp_rate=25) + vitals("p2", 1, resp_rate=18), settle=False)
        with first.ctx.sessions.begin() as session:
            assert [c.patient_id for c in pending.claim(session, 1)] == ["p1"]  # ... or died mid-round
        with first.ctx.sessions() as session:
            rows = session.execute(select(PendingScore.patient_id, PendingScore.since, PendingScore.claimed_since))
            assert sorted((r[0], r[1] is None, r[2] is None) for r in rows) == [("p1", True, False),
                                                                                  ("p2", False, True)]  # fmt: skip
            assert session.scalars(select(PatientHour)).all() == []
    for second in make_service(database_url):  # a new server on the same database
        second.ctx.settle()
        assert news2_points(second, "p1") == {"06:00": 3} and news2_points(second, "p2") == {"07:00": 0}
        assert [a["patient_id"] for a in second.get("/api/v1/alerts")["alerts"]] == ["p1"]


def test_one_scorer_per_database(database_url: str) -> None:
    """A second service on the same database keeps its scorer idle while the first holds the lease."""
    for first in make_service(database_url):
        first.put_patient("p1", age_years=55)
        assert first.ctx.scorer._lease.acquire()
        for second in make_service(database_url):
            second.post_observations(vitals("p1", 0, resp_rate=18), settle=False)
            assert second.ctx.scorer.run_once() == 0  # no lease: it scores nothing
            first.ctx.settle()
            assert news2_points(second, "p1") == {"06:00": 0}


def test_group_commit_runs_waiting_requests_together_and_isolates_a_failure(service: Service) -> None:
    """Requests that queue behind a running one commit together; one that fails rolls back alone."""
    writer = GroupWriter(service.ctx.sessions, first=lambda session: None)
    writer.start()
    release = threading.Event()
    results: dict[int, Any] = {}

    def work(k: int) -> Any:
        def run(session: Any) -> int:
            if k == 0:
                release.wait(10)  # holds the writer while the others queue
            if k == 3:
                session.execute(update(PatientHour).values(risk=1.0))
                raise ValueError("bad batch")
            return k

        return run

    def submit(k: int) -> None:
        try:
            results[k] = writer.run(work(k))
        except ValueError as e:
            results[k] = str(e)

    service.put_patient("p1", age_years=55)
    service.post_observations(vitals("p1", 0, resp_rate=18))
    threads = [threading.Thread(target=submit, args=(k,)) for k in range(6)]
    threads[0].start()
    time.sleep(0.2)
    for t in threads[1:]:
        t.start()
    time.sleep(0.3)
    release.set()
    for t in threads:
        t.join(10)
    writer.stop()
    assert results == {0: 0, 1: 1, 2: 2, 3: "bad batch", 4: 4, 5: 5}
    assert writer.groups == [1, 5]
    assert [h["risk"] for h in timeline(service, "p1")["hours"]] != [1.0]  # the failed work left nothing


@pytest.mark.parametrize("batch", [1, 2])
def test_rounds_of_any_size_give_the_same_timelines(database_url: str, batch: int) -> None:
    for s in make_service(database_url):
        s.ctx.scorer.stop()
        s.ctx.scorer.batch = batch
        for k, pid in enumerate(("p1", "p2", "p3")):
            s.put_patient(pid, age_years=50 + k)
            s.post_observations(vitals(pid, k, resp_rate=18 + 4 * k, heart_rate=90 + 20 * k), settle=False)
        s.ctx.settle()
        # NEWS2 (RCP chart 1): RR 18 and HR 90 score 0; RR 22 scores 2, HR 110 1; RR 26 scores 3, HR 130 2.
        assert {pid: news2_points(s, pid) for pid in ("p1", "p2", "p3")} == {
            "p1": {"06:00": 0}, "p2": {"07:00": 3}, "p3": {"08:00": 5},
        }  # fmt: skip
