"""The streaks gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

import uuid

import grpc

from momentum.streaks.v1 import streaks_pb2, streaks_pb2_grpc
from services.common import identity
from services.common.errors import InvalidInput, NotFound
from services.common.db import Database
from services.streaks import repository


def parse_uuid(field: str, raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise InvalidInput(field, f"{raw!r} is not a UUID") from exc


class StreaksServicer(streaks_pb2_grpc.StreaksServiceServicer):
    def __init__(self, database: Database) -> None:
        self._db = database

    async def GetKnownTimezone(
        self, request: streaks_pb2.GetKnownTimezoneRequest, context: grpc.aio.ServicerContext
    ) -> streaks_pb2.KnownTimezone:
        who = identity.current()
        user_id = parse_uuid("user_id", request.user_id) if request.user_id else who.user_id
        async with self._db.unit_of_work(who.tenant_id) as uow:
            patient = await repository.get_patient(uow, user_id)
        if patient is None:
            raise NotFound(f"streaks knows no patient {user_id}")
        return streaks_pb2.KnownTimezone(
            user_id=str(patient.patient_id), timezone=patient.timezone or "", changes_seen=patient.timezone_changes
        )
