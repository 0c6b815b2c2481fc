"""schemathesis over the EHR routes: no 5xx, responses as documented, and the right error shape per path.

``/fhir`` answers every error with an OperationOutcome (checked with the R4B model);
``/cds-services`` with the API's one JSON error shape. FHIR calls carry an integration token;
CDS calls carry a fresh EHR JWT per request (a reused one would be a replay).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, given, settings

from tests.ehr.fake_ehr import FakeEhr
from tests.ehr.test_cds import septic
from tests.service.conftest import Service

EXAMPLES = 25
EXCLUDED = [schemathesis.checks.ignored_auth, schemathesis.checks.positive_data_acceptance]


def _shape(path: str, response: Any) -> None:
    if response.status_code < 400:
        return
    body = response.json()
    if path.startswith("/fhir"):
        OperationOutcome.model_validate(body)
    else:
        assert set(body) == {"error"} and isinstance(body["error"].get("code"), str), body


@pytest.mark.slow
def test_ehr_routes_never_fail_and_keep_their_contract(cds: Service, ehr: FakeEhr) -> None:
    septic(cds)
    schema = schemathesis.openapi.from_asgi("/openapi.json", cds.client.app)
    ops = [op for op in (r.ok() for r in schema.get_all_operations()) if op.path.startswith(("/fhir", "/cds-services"))]
    assert len(ops) == 7

    for operation in ops:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            path = case.operation.path
            if path.startswith("/fhir"):
                headers = {**cds.headers("integration"), "Content-Type": "application/fhir+json"}
            else:
                service_id = (case.path_parameters or {}).get("service_id", "sepsiscope-patient-view")
                headers = {"Authorization": f"Bearer {ehr.token(str(service_id))}"}
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{case.operation.label}: {response.status_code} {response.text}"
            _shape(path, response)
            case.validate_response(response, excluded_checks=EXCLUDED)

        run()
