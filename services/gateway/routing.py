"""What every module of routes/ builds on: its router, the roles, ids in paths, the patient a read is about, bounded dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from services.common.errors import InvalidInput
from services.common.identity import Identity
from services.common.parsing import LATEST_AHEAD, date_in_window, instant_in_window, parse_uuid
from services.gateway.auth import authenticated, require_role
from services.gateway.errors import ERROR_RESPONSES, ApiError, invalid, invalid_field
from services.gateway.schemas.base import clip
from services.gateway.standard_json import StandardJsonRoute

patient = require_role("patient")
therapist = require_role("therapist")
staff = require_role("therapist", "admin")
admin = require_role("admin")


def api_router(tag: str, **options: Any) -> APIRouter:
    """A router whose bodies are standard JSON; `document_errors` lists each route's own errors once all are in."""
    return APIRouter(tags=[tag], route_class=StandardJsonRoute, **options)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The errors a route can return beyond what its signature shows (409 for a repeat, 400 for a state rule)."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


# Errors the token layer answers (services.gateway.auth, identity_check) and the services' session-token check.
AUTH_ERRORS = (401, 403)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _id_parameter(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "Id"))


def _names_a_record(dependant: Dependant) -> bool:
    """A body naming a record by id (a plan's patientId, recordIds): one the caller cannot see is a 404."""
    for body in dependant.body_params:
        model = getattr(body.field_info, "annotation", None) or getattr(body, "type_", None)
        fields = getattr(model, "model_fields", {})
        if any(name.endswith(("Id", "Ids")) for name in fields):
            return True
    return False


def route_errors(route: APIRoute) -> dict[int | str, dict[str, Any]]:
    """The errors a route can return, read from its signature: 401/403 behind a token, 404 naming a record by id,
    422 with any input, 400 and 413 with a JSON body (not standard JSON, too large), 400 where unknown query
    parameters are refused, 503 and 504 always (every route asks a service)."""
    dependant = route.dependant
    statuses = {503, 504}
    if any(call is authenticated or isinstance(call, HTTPBearer) for call in _calls(dependant)):
        statuses.update(AUTH_ERRORS)
    params = [*dependant.path_params, *dependant.query_params, *dependant.header_params,
              *(p for d in dependant.dependencies for p in (*d.path_params, *d.query_params))]
    if any(_id_parameter(p.alias) or _id_parameter(p.name) for p in params) or _names_a_record(dependant):
        statuses.add(404)
    if params or dependant.body_params or "requestBody" in (route.openapi_extra or {}):
        statuses.add(422)
    if dependant.body_params or "requestBody" in (route.openapi_extra or {}):
        statuses.update({400, 413})
    if refuses_unknown_query(route):
        statuses.add(400)
    return {status: ERROR_RESPONSES[status] for status in sorted(statuses)}


def document_errors(router: APIRouter) -> APIRouter:
    """Gives every route of the router the list of its own errors (a route's explicit ones kept); before the app
    includes it, so the document is built from these."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            route.responses = {**route_errors(route), **route.responses}
    return router


def id_path(description: str = "a UUID") -> Any:
    """An id in the path, declared a UUID in the document. The route checks it with `path_id` once the caller is
    known, so a stranger hears 401 before anything about the id, and a malformed one is the 422 naming the field. A fresh Path per parameter: FastAPI binds each instance to one name."""
    return Path(description=description, json_schema_extra={"format": "uuid", "maxLength": 36})


def path_id(field: str, raw: str) -> str:
    """The canonical form of an id from the path, or 422 naming the field (never echoing what was sent)."""
    try:
        return str(parse_uuid(field, raw))
    except InvalidInput as exc:
        raise invalid(exc) from None


async def patient_in_question(
    patientId: UUID | None = Query(default=None, description="required for therapists and admins; a patient reads their own"),
    caller: Identity = Depends(authenticated),
) -> UUID | None:
    """The patient a read of "their day" is about: None for a patient reading their own (the services take the
    caller), else the named patient. Staff must name one."""
    if caller.role != "patient" and patientId is None:
        raise invalid_field("patientId", "required when a therapist or admin reads a patient's data")
    return patientId


def _now() -> datetime:
    return datetime.now(timezone.utc)


def instant_from_caller(field: str, value: datetime) -> datetime:
    """An instant of a body inside the window every service accepts (services.common.parsing), or 422 naming it."""
    try:
        return instant_in_window(field, value, _now())
    except InvalidInput as exc:
        raise invalid(exc) from None


def date_from_caller(field: str, value: date, ahead: timedelta = LATEST_AHEAD) -> date:
    """A calendar date from 2000-01-01 to the date `ahead` of now (a day unless said otherwise), or 422 naming it."""
    try:
        return date_in_window(field, value, _now(), ahead)
    except InvalidInput as exc:
        raise invalid(exc) from None


UNKNOWN_QUERY_PARAMETER = "unknown_query_parameter"


def only_query(*names: str) -> Any:
    """A dependency refusing query parameters the route does not define (400 `unknown_query_parameter` naming
    each): a misspelt filter must not silently return everyone. A known parameter with a bad value stays a 422."""
    allowed = frozenset(names)

    async def check(request: Request) -> None:
        unknown = sorted({key for key in request.query_params if key not in allowed})
        if unknown:
            named = ", ".join(clip(key) for key in unknown[:5])
            takes = f"this route takes {', '.join(sorted(allowed))}" if allowed else "this route takes none"
            raise ApiError(
                400, UNKNOWN_QUERY_PARAMETER, f"unknown query parameter(s): {named}; {takes}",
                errors=[{"field": clip(key), "message": "not a parameter of this route"} for key in unknown[:5]],
            )

    check.refuses_unknown_query = True  # type: ignore[attr-defined]
    return Depends(check)


def refuses_unknown_query(route: APIRoute) -> bool:
    return any(getattr(call, "refuses_unknown_query", False) for call in _calls(route.dependant))
