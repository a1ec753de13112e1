"""The service's limits, and the middleware that holds a request's body to its size limit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

__all__ = ["BodyLimit", "Limits"]


@dataclass(frozen=True)
class Limits:
    """Limits of one request (each is a ``serve`` option; docs/service.md)."""

    max_body_bytes: int = 1_048_576  #: a body of more bytes is a 413
    max_events: int = 500  #: events in one post; more is a 413
    request_seconds: float = 10.0  #: a request still running then is answered 503 (timeout)
    max_horizon: timedelta = timedelta(days=31)


class BodyLimit:
    """ASGI middleware: a body over ``max_bytes`` (declared or as sent) is answered 413 unread."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await _too_large(send, self.max_bytes)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Any, limit: int) -> None:
    body = json.dumps({"error": {"code": "body_too_large", "message": f"the body is over {limit} bytes"}}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
