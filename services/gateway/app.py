"""The HTTP API for the apps: verifies tokens, maps REST onto the services' gRPC APIs."""

from __future__ import annotations

import asyncio
import pkgutil
from contextlib import asynccontextmanager
from importlib import import_module
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.identity import Identity
from services.common.logging import configure_logging, get_logger
from services.common.settings import Settings
from services.common.tracing import provider, traced_asgi
from services.gateway.auth import TokenVerifier
from services.gateway.browser_session import BrowserSessionLayer, BrowserSessions
from services.gateway.browser_session import router as browser_session_router
from services.gateway.clients import ServiceClients
from services.gateway.errors import ApiError
from services.gateway.identity_check import IdentityResolver
from services.gateway.middleware import GatewayMiddleware
from services.gateway.fast_paths import FastPaths
from services.gateway.oidc import OidcClient
from services.gateway.routing import document_errors
from services.gateway.session_ledger import SessionLedger
from services.gateway import routes
from services.gateway.schemas.operations import HealthReply, LiveReply
from services.gateway.web import WebApp, add_local_docs

log = get_logger(__name__)


def create_app(settings: Settings) -> Any:
    configure_logging(
        settings.log_format, settings.log_level, service="gateway",
        file=settings.log_file, max_bytes=settings.log_max_bytes, backups=settings.log_backups,
    )
    if provider("gateway") is not None:
        log.info("tracing.on", service="gateway")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.clients = ServiceClients(settings)
        app.state.identities = IdentityResolver(
            app.state.clients.resolve_identity, settings.identity_cache_ttl.total_seconds(),
            settings.auth.telemetry_token_keys,
        )
        # Sign-outs recorded by every gateway, read every MOMENTUM_SESSION_SYNC_SECONDS (session_ledger.py).
        syncing = asyncio.create_task(ledger.run())
        yield
        ledger.stop()
        try:
            await asyncio.wait_for(syncing, timeout=settings.grpc_deadline.total_seconds() + 1)
        except asyncio.TimeoutError:
            log.warning("browser_sessions.sync_stop_timed_out")
        if oidc is not None:
            await oidc.close()
        await app.state.clients.close()

    app = FastAPI(
        title="Momentum API",
        version="0.1.0",
        description="Remote physical-therapy platform: plans, workouts, streaks, app entrances, telemetry.",
        lifespan=lifespan,
        # Served by web.py from local assets: no page of ours loads a CDN.
        docs_url=None,
        redoc_url=None,
        # FastAPI's own OpenTelemetry would start a second server span, inside the fast paths and sign-in layers:
        # the request's span is traced_asgi's, around every layer. Prometheus and our log lines are the rest.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings.auth)
    ledger = SessionLedger(lambda: app.state.clients, settings.browser_sessions.sync_interval.total_seconds())
    app.state.browser_sessions = BrowserSessions(settings.auth, settings.browser_sessions, ledger)
    oidc_settings = settings.browser_sessions.oidc
    oidc = OidcClient(oidc_settings, app.state.verifier) if oidc_settings is not None else None

    async def admit(claimed: Identity) -> Identity:
        return await app.state.identities.resolve(claimed)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems, fields = [], []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()))
            problems.append(f"{where}: {error.get('msg')}")
            fields.append({"field": validation_field(error.get("loc", ())), "message": str(error.get("msg"))})
        return JSONResponse({"error": "invalid_argument", "detail": "; ".join(problems), "errors": fields}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated", 403: "permission_denied"}
        return JSONResponse(
            {"error": names.get(exc.status_code, "http_error"), "detail": str(exc.detail), "errors": []},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Only the body: GatewayMiddleware counts the 500 and logs its traceback once (Starlette re-raises).
        return JSONResponse(
            {"error": "internal", "detail": f"internal error; request id {request.state.request_id}", "errors": []},
            status_code=500,
        )

    @app.get("/livez", response_model=LiveReply, tags=["operations"], operation_id="getLiveness")
    async def livez() -> dict[str, str]:
        """Liveness: the process answers. No dependency is asked, so a database or service outage never gets a
        healthy gateway restarted."""
        return {"status": "ok"}

    async def readiness(request: Request) -> JSONResponse:
        """Readiness: 200 when every service the gateway calls reports SERVING on its gRPC health, else 503 with
        each service's status and a Retry-After."""
        dependencies = await request.app.state.clients.health()
        ready = all(status == "serving" for status in dependencies.values())
        return JSONResponse(
            {"status": "ok" if ready else "degraded", "dependencies": dependencies},
            status_code=200 if ready else 503, headers=None if ready else {"Retry-After": "2"},
        )

    readiness_responses: dict[int | str, dict[str, Any]] = {
        503: {"model": HealthReply, "description": "Not ready: a service behind the gateway is not serving (its own "
              "database, broker or S3 is away, or it is down)"},
    }
    app.add_api_route(
        "/readyz", readiness, methods=["GET"], response_model=HealthReply, tags=["operations"],
        responses=readiness_responses, summary="Readiness: every service the gateway calls reports SERVING",
        operation_id="getReadiness",
    )
    # The older name of readiness, kept for probes and scripts that use it.
    app.add_api_route(
        "/healthz", readiness, methods=["GET"], response_model=HealthReply, tags=["operations"],
        responses=readiness_responses, summary="Readiness (alias of /readyz)", operation_id="getReadinessAlias",
    )

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    # Every module in routes/ contributes one router: adding a route file is all it takes.
    for module in sorted(m.name for m in pkgutil.iter_modules(routes.__path__)):
        app.include_router(document_errors(import_module(f"services.gateway.routes.{module}").router))
    app.include_router(document_errors(browser_session_router))
    add_local_docs(app)
    # Outermost first: request id and body cap; CORS; the web app's files; the cookie session into the request's
    # state; the fast paths (pose, entrance log).
    layered: Any = WebApp(
        BrowserSessionLayer(FastPaths(app), app.state.browser_sessions, oidc, admit),
        Path(settings.web_dist) if settings.web_dist else None,
    )
    if settings.cors_allow_origins:
        # Off by default: the web app is served by the gateway itself (same origin); CORS is for another origin's app.
        layered = CORSMiddleware(
            layered, allow_origins=list(settings.cors_allow_origins), allow_credentials="*" not in settings.cors_allow_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "Idempotency-Key", "X-Request-Id"],
            expose_headers=["Retry-After", "X-Request-Id"], max_age=600,
        )
    return traced_asgi(GatewayMiddleware(layered, settings.gateway_max_body_bytes), "gateway")


def validation_field(loc: Any) -> str:
    """A pydantic error location as the client names the field: `painBefore`, `exercises.0.sets`, `from` — the
    location's kind (body, query, path) dropped; the body itself when the whole of it is at fault."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"
