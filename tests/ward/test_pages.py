"""The pages' content: the API's ranking, escaping, the partial, roles, audit, the not-a-device notice."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest

from tests.ward.conftest import CALM, SICK, Ward, sick_patient

NOTICE = "supports, never replaces, clinical judgement"


def _row_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="row-([^"]+)"', html)


def test_ward_order_is_the_apis_order(ward_db: Ward) -> None:
    ward = ward_db
    stories = {
        "calm": CALM,
        "urgent": {**CALM, "resp_rate": 22, "heart_rate": 112, "temp_c": 38.6},  # NEWS2 5: urgent
        "emergency": SICK,
        "slightly": {**CALM, "heart_rate": 95},
    }
    for bed, (pid, values) in enumerate(stories.items()):
        ward.patient(pid, bed=str(bed + 1))
        ward.vitals(pid, ward.clock.now - timedelta(minutes=10), values)
    api = [r["patient_id"] for r in ward.api("GET", "/api/v1/patients", role="nurse")["patients"]]
    c = ward.sign_in("nurse")
    page = c.get("/ward")
    assert page.status_code == 200
    assert _row_ids(page.text) == api
    assert api[:2] == ["emergency", "urgent"]
    partial = c.get("/ward/rows", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<tbody") and _row_ids(partial.text) == api
    assert 'hx-trigger="every 5s"' in partial.text and "<html" not in partial.text


def test_ward_row_shows_levels_in_words_and_shapes(ward: Ward) -> None:
    sick_patient(ward)
    ward.patient("old", bed="9")
    ward.vitals("old", ward.clock.now - timedelta(hours=5), {"heart_rate": 80, "resp_rate": 16})
    text = ward.sign_in("nurse").get("/ward").text
    row = text[text.index('id="row-p1"') : text.index("</tr>", text.index('id="row-p1"'))]
    assert "news2-high" in row and "high" in unescape(re.sub(r"<[^>]+>", " ", row))
    assert "▲</span> Emergency" in row and "Open" in row and "Urgent" in row
    assert 'role="img" aria-label="Model risk, last 24 h' in row
    old = text[text.index('id="row-old"') :]
    assert "Stale: heart_rate, resp_rate" in old and "5 h 00 min ago" in old
    # NEWS2 (emergency) and qSOFA (urgent), plus the model's own alert when the shipped model's
    # risk for this patient reaches its threshold (it does for the v2 default): 2 or 3 alerts.
    assert "1 open alert" not in text and re.search(r"[23] open alerts, 1 at emergency level", text)


@pytest.mark.parametrize(
    "nasty",
    ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "Bed 4 & 5 <b>"],
)
def test_patient_supplied_text_is_escaped(ward: Ward, nasty: str) -> None:
    sick_patient(ward, bed=nasty[:64])
    ward.api("PUT", "/api/v1/patients/p1", json={"age_years": 60, "location": {"ward": nasty[:64], "bed": nasty[:64]}})
    c = ward.sign_in("nurse")
    for path in ("/ward", "/ward/rows", "/ward/alerts", "/patients/p1"):
        html = c.get(path).text
        assert nasty not in html, path
        assert "<script>alert" not in html and "<img src=x" not in html, path
    escaped = c.get("/ward").text
    assert nasty.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in escaped


@pytest.mark.parametrize("path", ["/ward", "/ward/alerts", "/patients/p1", "/ward/admin", "/ward/sign-in"])
def test_every_page_says_it_is_not_a_medical_device(ward: Ward, path: str) -> None:
    sick_patient(ward)
    html = ward.sign_in("admin").get(path).text if path != "/ward/sign-in" else ward.client().get(path).text
    assert NOTICE in html and "not a medical device" in html


def test_nurse_and_clinician_cannot_reach_admin(ward: Ward) -> None:
    for role in ("nurse", "clinician"):
        r = ward.sign_in(role).get("/ward/admin")
        assert r.status_code == 403
        assert "may not open this page" in r.text and "test-integration" not in r.text
        assert 'href="/ward/admin"' not in r.text  # not offered in the navigation either


def test_admin_sees_tokens_and_audit_status(ward_db: Ward) -> None:
    ward = ward_db
    sick_patient(ward)
    c = ward.sign_in("admin")
    html = c.get("/ward/admin").text
    for role in ("integration", "nurse", "clinician", "admin"):
        assert f"test-{role}" in html
    assert "Intact:" in html and 'href="/ward/admin"' in html
    for token in ward.tokens.values():
        assert token not in html
    entries = ward.api("GET", "/api/v1/audit", role="admin", params={"limit": 1000})["entries"]
    assert entries[-1]["action"] == "audit.verify" and entries[-1]["actor"] == "admin:test-admin"


def test_admin_page_names_a_broken_chain(ward: Ward) -> None:
    from sepsiscope.service.db.models import AuditEntry

    sick_patient(ward)
    with ward.ctx.sessions.begin() as db:
        db.get(AuditEntry, 2).actor = "someone-else"  # type: ignore[union-attr]
    html = ward.sign_in("admin").get("/ward/admin").text
    assert "Broken at entry 2" in html and "changed after writing" in html


def test_patient_page_reads_are_audited_like_api_reads(ward: Ward) -> None:
    sick_patient(ward)
    c = ward.sign_in("clinician")
    assert c.get("/patients/p1").status_code == 200
    entries = ward.api("GET", "/api/v1/audit", role="admin", params={"limit": 1000})["entries"]
    mine = {(e["action"], e["target"]) for e in entries if e["actor"] == "clinician:test-clinician"}
    assert {("patient.read", "patient/p1"), ("patient.observations.read", "patient/p1"),
            ("patient.timeline.read", "patient/p1"), ("patient.events.read", "patient/p1")} <= mine  # fmt: skip
    c.get("/ward")
    entries = ward.api("GET", "/api/v1/audit", role="admin", params={"limit": 1000})["entries"]
    assert entries[-1]["action"] == "ward.read" and entries[-1]["actor"] == "clinician:test-clinician"


@pytest.mark.parametrize("pid", ["nobody", "bad%20id", "x" * 65])
def test_unknown_or_malformed_patient_is_a_404_page(ward: Ward, pid: str) -> None:
    r = ward.sign_in("nurse").get(f"/patients/{pid}")
    assert r.status_code == 404 and "No such patient" in r.text


def test_patient_page_has_charts_data_tables_and_reasons(ward: Ward) -> None:
    sick_patient(ward)
    ward.vitals("p1", ward.clock.now - timedelta(minutes=5), {"lactate": 3.1})
    ward.events([{"patient_id": "p1", "time": (ward.clock.now - timedelta(minutes=20)).isoformat(),
                  "kind": "fluid_bolus", "fluid": "lactated_ringers", "volume_ml": 500}])  # fmt: skip
    html = ward.sign_in("nurse").get("/patients/p1").text
    blob = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    assert blob is not None
    data = json.loads(blob.group(1))
    panels = {p["id"]: p for p in data["panels"]}
    assert {s["key"] for s in panels["vitals"]["series"]} >= {"heart_rate", "resp_rate", "sbp", "spo2", "temp_c"}
    assert [s["key"] for s in panels["labs"]["series"]] == ["lactate"]
    assert {a["level"] for a in data["alerts"]} == {"emergency", "urgent"}
    assert data["events"][0]["label"] == "Fluid bolus: lactated_ringers, 500 mL"
    assert "NEWS2 trigger: NEWS2 11" in html  # the alert's reasons
    assert "Fluid bolus: lactated_ringers, 500 mL" in html  # the events table (no JavaScript)
    assert '<details class="data" open' in html and "135" in html  # the vitals table
    assert "<script>" not in html  # no inline script (CSP: scripts from this server only)


def test_patient_page_bundle_clocks_from_stored_events(ward_db: Ward) -> None:
    """Culture, IV antibiotic and a SOFA rise (platelets 40: coagulation 3) give a time zero and clocks."""
    ward = ward_db
    now = ward.clock.now
    sick_patient(ward)
    ward.vitals("p1", now - timedelta(minutes=50), {"platelets": 40, "lactate": 2.5})
    ward.events([
        {"patient_id": "p1", "time": (now - timedelta(minutes=40)).isoformat(), "kind": "blood_culture_drawn"},
        {"patient_id": "p1", "time": (now - timedelta(minutes=30)).isoformat(), "kind": "antibiotic_given",
         "drug": "ceftriaxone", "route": "iv"},
    ])  # fmt: skip
    html = ward.sign_in("nurse").get("/patients/p1").text
    bundle = html[html.index('id="bundle-h"') : html.index('id="charts-h"')]
    assert "Time zero" in bundle and "02:50 UTC" in bundle  # the culture: suspected infection first
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", bundle)))
    assert "Broad-spectrum IV antibiotics ✓ Done done at 03:00 UTC (due 03:50)" in text
    assert "Blood cultures before antibiotics ✓ Done" in text
    assert "Re-measure lactate (initial lactate raised) ◔ To do" in text
