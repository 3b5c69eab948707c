"""What telemetry asks plans: the pose profile of an exercise (GetExercise, as a service), cached for a few minutes."""

from __future__ import annotations

import json
import time
import uuid

import grpc

from momentum.plans.v1 import plans_pb2, plans_pb2_grpc
from services.common.errors import Unavailable
from services.common.identity import service_identity
from services.common.logging import get_logger
from services.common.service_auth import service_channel
from services.common.settings import Settings
from services.telemetry.domain.pose_profile import SQUAT_LEFT, InvalidPoseProfile, PoseProfile

log = get_logger(__name__)

# An exercise whose catalogue entry has no pose profile is read as a squat of the left knee: the
# commonest lower-limb movement in our catalogue, and rep counting on it degrades gracefully.
DEFAULT_POSE_PROFILE = SQUAT_LEFT
PROFILE_CACHE_SECONDS = 300


class PlansUnavailable(Unavailable):
    """plans did not answer in time or at all; the session can be finalized on a later try."""


class PlansClient:
    """One channel to plans, opened at start-up and closed on stop; calls carry the service identity."""

    def __init__(self, settings: Settings) -> None:
        self._channel = service_channel(
            settings.auth.service_keys, "telemetry", "plans", settings.grpc_target("plans"), settings.grpc_tls
        )
        self._stub = plans_pb2_grpc.PlansServiceStub(self._channel)
        self._deadline = settings.grpc_deadline.total_seconds()
        self._profiles: dict[tuple[uuid.UUID, str], tuple[float, PoseProfile]] = {}

    async def pose_profile(self, tenant_id: uuid.UUID, exercise_id: str) -> PoseProfile:
        if not exercise_id:
            return DEFAULT_POSE_PROFILE
        cached = self._profiles.get((tenant_id, exercise_id))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            exercise = await self._stub.GetExercise(
                plans_pb2.GetExerciseRequest(exercise_id=exercise_id),
                metadata=service_identity(tenant_id).to_metadata(), timeout=self._deadline,
            )
            profile = _parse_profile(exercise_id, exercise.pose_profile_json)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                # Scoring with a guessed profile would be permanent; better to finalize a little later.
                raise PlansUnavailable(f"plans is unavailable for the pose profile: {exc.details()}") from exc
            log.warning("pose_profile.unavailable", exercise_id=exercise_id, status=exc.code().name)
            profile = DEFAULT_POSE_PROFILE
        self._profiles[(tenant_id, exercise_id)] = (time.monotonic() + PROFILE_CACHE_SECONDS, profile)
        return profile

    async def close(self) -> None:
        await self._channel.close()


def _parse_profile(exercise_id: str, raw: str) -> PoseProfile:
    if not raw:
        return DEFAULT_POSE_PROFILE
    try:
        return PoseProfile.from_dict(json.loads(raw))
    except (ValueError, InvalidPoseProfile, TypeError) as exc:
        log.warning("pose_profile.invalid", exercise_id=exercise_id, error=str(exc))
        return DEFAULT_POSE_PROFILE
