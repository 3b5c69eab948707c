"""The clinic web app (web/dist) served at `/`, and the API docs' Swagger UI and ReDoc assets served locally.

Pure ASGI in front of the app: a GET or HEAD of a path outside the API is a file of web/dist, or else
index.html so that the app's own router handles deep links. API paths never fall back: their 404 stays
the JSON error body. index.html is revalidated on every load (it names the current hashed bundles);
the hashed files under assets/ never change, so a browser keeps them for a year.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
# Everything under these belongs to the API (FastAPI answers, 404s included), and so does any /v<n>/: a
# version the API does not have yet is its 404, not the app's page.
API_PREFIXES = ("/api/", "/healthz", "/livez", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
API_VERSION = re.compile(r"/v[0-9]+(/|$)")
IMMUTABLE = b"public, max-age=31536000, immutable"
VENDOR = "/vendor"


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith(API_PREFIXES) or API_VERSION.match(path) is not None


def add_local_docs(app: FastAPI) -> None:
    """/docs and /redoc from the assets web/ vendors (no CDN); the app must be built with docs_url=None.
    Plain Starlette routes, as FastAPI's own docs routes are: pages, not API operations."""

    async def swagger(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title} — docs",
            swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{VENDOR}/favicon.svg",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    async def swagger_oauth2_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json", title=f"{app.title} — ReDoc",
            redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js", redoc_favicon_url=f"{VENDOR}/favicon.svg",
            with_google_fonts=False,
        )

    app.add_route("/docs", swagger, include_in_schema=False)
    app.add_route("/docs/oauth2-redirect", swagger_oauth2_redirect, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)


class WebApp:
    def __init__(self, app: Any, dist: Path | None = None) -> None:
        self.app = app
        self.dist = (dist or DIST).resolve()

    def __getattr__(self, name: str) -> Any:
        # Transparent to whoever reaches the app through the middleware (its state, routes, openapi).
        return getattr(self.app, name)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        target = self._file(scope["path"])
        if target is None:
            index = self.dist / "index.html"
            if not index.is_file():
                await self.app(scope, receive, send)  # no build: the API's JSON 404
                return
            await _send_file(send, scope, index, b"no-cache")
            return
        cache = IMMUTABLE if target.parent.name == "assets" else b"no-cache"
        await _send_file(send, scope, target, cache)

    def _file(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if not relative or "\x00" in relative:
            return None
        candidate = (self.dist / relative).resolve()
        # Never outside dist (../ in the path), never a directory.
        if not candidate.is_relative_to(self.dist) or not candidate.is_file():
            return None
        return candidate


async def _send_file(send: Any, scope: dict[str, Any], path: Path, cache: bytes) -> None:
    body = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type in ("application/javascript", "image/svg+xml"):
        media_type += "; charset=utf-8"
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode()),
        (b"cache-control", cache), (b"x-content-type-options", b"nosniff"),
    ]})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
