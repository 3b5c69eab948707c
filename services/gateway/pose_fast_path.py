"""POST /v1/pose/frames answered in front of FastAPI: the one route called once a second by every exercising patient.

A pose batch needs none of what FastAPI does per request: no route matching across every route, no
dependency solving, no body model. That work cost more than half of the gateway's CPU per batch
(docs/performance.md). This pure-ASGI layer sits between GatewayMiddleware, which still assigns the
request id, caps the body and records the figures, and the app. It answers that one method and path
itself through the same `ingest_pose_batch` the FastAPI route uses. The FastAPI route stays, for the
OpenAPI document and for an app mounted without this layer.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from services.gateway.errors import ApiError
from services.gateway.routes.telemetry import POSE_FRAMES_PATH, ingest_pose_batch, router

_JSON = (b"content-type", b"application/json")


class PoseFastPath:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        # The route object labels the request in the gateway's metrics exactly as FastAPI would.
        self.route = next(r for r in router.routes if getattr(r, "path", None) == POSE_FRAMES_PATH)

    def __getattr__(self, name: str) -> Any:
        # Transparent to whoever reaches the app through the middleware (its state, routes, openapi).
        return getattr(self.app, name)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != POSE_FRAMES_PATH:
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route
        content_type = authorization = None
        for name, value in scope["headers"]:  # the first of a repeated header wins, as in Starlette
            if name == b"content-type" and content_type is None:
                content_type = value.decode("latin-1")
            elif name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
        body = await _body(receive)
        try:
            status, reply = 200, await ingest_pose_batch(
                self.app.state.telemetry_ring, self.app.state.identities, content_type, authorization, body,
                scope["state"]["request_id"],
            )
        except ApiError as exc:
            # The same body and headers (Retry-After on a 503) as the app's ApiError handler.
            status, reply = exc.status, _error_body(exc)
            extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (getattr(exc, "headers", None) or {}).items()]
        else:
            extra = []
        await send({"type": "http.response.start", "status": status,
                    "headers": [_JSON, (b"content-length", str(len(reply)).encode()), *extra]})
        await send({"type": "http.response.body", "body": reply})


def _error_body(exc: ApiError) -> bytes:
    return json.dumps(exc.body(), ensure_ascii=False, separators=(",", ":")).encode()


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
