"""Access on every route: no token 401; a token for another prison 404 (as for a case that does not exist)
and nothing written; a read-only token 403 on writes; the prison's own token succeeds."""

from __future__ import annotations

import pytest
from service_support import Server, auth

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

PERSON = {"id": "p-1", "birth_date": "1990-01-01"}
EVENT = {"id": "a1", "type": "admitted", "at": "2026-02-10T09:00:00+01:00", "custody_kind": "sentence"}
AS_OF = {"as_of": "2026-02-10T12:00:00+01:00"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, token_file):
    srv = Server(str(tmp_path_factory.mktemp("access") / "store.db"), token_file).start()
    with srv.client("oslo") as c:
        assert c.put("/v1/prisons/oslo/cases/c1", json={"person": PERSON}).status_code == 201
        assert c.post("/v1/prisons/oslo/cases/c1/events", json={"events": [EVENT]}).status_code == 200
        srv.record = c.get("/v1/prisons/oslo/cases/c1/worklist", params=AS_OF).json()["audit_id"]
    yield srv
    srv.stop()


def routes(record: int):
    """(method, path, kwargs, writes) for every route that names a prison or a record of one."""
    new_event = {"id": "a2", "type": "intake_interview", "at": "2026-02-10T10:00:00+01:00"}
    return [
        ("PUT", "/v1/prisons/oslo/cases/c1", {"json": {"person": PERSON}}, True),
        ("PUT", "/v1/prisons/oslo/cases/c-new", {"json": {"person": PERSON}}, True),
        ("GET", "/v1/prisons/oslo/cases/c1", {}, False),
        ("POST", "/v1/prisons/oslo/cases/c1/events", {"json": {"events": [new_event]}}, True),
        ("GET", "/v1/prisons/oslo/cases/c1/report", {"params": AS_OF}, False),
        ("GET", "/v1/prisons/oslo/cases/c1/worklist", {"params": AS_OF}, False),
        ("GET", "/v1/prisons/oslo/worklist", {"params": AS_OF}, False),
        ("GET", "/v1/prisons/oslo/audit", {}, False),
        ("GET", f"/v1/audit/{record}", {}, False),
        ("POST", f"/v1/audit/{record}/verify", {}, False),
    ]


GLOBAL = ["/v1/health", "/v1/rules", "/v1/profile", "/v1/schemas/timeline", "/v1/schemas/report", "/v1/openapi.json"]


def _state(server):
    with server.client("all") as c:
        return (c.get("/v1/prisons/oslo/cases/c1").json(), c.get("/v1/prisons/oslo/cases/c-new").status_code)


def test_every_route_needs_a_valid_token(server):
    for method, path, kw, _ in routes(server.record):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic eDp5"}):
            r = httpx.request(method, server.url + path, headers=headers, **kw)
            assert r.status_code == 401, (method, path, r.text)
    for path in GLOBAL:
        assert httpx.get(server.url + path).status_code == 401
        assert httpx.get(server.url + path, headers=auth("bergen")).status_code == 200
    r = httpx.post(server.url + "/v1/evaluate", json={"case_id": "x", "person": PERSON, "events": []})
    assert r.status_code == 401


def test_another_prisons_token_sees_nothing_and_writes_nothing(server):
    before = _state(server)
    with server.client("bergen") as c:
        missing = c.get("/v1/prisons/bergen/cases/nothing-here")
        assert missing.status_code == 404
        for method, path, kw, _ in routes(server.record):
            r = c.request(method, path, **kw)
            assert r.status_code == 404, (method, path, r.text)
            assert r.json() == missing.json() or r.json()["error"]["code"] == "not_found"
            assert "c1" not in r.text and "p-1" not in r.text
        listed = c.get("/v1/prisons/bergen/worklist", params=AS_OF).json()
        assert listed["cases"] == []
        tl = {"case_id": "c1", "prison_id": "oslo", "person": PERSON, "events": [EVENT]}
        assert c.post("/v1/evaluate", json=tl).status_code == 403
    assert _state(server) == before


def test_a_read_only_token_reads_but_cannot_write(server):
    before = _state(server)
    with server.client("oslo-reader") as c:
        for method, path, kw, writes in routes(server.record):
            r = c.request(method, path, **kw)
            if writes:
                assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (method, path)
            else:
                assert r.status_code == 200, (method, path, r.text)
    assert _state(server) == before


def test_the_prisons_own_token_may_do_everything(server):
    with server.client("oslo") as c:
        for method, path, kw, _ in routes(server.record):
            r = c.request(method, path, **kw)
            assert r.status_code in (200, 201), (method, path, r.text)
        rec = c.get(f"/v1/audit/{server.record}").json()
        assert rec["token"] == "oslo"


def test_a_token_is_read_alike_on_the_lean_post_and_on_fastapis_routes(server):
    """The post route is answered by LeanPost, which reads the bearer header itself: every spelling
    of the header gets the same status there as on a route FastAPI answers, and 401s say Bearer."""
    token = auth("oslo")["Authorization"].split(" ", 1)[1]
    spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER   {token}", f"Bearer\t{token}", "Bearer",
                 f"Basic {token}", token, f"Bearer{token}", f"Bearer {token}x", ""]
    event = {"id": "lean-1", "type": "intake_interview", "at": "2026-02-10T10:30:00+01:00"}
    for value in spellings:
        headers = {"Authorization": value} if value else {}
        lean = httpx.post(server.url + "/v1/prisons/oslo/cases/c1/events", headers=headers,
                          json={"events": [event]})
        routed = httpx.get(server.url + "/v1/prisons/oslo/cases/c1", headers=headers)
        assert lean.status_code == routed.status_code, repr(value)
        assert lean.headers.get("www-authenticate") == routed.headers.get("www-authenticate"), repr(value)
        if lean.status_code == 401:
            assert lean.json() == routed.json() and lean.headers["www-authenticate"] == "Bearer"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(alphabet=st.sampled_from("Bb ea\trRE\u00a0x:="), max_size=12),
                 st.text(max_size=20)))
def test_the_lean_posts_bearer_reading_is_fastapis(header):
    """_bearer(value) is what FastAPI's HTTPBearer(auto_error=False) makes of the same header."""
    import asyncio

    from fastapi.security import HTTPBearer
    from starlette.requests import Request

    from samarbeid_rules._service.api import _bearer

    raw = [] if header is None else [(b"authorization", header.encode("latin-1", "replace"))]
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b""})
    sent = None if header is None else header.encode("latin-1", "replace").decode("latin-1")
    expected = asyncio.run(HTTPBearer(auto_error=False)(request))
    assert _bearer(sent) == expected
