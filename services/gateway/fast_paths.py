"""The two hot routes answered in front of FastAPI: pose frames (once a second per exercising patient) and the dashboard's entrance log.

Neither needs what FastAPI does per request: no route matching across every route, no dependency
solving, no body model. That work cost more than half of the gateway's CPU per call
(docs/performance.md). This pure-ASGI layer sits between GatewayMiddleware, which still assigns the
request id, caps the body and records the figures, and the app. It answers those two routes itself
through the same functions their FastAPI routes use (`ingest_pose_batch`, `log_app_entrance`). The
FastAPI routes stay, for the OpenAPI document, for an app mounted without this layer, and for an
entrance log with a body: that is refused there (422 naming the field), as it always was.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from services.gateway.auth import MISSING_BEARER, require_one_of, verified_caller
from services.gateway.errors import ApiError
from services.gateway.routes import entrances, telemetry

_JSON = (b"content-type", b"application/json")
_PATIENT = ("patient",)


def _route(router: Any, path: str) -> Any:
    # The route object labels the request in the gateway's metrics exactly as FastAPI would.
    return next(r for r in router.routes if getattr(r, "path", None) == path)


class FastPaths:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.pose_route = _route(telemetry.router, telemetry.POSE_FRAMES_PATH)
        self.log_route = _route(entrances.router, entrances.LOG_PATH)

    def __getattr__(self, name: str) -> Any:
        # Transparent to whoever reaches the app through the middleware (its state, routes, openapi).
        return getattr(self.app, name)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
        elif scope["path"] == telemetry.POSE_FRAMES_PATH:
            await self._pose(scope, receive, send)
        elif scope["path"] == entrances.LOG_PATH:
            await self._log(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _pose(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["route"] = self.pose_route
        content_type, authorization = _headers(scope)
        body = await _body(receive)
        try:
            reply = await telemetry.ingest_pose_batch(
                self.app.state.pose_streams, self.app.state.identities, content_type, authorization, body,
                scope["state"]["request_id"],
            )
        except ApiError as exc:
            await _send_error(send, exc)
            return
        await _send_json(send, 200, reply)

    async def _log(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = await _body(receive)
        content_type, authorization = _headers(scope)
        if body and not (body.strip() == b"{}" and (content_type or "").split(";", 1)[0].strip().lower() == "application/json"):
            # Anything but no body or `{}`: FastAPI's route answers it (a field is refused, naming it).
            await self.app(scope, _replay(body), send)
            return
        if authorization is None and scope.get("state", {}).get("browser_session") is not None:
            # A browser's cookie session (the patient portal logs its visit): the route's dependency admits it.
            await self.app(scope, _replay(body), send)
            return
        scope["route"] = self.log_route
        try:
            scheme, _, token = (authorization or "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise ApiError(401, "unauthenticated", MISSING_BEARER)
            state = self.app.state
            caller = require_one_of(await verified_caller(state, token, scope["state"]["request_id"]), _PATIENT)
            status, reply = await entrances.log_app_entrance(state.clients, caller)
        except ApiError as exc:
            await _send_error(send, exc)
            return
        # As JSONResponse renders it.
        await _send_json(send, status, json.dumps(reply, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode())


def _headers(scope: dict[str, Any]) -> tuple[str | None, str | None]:
    content_type = authorization = None
    for name, value in scope["headers"]:  # the first of a repeated header wins, as in Starlette
        if name == b"content-type" and content_type is None:
            content_type = value.decode("latin-1")
        elif name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
    return content_type, authorization


async def _send_json(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [_JSON, (b"content-length", str(len(body)).encode()), *(extra or ())]})
    await send({"type": "http.response.body", "body": body})


async def _send_error(send: Any, exc: ApiError) -> None:
    """The same body and headers (Retry-After on a 503) as the app's ApiError handler."""
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (getattr(exc, "headers", None) or {}).items()]
    await _send_json(send, exc.status, json.dumps(exc.body(), ensure_ascii=False, separators=(",", ":")).encode(), extra)


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


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
