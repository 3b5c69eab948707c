"""Raw gRPC to every service port: without service credentials, with a wrong signature, a stale timestamp, or a
service speaking for a user, the call is UNAUTHENTICATED and writes nothing; signed as the gateway signs, it works."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import text

from momentum.entrances.v1 import entrances_pb2, entrances_pb2_grpc
from momentum.plans.v1 import plans_pb2, plans_pb2_grpc
from momentum.streaks.v1 import streaks_pb2, streaks_pb2_grpc
from momentum.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from services.common.identity import Identity, service_identity
from services.common.service_auth import signed_headers
from services.common.settings import SERVICES
from tests.support.clinic import Clinic, new_clinic
from tests.support.telemetry import media_playback, session_token

ATTACKER_KEY = b"an-attacker-key-that-is-long-enough-0123456789"


@dataclass
class Rpc:
    service: str
    name: str
    stub: Callable[[grpc.aio.Channel], Any]
    request: Callable[[Clinic], Any]
    caller: Callable[[Clinic], Identity | None]  # None: the call carries only a request id (session-token RPCs)
    writes: bool = True

    @property
    def method(self) -> str:
        return f"/momentum.{self.service}.v1.{self.service.capitalize()}Service/{self.name}"


def _as(role: str) -> Callable[[Clinic], Identity]:
    def caller(clinic: Clinic) -> Identity:
        user = {"admin": clinic.admin_id, "therapist": clinic.therapist_id}.get(role, clinic.patient_id)
        return Identity(clinic.tenant_id, user, role, uuid.uuid4().hex)

    return caller


def _media(clinic: Clinic) -> Any:
    # Fixed event ids per clinic: a refused call that had stored them would make the valid one store 0.
    events = media_playback()[:3]
    for index, event in enumerate(events):
        event["event_id"] = str(uuid.uuid5(clinic.tenant_id, f"event-{index}"))
        event["media_session_id"] = str(uuid.uuid5(clinic.tenant_id, "media"))
    token = _TOKENS.setdefault(clinic.tenant_id, session_token(clinic.settings, clinic)[1])
    return telemetry_pb2.IngestMediaEventsRequest(session_token=token, events_json=json.dumps(events).encode())


_TOKENS: dict[uuid.UUID, str] = {}

RPCS = [
    Rpc("plans", "CreateUser", plans_pb2_grpc.PlansServiceStub,
        lambda c: plans_pb2.CreateUserRequest(role="admin", display_name="Mallory"), _as("admin")),
    Rpc("plans", "ListPatients", plans_pb2_grpc.PlansServiceStub, lambda c: plans_pb2.ListPatientsRequest(), _as("admin"),
        writes=False),
    Rpc("streaks", "RebuildStreak", streaks_pb2_grpc.StreaksServiceStub,
        lambda c: streaks_pb2.RebuildStreakRequest(patient_id=str(c.patient_id)), _as("therapist")),
    Rpc("entrances", "LogEntrance", entrances_pb2_grpc.EntrancesServiceStub,
        lambda c: entrances_pb2.LogEntranceRequest(), _as("patient")),
    Rpc("telemetry", "IngestMediaEvents", telemetry_pb2_grpc.TelemetryServiceStub, _media, lambda c: None),
]
assert {rpc.service for rpc in RPCS} == set(SERVICES)  # every gRPC port is tried


def _identity_metadata(caller: Identity | None) -> list[tuple[str, str]]:
    return list(caller.to_metadata()) if caller is not None else [("x-request-id", uuid.uuid4().hex)]


def _signed(metadata: list[tuple[str, str]], key: bytes, caller: str, rpc: Rpc, now: float | None = None) -> list[tuple[str, str]]:
    return metadata + list(signed_headers(key, caller, rpc.service, rpc.method, dict(metadata), now))


def _tampered(header: str, value: str) -> str:
    """Another role (a raise, or for an admin call another one), another user, another request id."""
    if header == "x-role":
        return "patient" if value == "admin" else "admin"
    if header in ("x-user-id", "x-request-id"):
        return str(uuid.uuid4()) if header == "x-user-id" else value + "0"
    return value


BAD_CREDENTIALS: dict[str, Callable[[Any, Rpc, list[tuple[str, str]]], list[tuple[str, str]]]] = {
    "no credentials": lambda s, rpc, md: md,
    "signed with another key": lambda s, rpc, md: _signed(md, ATTACKER_KEY, "gateway", rpc),
    "stale timestamp": lambda s, rpc, md: _signed(md, s.auth.service_keys["gateway"], "gateway", rpc, time.time() - 120),
    "future timestamp": lambda s, rpc, md: _signed(md, s.auth.service_keys["gateway"], "gateway", rpc, time.time() + 120),
    "signed for another service": lambda s, rpc, md: md + list(
        signed_headers(s.auth.service_keys["gateway"], "gateway", "plans" if rpc.service != "plans" else "streaks",
                       rpc.method, dict(md))),
    "identity changed after signing": lambda s, rpc, md: [
        (k, _tampered(k, v)) for k, v in _signed(md, s.auth.service_keys["gateway"], "gateway", rpc)
    ],
    "unknown caller": lambda s, rpc, md: _signed(md, ATTACKER_KEY, "mallory", rpc),
}


async def footprint(stack, clinic: Clinic) -> dict[str, tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """What a call could leave in each schema for the clinic: audit rows, outbox events (and plans' users)."""
    counts = {}
    for name, runtime in stack.runtimes.items():
        async with runtime.database.unit_of_work(clinic.tenant_id) as uow:
            row = [(await uow.execute(text(f"SELECT count(*) FROM {name}.audit_log"))).scalar_one(),
                   (await uow.execute(text(f"SELECT count(*) FROM {name}.outbox WHERE tenant_id = :t"),
                                      {"t": clinic.tenant_id})).scalar_one()]
            if name == "plans":
                row.append((await uow.execute(text("SELECT count(*) FROM plans.users"))).scalar_one())
        counts[name] = tuple(row)
    return counts


async def settled(stack, clinic: Clinic) -> dict[str, tuple[int, ...]]:  # type: ignore[no-untyped-def]
    last = await footprint(stack, clinic)
    for _ in range(30):
        await asyncio.sleep(0.3)
        now = await footprint(stack, clinic)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the clinic's footprint never settled: {last}")


@pytest.fixture(scope="module")
async def clinic(stack) -> Clinic:
    return await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1,
                            flags={"appEntranceTracking": True})


@pytest.mark.parametrize("rpc", RPCS, ids=lambda r: f"{r.service}.{r.name}")
async def test_a_call_without_valid_service_credentials_is_unauthenticated_and_writes_nothing(stack, clinic, rpc):
    settings = stack.settings
    before = await settled(stack, clinic)
    async with grpc.aio.insecure_channel(settings.grpc_target(rpc.service)) as channel:
        method = getattr(rpc.stub(channel), rpc.name)
        for label, credentials in BAD_CREDENTIALS.items():
            metadata = credentials(settings, rpc, _identity_metadata(rpc.caller(clinic)))
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await method(rpc.request(clinic), metadata=metadata, timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED, (label, refused.value.details())
            assert "service authentication failed" in refused.value.details(), label
        assert await footprint(stack, clinic) == before, "a refused call wrote something"

        # The same call signed as the gateway signs it goes through (and would have left a trace).
        signed = _signed(_identity_metadata(rpc.caller(clinic)), settings.auth.service_keys["gateway"], "gateway", rpc)
        reply = await method(rpc.request(clinic), metadata=signed, timeout=5)
    if rpc.name == "ListPatients":
        assert [p.user_id for p in reply.patients] == [str(clinic.patient_id)]
    if rpc.name == "IngestMediaEvents":
        assert reply.events_stored == 3  # none of the refused calls had stored these event ids
    if rpc.writes:
        assert await footprint(stack, clinic) != before


async def test_a_service_key_cannot_speak_for_a_user(stack, clinic):
    """streaks' key signs streaks' own calls (role `service`); an admin identity under it is refused."""
    settings = stack.settings
    rpc = RPCS[1]  # plans.ListPatients, the read the issue found open
    async with grpc.aio.insecure_channel(settings.grpc_target("plans")) as channel:
        stub = plans_pb2_grpc.PlansServiceStub(channel)
        as_admin = _signed(_identity_metadata(_as("admin")(clinic)), settings.auth.service_keys["streaks"], "streaks", rpc)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.ListPatients(plans_pb2.ListPatientsRequest(), metadata=as_admin, timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "may not act as role 'admin'" in refused.value.details()

        context = Rpc("plans", "GetPatientContext", plans_pb2_grpc.PlansServiceStub, lambda c: None, lambda c: None)
        as_service = _signed(list(service_identity(clinic.tenant_id).to_metadata()), settings.auth.service_keys["streaks"],
                             "streaks", context)
        reply = await stub.GetPatientContext(
            plans_pb2.GetPatientContextRequest(patient_id=str(clinic.patient_id)), metadata=as_service, timeout=5
        )
        assert reply.patient_id == str(clinic.patient_id)


@pytest.mark.parametrize("service", SERVICES)
async def test_health_stays_open_to_probes_without_a_key(stack, service):
    async with grpc.aio.insecure_channel(stack.settings.grpc_target(service)) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
