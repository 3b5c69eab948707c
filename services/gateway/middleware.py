"""One pure-ASGI middleware: request id, body-size limit, access log and Prometheus figures."""

from __future__ import annotations

import json
import time
from typing import Any

import structlog
from prometheus_client import Counter, Histogram

from services.common.identity import new_request_id
from services.common.logging import get_logger

log = get_logger("gateway.access")

REQUESTS = Counter("momentum_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "momentum_http_request_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


# Probes answer "not ready" every few seconds for as long as an outage lasts: counted, but no log line each.
_PROBES = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})
# Outages the app retries (a service or its database away, a deadline): expected, so a warning, not an error.
_EXPECTED_5XX = frozenset({502, 503, 504})


class GatewayMiddleware:
    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = _clean_request_id(headers.get(b"x-request-id")) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500}

        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            # No id, name or date holds a NUL, and Postgres text cannot store one: refuse it at the edge.
            # A validation failure like any other (422), though no route ever sees it.
            await _send_error(send, 422, "invalid_argument", "path and query must not contain NUL characters", request_id)
            self._observe(scope, 422, started, request_id)
            return

        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await _send_error(send, 413, "payload_too_large", f"body exceeds {self.max_body_bytes} bytes", request_id)
            self._observe(scope, 413, started, request_id)
            return

        receive_body = receive
        if declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            # Chunked upload with no declared length: read it here, within the cap, so an
            # oversized body is a clean 413 rather than a parse error deep in the framework.
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                if size > self.max_body_bytes:
                    await _send_error(send, 413, "payload_too_large", f"body exceeds {self.max_body_bytes} bytes", request_id)
                    self._observe(scope, 413, started, request_id)
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            replayed = False

            async def replay_body() -> dict[str, Any]:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                return await receive()

            receive_body = replay_body

        started_response = False

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal started_response
            if message["type"] == "http.response.start":
                started_response = True
                status_holder["status"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive_body, send_with_id)
            except Exception as exc:
                # Starlette answers an unhandled exception with the app's 500 body and then re-raises it
                # "so the server can log it": this is that server. Counted and logged here, once, with
                # its traceback; not re-raised, or uvicorn would log the same traceback a second time.
                if not started_response:
                    await _send_error(send, 500, "internal", f"internal error; request id {request_id}", request_id)
                self._observe(scope, 500, started, request_id, unhandled=exc)
                return
        self._observe(scope, status_holder["status"], started, request_id)

    def _observe(self, scope: dict[str, Any], status: int, started: float, request_id: str, unhandled: BaseException | None = None) -> None:
        route = scope.get("route")
        route_path = getattr(route, "path", None) or "unmatched"
        elapsed = time.perf_counter() - started
        REQUESTS.labels(scope["method"], route_path, str(status)).inc()
        LATENCY.labels(scope["method"], route_path).observe(elapsed)
        line = {"method": scope["method"], "route": route_path, "status": status, "ms": round(elapsed * 1000, 2), "request_id": request_id}
        if unhandled is not None:
            log.error("http.unhandled", exc_info=unhandled, **line)  # a bug: its traceback, once
        elif route_path in _PROBES:
            log.debug("http.request", **line)
        elif status in _EXPECTED_5XX:
            log.warning("http.request", **line)  # a dependency away or slow: expected, one line
        elif status >= 500:
            log.error("http.request", **line)
        else:
            log.debug("http.request", **line)


def _clean_request_id(raw: bytes | None) -> str | None:
    # A caller's id is echoed into logs: accept only a short token of safe characters.
    if not raw or len(raw) > 64:
        return None
    text = raw.decode("ascii", "ignore")
    return text if text and all(c.isalnum() or c in "-_." for c in text) else None


async def _send_error(send: Any, status: int, error: str, detail: str, request_id: str) -> None:
    body = json.dumps({"error": error, "detail": detail, "errors": []}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
