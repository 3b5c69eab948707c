"""The entrances gRPC servicer: parse the request, call a handler, build the reply."""

from __future__ import annotations

import grpc

from momentum.entrances.v1 import entrances_pb2, entrances_pb2_grpc
from services.common import identity
from services.common.parsing import optional_timestamp, optional_uuid, parse_uuid, to_timestamp
from services.entrances.activity import ActivityHandlers
from services.entrances.domain.daily_activity import DailyActivity
from services.entrances.handlers import EntranceHandlers
from services.entrances.activity_repository import StoredAward
from services.entrances.repository import StoredEntrance


def day_message(day: DailyActivity) -> entrances_pb2.DailyActivity:
    return entrances_pb2.DailyActivity(
        patient_id=day.patient_id,
        local_date=day.local_date.isoformat(),
        timezone=day.timezone,
        first_app_opened_at=optional_timestamp(day.first_app_opened_at),
        last_app_opened_at=optional_timestamp(day.last_app_opened_at),
        last_app_closed_at=optional_timestamp(day.last_app_closed_at),
        app_opens_count=day.app_opens_count,
        app_closes_count=day.app_closes_count,
        workouts_completed=day.workouts_completed,
        exercises_completed=day.exercises_completed,
        xp_earned=day.xp_earned,
        is_streak_day=day.is_streak_day,
        daily_xp_goal=day.daily_xp_goal,
        daily_exercises_goal=day.daily_exercises_goal,
        met_goal=day.met_goal,
    )


def award_message(stored: StoredAward) -> entrances_pb2.XpAward:
    return entrances_pb2.XpAward(
        award_id=str(stored.award_id),
        patient_id=str(stored.patient_id),
        amount=stored.award.amount,
        reason=stored.award.reason,
        source=str(stored.award.source),
        idempotency_key=stored.award.idempotency_key,
        awarded_at=to_timestamp(stored.award.awarded_at),
        local_date=stored.local_date.isoformat(),
    )


def entrance_message(stored: StoredEntrance) -> entrances_pb2.Entrance:
    entrance = stored.entrance
    return entrances_pb2.Entrance(
        entrance_id=entrance.id,
        patient_id=entrance.patient_id,
        local_date=entrance.local_date.isoformat(),
        timezone=entrance.timezone,
        status=entrance.status.value,
        first_seen_at=to_timestamp(entrance.first_seen_at),
        last_seen_at=to_timestamp(entrance.last_seen_at),
        finalize_after=to_timestamp(entrance.finalize_after),
        finalized_at=optional_timestamp(entrance.finalized_at),
        mirror_workout_id=entrance.mirror_workout_id or "",
        source_workout_id=entrance.source_workout_id or "",
        entries_count=entrance.entries_count,
        status_reason=stored.status_reason or "",
    )


class EntrancesServicer(entrances_pb2_grpc.EntrancesServiceServicer):
    def __init__(self, entrances: EntranceHandlers, activity: ActivityHandlers) -> None:
        self._entrances = entrances
        self._activity = activity

    async def LogEntrance(
        self, request: entrances_pb2.LogEntranceRequest, context: grpc.aio.ServicerContext
    ) -> entrances_pb2.LogEntranceReply:
        result = await self._entrances.log_entrance(identity.current())
        reply = entrances_pb2.LogEntranceReply(
            status=result.status, local_date=result.local_date.isoformat(),
            action=result.action.value if result.action else "",
        )
        if result.entrance is not None:
            reply.entrance_id = result.entrance.id
            reply.finalize_after.CopyFrom(to_timestamp(result.entrance.finalize_after))
        return reply

    async def ListPatientEntrances(
        self, request: entrances_pb2.ListPatientEntrancesRequest, context: grpc.aio.ServicerContext
    ) -> entrances_pb2.ListPatientEntrancesReply:
        patient_id = parse_uuid("patient_id", request.patient_id)
        stored = await self._entrances.list_entrances(identity.current(), patient_id, request.limit)
        return entrances_pb2.ListPatientEntrancesReply(entrances=[entrance_message(s) for s in stored])

    async def RecordAppOpen(
        self, request: entrances_pb2.RecordAppOpenRequest, context: grpc.aio.ServicerContext
    ) -> entrances_pb2.DailyActivity:
        return day_message(await self._activity.record_open(identity.current()))

    async def RecordAppClose(
        self, request: entrances_pb2.RecordAppCloseRequest, context: grpc.aio.ServicerContext
    ) -> entrances_pb2.DailyActivity:
        return day_message(await self._activity.record_close(identity.current()))

    async def GetDailyActivity(
        self, request: entrances_pb2.GetDailyActivityRequest, context: grpc.aio.ServicerContext
    ) -> entrances_pb2.DailyActivityRange:
        patient_id = optional_uuid("patientId", request.patient_id)
        found = await self._activity.daily_range(identity.current(), patient_id, request.from_date, request.to_date)
        return entrances_pb2.DailyActivityRange(
            days=[day_message(day) for day in found.days],
            current_streak_days=found.current_streak_days,
            today=found.today.isoformat(),
        )

    async def AwardXp(
        self, request: entrances_pb2.AwardXpRequest, context: grpc.aio.ServicerContext
    ) -> entrances_pb2.AwardXpReply:
        patient_id = parse_uuid("patientId", request.patient_id)
        result = await self._activity.award_xp(
            identity.current(), patient_id, request.amount, request.reason, request.source, request.idempotency_key
        )
        reply = entrances_pb2.AwardXpReply(
            award=award_message(result.award), created=result.created, day=day_message(result.day)
        )
        if result.goal_bonus is not None:
            reply.goal_bonus.CopyFrom(award_message(result.goal_bonus))
        return reply
