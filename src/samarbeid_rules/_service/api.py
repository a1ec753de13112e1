"""The HTTP JSON API (FastAPI on Starlette): routes, access, limits and errors.

Every route needs a bearer token (:mod:`.tokens`). A case of a prison the
token may not read is answered exactly as a case that does not exist (404),
on every route; writing needs the prison in the token's ``write`` list.
Every answer other than success is a JSON ``{"error": {"code", "message",
"location"?}}`` that names ids and positions, never a value of the input;
no exception becomes a 500 with a traceback, and nothing of a request's body
is logged.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._common.errors import SamarbeidError, TimelineError
from .._common.wording import first_error, plain_problem
from .._common.version import __version__
from .._inputs.jsonread import parse_json
from .._inputs.timeline import Timeline, timeline_json_schema, validate_timeline
from .._pipeline.evaluate import _as_of, evaluate
from .._pipeline.report import Report
from .ahead import LookAhead
from .audit import (
    Auditor, _iso_duration, case_worklist_result, open_with_audit_id, prison_worklist_head, report_digest,
    with_audit_id, worklist_bytes,
)
from .cases import Cases, us
from .digests import canonical_json, digest_bytes, digest_parts, event_digest, events_digest
from .errors import ServiceError, from_timeline_error, not_found
from .models import (
    AuditList, AuditRecord, CaseIn, CaseOut, ErrorBody, EventsIn, EventsOut, Health, PrisonWorklist,
    Verification, Worklist,
)
from .store import audit_json
from .tokens import Grant, TokenFile
from .limits import BodyLimit, Limits

__all__ = ["Service", "create_app", "openapi_document", "openapi_text"]

log = logging.getLogger("samarbeid_rules.service")

#: requests worked on at once (each in a thread; the store's writes among them are committed in
#: groups): anyio's default, which the routes used before they had their own pool
REQUEST_THREADS = 40
_HORIZON = TypeAdapter(timedelta)
_DEFAULT_HORIZON = timedelta(hours=24)
_JSON = "application/json"


#: FastAPI's own OpenTelemetry (in recent versions) is off: once a deployment configures a provider,
#: its logs would record exception messages and stack traces, and its spans the query, outside the
#: service's own logs, which name ids only. (A FastAPI without the setting has no such telemetry.)
_NO_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {}
)


def _error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        401: "no or unknown bearer token", 403: "the token may read but not write this prison",
        404: "no such case (or not one the token may see)", 409: "conflict (the message names the id)",
        413: "body or event count over the limit", 422: "invalid input (located, without its values)",
        503: "over the time limit, or the store is busy",
    }
    return {c: {"model": ErrorBody, "description": text[c]} for c in codes}


@dataclass
class Service:
    """What the routes share: the cases, the audit trail, the tokens and the limits."""

    cases: Cases
    auditor: Auditor
    tokens: TokenFile
    limits: Limits
    #: the request threads (started as requests come)
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="samarbeid-request")
    )
    #: judges prison views' cases ahead while no request is worked on (:mod:`.ahead`)
    ahead: LookAhead = field(init=False)

    def __post_init__(self) -> None:
        self.ahead = LookAhead(self.cases)

    # --- pieces the routes use ----------------------------------------------------------

    def grant(self, credentials: HTTPAuthorizationCredentials | None) -> Grant:
        found = self.tokens.grant_for(credentials.credentials) if credentials is not None else None
        if found is None:
            raise ServiceError(401, "unauthorized", "a valid bearer token is required")
        return found

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker thread, within the time limit; every failure a ServiceError.

        The threads are the service's own pool, run by the event loop directly: anyio's
        ``to_thread`` (a capacity limiter, a cancel scope) and ``asyncio.wait_for`` (a task of its
        own before 3.12) cost a post about a tenth of its time. A request over the limit is answered
        503 at once; its thread finishes its work (a write is committed or not, as a whole).
        """
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.limits.request_seconds):
                return await loop.run_in_executor(self.pool, _guarded, fn, *args)
        except TimeoutError:
            raise ServiceError(503, "timeout", "the request took longer than the time limit") from None


def _guarded(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except ServiceError:
        raise
    except TimelineError as exc:
        raise from_timeline_error(exc, source="request") from None
    except SamarbeidError as exc:
        raise ServiceError(422, "invalid_input", str(exc)) from None
    except Exception as exc:  # a fault of ours or of the store: typed, logged without its message
        log.error("internal error %s in %s", type(exc).__name__, getattr(fn, "__name__", "?"))
        raise ServiceError(503, "unavailable", "the request could not be completed; try again") from None


def _parse_as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return _as_of(text, None)
    except TimelineError as exc:
        raise from_timeline_error(exc, source="query") from None


def _parse_horizon(text: str | None, limits: Limits) -> timedelta:
    if text is None:
        return _DEFAULT_HORIZON
    try:
        value = _HORIZON.validate_python(text)
    except ValidationError:
        raise ServiceError(422, "invalid_input", "horizon is not an ISO 8601 duration (e.g. PT24H)",
                           {"source": "query", "field": "horizon"}) from None
    if value < timedelta(0) or value > limits.max_horizon:
        raise ServiceError(422, "invalid_input",
                           f"horizon must lie between PT0S and {_iso_duration(limits.max_horizon)}",
                           {"source": "query", "field": "horizon"})
    return value


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=_JSON, headers=headers)


def _error_response(err: ServiceError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
    return _json(err.body(), err.status, headers)


def _body(raw: bytes) -> Any:
    try:
        return parse_json(raw, "request", TimelineError)
    except TimelineError as exc:
        location: dict[str, Any] = {"source": "request"}
        if exc.line is not None:
            location.update(line=exc.line, column=exc.column)
        raise ServiceError(422, "invalid_json", exc.problem, location) from None


def create_app(service: Service) -> FastAPI:
    """The ASGI application of ``service``."""
    app = FastAPI(
        title="samarbeid-rules",
        version=__version__,
        summary="Custody timelines judged against the duties of the prison and the health services.",
        openapi_url=None, docs_url=None, redoc_url=None, **_NO_TELEMETRY,
    )
    bearer = HTTPBearer(auto_error=False, description="a token of the server's token file")
    limits = service.limits
    cases, auditor = service.cases, service.auditor

    # async: FastAPI runs a plain function dependency in a worker thread, a hop per request for a lookup
    async def grant(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Grant:
        return service.grant(credentials)

    def readable(g: Grant, prison_id: str) -> None:
        if not g.may_read(prison_id):
            raise not_found()

    def writable(g: Grant, prison_id: str) -> None:
        readable(g, prison_id)
        if not g.may_write(prison_id):
            raise ServiceError(403, "forbidden", "this token may read this prison but not write it")

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> Response:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        err = first_error(list(exc.errors())) if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in err.get("loc", ())]
        source = loc[0] if loc and loc[0] in ("query", "path", "header", "body") else "request"
        where = {"source": "request" if source == "body" else source, "field": ".".join(loc[1:]) or None}
        return _error_response(ServiceError(422, "invalid_input", plain_problem(err), where))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        message = {404: "no such resource", 405: "method not allowed"}.get(exc.status_code, "bad request")
        return _error_response(ServiceError(exc.status_code, code, message))

    # --- about the server -------------------------------------------------------------

    @app.get("/v1/health", response_model=Health, responses=_error_responses(401), tags=["server"])
    async def health(g: Grant = Depends(grant)) -> Response:
        """The server runs, its store answers, and what it judges with."""
        version = await service.run(cases.store.schema_version)
        fixed = auditor.fixed
        return _json({"status": "ok", "store": cases.store.dialect, "schema_version": version,
                      "library_version": __version__, "rule_set": fixed["rule_set"], "profile": fixed["profile"],
                      "engine": fixed["engine"]})

    @app.get("/v1/rules", responses=_error_responses(401), tags=["server"])
    async def rules(g: Grant = Depends(grant)) -> Response:
        """The rule set: its citation, the digest of its files, versions by date and every rule file."""
        return _json(_rules_json(cases.judge.rules.rule_set, auditor.fixed["rule_set_digest"]))

    @app.get("/v1/profile", responses=_error_responses(401), tags=["server"])
    async def profile(g: Grant = Depends(grant)) -> Response:
        """The interpretation profile the server judges with (strict and lenient bounds)."""
        return _json({"digest": auditor.fixed["profile_digest"], **cases.judge.profile.model_dump(mode="json")})

    @app.get("/v1/schemas/timeline", responses=_error_responses(401), tags=["server"])
    async def timeline_schema(g: Grant = Depends(grant)) -> Response:
        """JSON Schema of a timeline (and of its events)."""
        return _json(timeline_json_schema())

    @app.get("/v1/schemas/report", responses=_error_responses(401), tags=["server"])
    async def report_schema(g: Grant = Depends(grant)) -> Response:
        """JSON Schema of a report."""
        return _json(Report.model_json_schema(mode="serialization"))

    @app.get("/v1/openapi.json", responses=_error_responses(401), tags=["server"])
    async def openapi_document(g: Grant = Depends(grant)) -> Response:
        """This API's OpenAPI 3.1 document (the same as docs/openapi.json)."""
        return _json(app.openapi())

    # --- stateless evaluation ------------------------------------------------------------

    @app.post(
        "/v1/evaluate", response_model=Report, responses=_error_responses(401, 403, 413, 422, 503),
        openapi_extra=_body_schema("Timeline"), tags=["evaluation"],
    )
    async def evaluate_timeline(
        request: Request, as_of: str | None = Query(None, description="instant to judge at, with a UTC offset"),
        g: Grant = Depends(grant),
    ) -> Response:
        """Evaluate a timeline sent in the body (nothing is stored); the report, as ``evaluate()`` gives it."""
        when = _parse_as_of(as_of)
        data = _body(await request.body())

        def run() -> tuple[str, int]:
            try:
                tl = validate_timeline(data, source="request")
            except TimelineError as exc:
                raise from_timeline_error(exc, source="request") from None
            if tl.prison_id is not None and not g.may_read(tl.prison_id):
                raise ServiceError(403, "forbidden", "this token may not read the timeline's prison")
            rep = evaluate(tl, as_of=when, rules=cases.judge.rules, profile=cases.judge.profile,
                           engine=cases.judge.engine)
            text = rep.to_json()
            pairs = [(e.id, event_digest(canonical_json(e.model_dump(mode="json")))) for e in tl.events]
            rid = auditor.record("evaluation", prison_id=tl.prison_id or "", case_id=tl.case_id, as_of=rep.as_of,
                                 horizon=None, event_count=len(tl.events), case_counts=None,
                                 events_digest_=events_digest(pairs), result_digest=report_digest(rep),
                                 token=g.name)
            return text, rid

        text, rid = await service.run(run)
        return Response(text, media_type=_JSON, headers={"Audit-Id": str(rid)})

    # --- cases and events ----------------------------------------------------------------

    @app.put(
        "/v1/prisons/{prison_id}/cases/{case_id}", response_model=CaseOut, status_code=200,
        responses={201: {"model": CaseOut, "description": "created"}, **_error_responses(401, 403, 404, 409, 413, 422, 503)},
        openapi_extra=_body_schema("CaseIn"), tags=["cases"],
    )
    async def put_case(prison_id: str, case_id: str, request: Request, g: Grant = Depends(grant)) -> Response:
        """Create a case (201), or find it with the same person (200); another person under its id is a 409.

        The birth date is kept to judge age-bound duties and never returned.
        """
        writable(g, prison_id)
        data = _body(await request.body())
        if not isinstance(data, dict) or set(data) != {"person"}:
            raise ServiceError(422, "invalid_input", "the body is {\"person\": {\"id\", \"birth_date\"}}",
                               {"source": "request", "field": "person"})

        def run() -> tuple[bool, dict[str, Any]]:
            created = cases.create(prison_id, case_id, data["person"])
            return created, cases.describe(prison_id, case_id)

        created, out = await service.run(run)
        return _json({**out, "created": created}, 201 if created else 200)

    @app.get(
        "/v1/prisons/{prison_id}/cases/{case_id}", response_model=CaseOut,
        responses=_error_responses(401, 404, 503), tags=["cases"],
    )
    async def get_case(prison_id: str, case_id: str, g: Grant = Depends(grant)) -> Response:
        """The case: its ids, how many events are stored and their digest."""
        readable(g, prison_id)
        return _json(await service.run(cases.describe, prison_id, case_id))

    @app.post(
        "/v1/prisons/{prison_id}/cases/{case_id}/events", response_model=EventsOut,
        responses=_error_responses(401, 403, 404, 409, 413, 422, 503), openapi_extra=_body_schema("EventsIn"),
        tags=["cases"],
    )
    async def post_events(prison_id: str, case_id: str, request: Request, g: Grant = Depends(grant)) -> Response:
        """Post one or more events; they are stored together, committed before this answer, or not at all.

        Idempotent by event id: the same id with the same content is acknowledged again (``stored: false``);
        with other content it is a 409 naming the id.
        """
        return await posted(g, prison_id, case_id, await request.body())

    async def posted(g: Grant, prison_id: str, case_id: str, raw: bytes) -> Response:
        """The answer to a post (served by :class:`LeanPost`)."""
        writable(g, prison_id)
        data = _body(raw)
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(data, dict) or set(data) != {"events"} or not isinstance(events, list) or not events:
            raise ServiceError(422, "invalid_input", "the body is {\"events\": [event, ...]} with at least one event",
                               {"source": "request", "field": "events"})
        if len(events) > limits.max_events:
            raise ServiceError(413, "too_many_events", f"at most {limits.max_events} events per request",
                               {"source": "request", "field": "events"})
        results, count = await service.run(cases.post, prison_id, case_id, events)
        return _json({"prison_id": prison_id, "case_id": case_id, "event_count": count, "results": results})

    # --- reports and work lists ---------------------------------------------------------

    @app.get(
        "/v1/prisons/{prison_id}/cases/{case_id}/report", response_model=Report,
        responses={200: {"headers": _AUDIT_HEADER}, **_error_responses(401, 404, 422, 503)}, tags=["judgements"],
    )
    async def case_report(
        prison_id: str, case_id: str, g: Grant = Depends(grant),
        as_of: str | None = Query(None, description="instant to judge at, with a UTC offset (default: latest event)"),
    ) -> Response:
        """The case's report at ``as_of``: exactly ``evaluate()`` of its stored events."""
        readable(g, prison_id)
        when = _parse_as_of(as_of)

        def run() -> tuple[str, int]:
            rep, _, count, digest = cases.report(prison_id, case_id, when)
            rid = auditor.record("report", prison_id=prison_id, case_id=case_id, as_of=rep.as_of, horizon=None,
                                 event_count=count, case_counts=None, events_digest_=digest,
                                 result_digest=report_digest(rep), token=g.name)
            cases.note_reported(prison_id, case_id, us(rep.as_of))
            return rep.to_json(), rid

        text, rid = await service.run(run)
        return Response(text, media_type=_JSON, headers={"Audit-Id": str(rid)})

    @app.get(
        "/v1/prisons/{prison_id}/cases/{case_id}/worklist", response_model=Worklist,
        responses=_error_responses(401, 404, 422, 503), tags=["judgements"],
    )
    async def case_worklist(
        prison_id: str, case_id: str, g: Grant = Depends(grant),
        as_of: str | None = Query(None, description="instant, with a UTC offset (default: latest event)"),
        horizon: str | None = Query(None, description="ISO 8601 duration, PT0S to P31D (default PT24H)"),
    ) -> Response:
        """The case's open obligations due by ``as_of + horizon`` (overdue ones included), by due time."""
        readable(g, prison_id)
        when, span = _parse_as_of(as_of), _parse_horizon(horizon, limits)

        def run() -> bytes:
            items, used, count, digest = cases.worklist(prison_id, case_id, when, span)
            body = worklist_bytes(case_worklist_result(prison_id, case_id, used, span, items))
            rid = auditor.record("case_worklist", prison_id=prison_id, case_id=case_id, as_of=used, horizon=span,
                                 event_count=count, case_counts=None, events_digest_=digest,
                                 result_digest=digest_bytes(body), token=g.name)
            cases.note_reported(prison_id, case_id, us(used))
            return with_audit_id(body, rid)

        return Response(await service.run(run), media_type=_JSON)

    @app.get(
        "/v1/prisons/{prison_id}/worklist", response_model=PrisonWorklist,
        responses=_error_responses(401, 404, 422, 503), tags=["judgements"],
    )
    async def prison_worklist(
        prison_id: str, g: Grant = Depends(grant),
        as_of: str = Query(description="instant, with a UTC offset"),
        horizon: str | None = Query(None, description="ISO 8601 duration, PT0S to P31D (default PT24H)"),
    ) -> Response:
        """Every case of the prison with something due by ``as_of + horizon``, the soonest first."""
        readable(g, prison_id)
        when, span = _parse_as_of(as_of), _parse_horizon(horizon, limits)
        assert when is not None

        def run() -> bytes:
            rows, counts, pairs = cases.prison_worklist(prison_id, when, span)  # rows: their JSON
            head = prison_worklist_head(prison_id, when, span)  # the body is head + rows + b"}"
            rid = auditor.record("prison_worklist", prison_id=prison_id, case_id=None, as_of=when, horizon=span,
                                 event_count=None, case_counts=counts, events_digest_=events_digest(pairs),
                                 result_digest=digest_parts(head, rows, b"}"), token=g.name)
            cases.note_reported(prison_id, None, us(when))
            return open_with_audit_id((head, rows), rid)

        return Response(await service.run(run), media_type=_JSON)

    # --- the audit trail -------------------------------------------------------------------

    @app.get(
        "/v1/prisons/{prison_id}/audit", response_model=AuditList, responses=_error_responses(401, 404, 422, 503),
        tags=["audit"],
    )
    async def audit_list(
        prison_id: str, g: Grant = Depends(grant),
        after: int = Query(0, ge=0, le=2**62, description="records with a greater id"),
        limit: int = Query(100, ge=1, le=1000),
    ) -> Response:
        """The prison's audit records, oldest first."""
        readable(g, prison_id)
        rows = await service.run(cases.store.list_audit, prison_id, after, limit)
        return _json({"records": [audit_json(r) for r in rows]})

    def _record(g: Grant, record_id: int):
        row = cases.store.get_audit(record_id)
        if row is None or not g.may_read(row.values["prison_id"]):
            raise not_found("audit record")
        return row

    @app.get("/v1/audit/{record_id}", response_model=AuditRecord, responses=_error_responses(401, 404, 422, 503),
             tags=["audit"])
    async def audit_record(record_id: int, g: Grant = Depends(grant)) -> Response:
        """One audit record."""
        return _json(audit_json(await service.run(_record, g, _bounded(record_id))))

    @app.post("/v1/audit/{record_id}/verify", response_model=Verification,
              responses=_error_responses(401, 404, 409, 422, 503), tags=["audit"])
    async def audit_verify(record_id: int, g: Grant = Depends(grant)) -> Response:
        """Re-run a recorded judgement from the stored events and confirm its digests."""

        def run() -> dict[str, Any]:
            return auditor.verify(_record(g, _bounded(record_id)))

        return _json(await service.run(run))

    app.openapi = lambda: openapi_document_of(app)  # type: ignore[method-assign]
    app.add_middleware(LeanPost, service=service, posted=posted)  # inside BodyLimit (added after it)
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(Busy, ahead=service.ahead)  # outermost: from a request's start to its answer's end
    return app


_EVENTS_PATH = re.compile(r"/v1/prisons/(?P<prison_id>[^/]+)/cases/(?P<case_id>[^/]+)/events")


class Busy:
    """ASGI: every HTTP request marks the service busy from its start to the end of its answer, so
    that cases are judged ahead (:mod:`.ahead`) only while no request is being worked on."""

    def __init__(self, app: Any, ahead: LookAhead) -> None:
        self.app, self.ahead = app, ahead

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.ahead.busy():
            await self.app(scope, receive, send)


class LeanPost:
    """ASGI: ``POST /v1/prisons/{prison_id}/cases/{case_id}/events``, the route case systems call
    most, answered without FastAPI's routing and dependency solving, which cost a post about a
    quarter of the server's time. The answer is the route's own (``posted`` is its body, and
    ``post_events`` in :func:`create_app` declares it for the OpenAPI document); only the bearer
    token is read here, as ``HTTPBearer`` reads it. Every other request, and this one under a root
    path, goes on to FastAPI. It sits inside :class:`~.limits.BodyLimit`."""

    def __init__(self, app: Any, service: Service,
                 posted: Callable[[Grant, str, str, bytes], Any]) -> None:
        self.app, self.service, self.posted = app, service, posted

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        found = (_EVENTS_PATH.fullmatch(scope["path"])
                 if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path") else None)
        if found is None:
            await self.app(scope, receive, send)
            return
        try:
            grant = self.service.grant(_bearer(Headers(scope=scope).get("authorization")))
            chunks: list[bytes] = []
            while True:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            response = await self.posted(grant, found["prison_id"], found["case_id"], b"".join(chunks))
        except ServiceError as err:
            response = _error_response(err)
        await response(scope, receive, send)


def _bearer(authorization: str | None) -> HTTPAuthorizationCredentials | None:
    """The credentials of an ``Authorization: Bearer <token>`` header, read as FastAPI's
    ``HTTPBearer(auto_error=False)`` reads them; None for no header or another scheme."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if not (scheme and token) or scheme.lower() != "bearer":
        return None
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=token)


_AUDIT_HEADER = {"Audit-Id": {"description": "id of the audit record of this judgement", "schema": {"type": "string"}}}


def _bounded(record_id: int) -> int:
    if not 0 <= record_id < 2**62:
        raise not_found("audit record")
    return record_id


def _body_schema(name: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{name}"}}}}}


def openapi_document_of(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with the request bodies' schemas (the library's models) in its components."""
    if app.openapi_schema is None:
        doc = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes,
                          openapi_version="3.1.0")
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for model in (Timeline, EventsIn, CaseIn):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in schema.pop("$defs", {}).items():
                schemas.setdefault(name, sub)
            schemas[model.__name__] = schema
        doc["components"]["schemas"] = dict(sorted(schemas.items()))
        app.openapi_schema = doc
    return app.openapi_schema


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI 3.1 document, as ``GET /v1/openapi.json`` serves it (no store or tokens needed)."""
    from .tokens import TokenFile

    placeholder = Service(cases=None, auditor=None, tokens=TokenFile([]), limits=Limits())  # type: ignore[arg-type]
    return create_app(placeholder).openapi()


def openapi_text() -> str:
    """The document as committed in docs/openapi.json."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def _rules_json(rule_set: Any, digest: str) -> dict[str, Any]:
    """The rule set as ``samarbeid-rules rules --format json`` gives it, with the digest of its files."""
    described = rule_set.describe()
    del described["directory"]  # a path on the server: not the client's business
    return {**described, "digest": digest}