"""Request bodies are standard JSON (RFC 8259): malformed JSON, NaN, Infinity and numbers no double can hold are a 400, on every route."""

from __future__ import annotations

import json
import math
from typing import Any, Callable, Coroutine, NoReturn

from fastapi import Request, Response
from fastapi.routing import APIRoute

from services.gateway.errors import ApiError


class NotStandardJson(ValueError):
    """What makes a body something other than standard JSON, in words a client developer can act on."""


def _no_constant(name: str) -> NoReturn:
    # Python's json module reads NaN, Infinity and -Infinity; JSON has none of them, and Postgres jsonb refuses them.
    raise NotStandardJson(f"{name} is not a JSON number (JSON has no NaN or Infinity)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotStandardJson(f"the number {text[:24]} is too large for a double")
    return value


def standard_json(body: bytes) -> Any:
    """The decoded body, or NotStandardJson; malformed JSON stays json.JSONDecodeError (the route names its position)."""
    try:
        return json.loads(body, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise NotStandardJson("nested too deeply") from None
    except ValueError as exc:
        if isinstance(exc, (json.JSONDecodeError, NotStandardJson)):
            raise
        # int("9" * 5000): Python caps the digits of an integer it parses; no real field needs a fraction of them.
        raise NotStandardJson("a number has too many digits") from None


class StandardJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = standard_json(await self.body())
        return self._json


def _json_body(request: Request) -> bool:
    """The bodies FastAPI decodes as JSON: a JSON media type (application/json, application/*+json)."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class StandardJsonRoute(APIRoute):
    """Decodes a JSON body strictly before FastAPI validates it, so the caller hears what is wrong (400, naming the
    problem) instead of a 500 from a service that cannot store or send what Python's lenient parser let in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_standard_json(request: Request) -> Response:
            strict = StandardJsonRequest(request.scope, request.receive)
            if _json_body(strict) and await strict.body():
                try:
                    await strict.json()
                except NotStandardJson as exc:
                    raise ApiError(400, "invalid_argument", f"body: {exc}") from None
                except json.JSONDecodeError as exc:
                    # The position is a character offset into the body, not a field: say so (FastAPI's own
                    # answer read "body.5: JSON decode error"). A body that is not JSON at all is a 400 like
                    # NaN above; 422 is for JSON whose fields are wrong.
                    raise ApiError(400, "invalid_argument", f"body: malformed JSON at character {exc.pos}") from None
            return await handle(strict)

        return handle_standard_json
