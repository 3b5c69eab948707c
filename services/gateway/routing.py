"""What every module of routes/ builds on: its router, the roles, ids in paths, the patient a read is about, bounded dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request

from services.common.errors import InvalidInput
from services.common.identity import Identity
from services.common.parsing import LATEST_AHEAD, date_in_window, instant_in_window, parse_uuid
from services.gateway.auth import authenticated, require_role
from services.gateway.errors import ERROR_RESPONSES, ApiError
from services.gateway.schemas.base import clip
from services.gateway.standard_json import StandardJsonRoute

patient = require_role("patient")
therapist = require_role("therapist")
staff = require_role("therapist", "admin")
admin = require_role("admin")


def api_router(tag: str, **options: Any) -> APIRouter:
    """A router whose bodies are standard JSON and whose errors are documented as the one error body."""
    return APIRouter(tags=[tag], responses=ERROR_RESPONSES, route_class=StandardJsonRoute, **options)


def id_path(description: str = "a UUID") -> Any:
    """An id in the path, declared a UUID in the document. The route checks it with `path_id` once the caller is
    known, so a stranger hears 401 before anything about the id, and a malformed one is the 400 naming the field
    the services have always answered. A fresh Path per parameter: FastAPI binds each instance to one name."""
    return Path(description=description, json_schema_extra={"format": "uuid", "maxLength": 36})


def path_id(field: str, raw: str) -> str:
    """The canonical form of an id from the path, or 400 naming the field (never echoing what was sent)."""
    try:
        return str(parse_uuid(field, raw))
    except InvalidInput as exc:
        raise ApiError(400, "invalid_argument", exc.detail) from None


async def patient_in_question(
    patientId: UUID | None = Query(default=None, description="required for therapists and admins; a patient reads their own"),
    caller: Identity = Depends(authenticated),
) -> UUID | None:
    """The patient a read of "their day" is about: None for a patient reading their own (the services take the
    caller), else the named patient. Staff must name one."""
    if caller.role != "patient" and patientId is None:
        raise ApiError(400, "invalid_argument", "patientId: required when a therapist or admin reads a patient's data")
    return patientId


def _now() -> datetime:
    return datetime.now(timezone.utc)


def instant_from_caller(field: str, value: datetime) -> datetime:
    """An instant of a body inside the window every service accepts (services.common.parsing), or 400 naming it."""
    try:
        return instant_in_window(field, value, _now())
    except InvalidInput as exc:
        raise ApiError(400, "invalid_argument", exc.detail) from None


def date_from_caller(field: str, value: date, ahead: timedelta = LATEST_AHEAD) -> date:
    """A calendar date from 2000-01-01 to the date `ahead` of now (a day unless said otherwise), or 400 naming it."""
    try:
        return date_in_window(field, value, _now(), ahead)
    except InvalidInput as exc:
        raise ApiError(400, "invalid_argument", exc.detail) from None


def only_query(*names: str) -> Any:
    """A dependency refusing query parameters the route does not define (400 naming them): a misspelt filter
    must not silently return everyone."""
    allowed = frozenset(names)

    async def check(request: Request) -> None:
        unknown = sorted({key for key in request.query_params if key not in allowed})
        if unknown:
            named = ", ".join(clip(key) for key in unknown[:5])
            raise ApiError(400, "invalid_argument", f"unknown query parameter(s): {named}; this route takes {', '.join(sorted(allowed))}")

    return Depends(check)
