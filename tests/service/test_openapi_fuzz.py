"""schemathesis over the OpenAPI: no 5xx, every response as documented, every error in the one shape,
and input the schema forbids is refused.

Each operation gets generated requests (valid and invalid bodies, paths and queries) sent with
an admin token to the app on each database.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.service.conftest import Service

EXAMPLES = 25
#: Checks left out, and why: the tokens are valid on purpose (401/403 have their own tests in
#: test_auth.py); and schema-valid input may still be refused on meaning the schema cannot say
#: (an unknown patient, a value outside its plausible range, a unit that does not convert).
EXCLUDED = [schemathesis.checks.ignored_auth, schemathesis.checks.positive_data_acceptance]


def _error_shape(response: Any) -> None:
    if response.status_code < 400:
        return
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"].get("code"), str) and isinstance(body["error"].get("message"), str), body


@pytest.mark.slow
def test_api_never_fails_and_keeps_its_contract(service: Service) -> None:
    service.put_patient("p1", age_years=60)
    service.post_observations(
        [{"patient_id": "p1", "time": "2026-03-01T08:00:00Z", "variable": "resp_rate", "value": 26}]
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", service.client.app)
    # The EHR routes answer in FHIR / CDS Hooks shapes; tests/ehr/test_ehr_openapi_fuzz.py fuzzes them.
    ehr = ("/fhir", "/cds-services")
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if not op.path.startswith(ehr)]
    assert len(operations) >= 12
    headers = service.headers("admin")

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{case.operation.label}: {response.status_code} {response.text}"
            _error_shape(response)
            case.validate_response(response, excluded_checks=EXCLUDED)

        run()
