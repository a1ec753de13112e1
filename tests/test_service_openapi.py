"""The OpenAPI 3.1 document: committed (docs/openapi.json), served, the same; and Schemathesis runs
against the live server from the committed document: no 500, every response as documented."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from service_support import Server, auth

from samarbeid_rules._service.api import openapi_text

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
PERSON = {"id": "p-1", "birth_date": "1990-01-01"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, token_file):
    srv = Server(str(tmp_path_factory.mktemp("openapi") / "store.db"), token_file).start()
    with srv.client() as c:  # something to find: a case with events, and audit records
        c.put("/v1/prisons/oslo/cases/c1", json={"person": PERSON})
        c.post("/v1/prisons/oslo/cases/c1/events", json={"events": [
            {"id": "a1", "type": "admitted", "at": "2026-02-10T09:00:00+01:00", "custody_kind": "sentence"},
            {"id": "x1", "type": "exclusion_started", "at": "2026-02-10T13:20:00+01:00", "measure_id": "m1",
             "basis": "strgjfl_37", "scope": "full"}]})
        c.get("/v1/prisons/oslo/cases/c1/report")
    yield srv
    srv.stop()


def test_committed_document_is_the_served_one(server):
    """Regenerate with `make openapi` when the API changes; this fails while the two differ."""
    served = httpx.get(server.url + "/v1/openapi.json", headers=auth()).json()
    committed = json.loads(COMMITTED.read_text())
    assert served == committed, "docs/openapi.json is out of date: run `make openapi`"
    assert COMMITTED.read_text() == openapi_text()
    assert committed["openapi"] == "3.1.0"


schema = schemathesis.openapi.from_path(COMMITTED)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_live_server_keeps_its_document(case, server):
    """Generated requests (valid and not) to every operation: never a 500, always a documented answer."""
    case.call_and_validate(base_url=server.url, headers=auth(), checks=CHECKS, timeout=30)
