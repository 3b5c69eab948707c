"""Consent withdrawal reaches telemetry as an event: the next batch is refused, and a restart remembers it."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from momentum.events.v1 import events_pb2
from tests.support.clinic import client, new_clinic
from tests.support.telemetry import Exercise, bearer, media_playback, session_token


async def _first_refusal(http, body_of, token, within: float = 1.0) -> float:
    """Posts batches until one is refused with 403; returns how long that took."""
    started = time.monotonic()
    index = 0
    while time.monotonic() - started < within + 1.0:
        reply = await http.post("/v1/pose/frames", content=body_of(index), headers=bearer(token))
        if reply.status_code == 403:
            assert "biometric" in reply.json()["detail"]
            return time.monotonic() - started
        assert reply.status_code == 200, reply.text
        index += 1
        await asyncio.sleep(0.02)
    raise AssertionError("no 403 after the withdrawal")


async def test_withdrawing_biometric_consent_refuses_the_next_batch_within_a_second(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    batches = Exercise.of(reps=10, seed=21).batches
    consent_url = f"/v1/patients/{clinic.patient_id}/consents/biometric"
    async with client(stack.base_url) as http:
        granted = await http.put(consent_url, json={"granted": True}, headers=clinic.as_patient())
        assert granted.status_code == 200, granted.text
        for body in batches[:5]:
            assert (await http.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code == 200
        withdrawn = await http.put(consent_url, json={"granted": False}, headers=clinic.as_patient())
        assert withdrawn.status_code == 200, withdrawn.text
        took = await _first_refusal(http, lambda i: batches[5 + i], token)
        assert took < 1.0, f"withdrawal took {took:.2f}s to reach telemetry"
        # Analytics consent is untouched: the video events still count.
        media = await http.post("/v1/media/events", json={"events": media_playback()[:3]}, headers=bearer(token, None))
        assert media.status_code == 200, media.text
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200, ended.text
        assert ended.json()["mediaSessions"] == 1

    async with stack.runtimes["telemetry"].database.unit_of_work(clinic.tenant_id) as uow:
        stored = (
            await uow.execute(
                text("SELECT purpose, granted FROM telemetry.consent_states WHERE patient_id = :p"),
                {"p": clinic.patient_id},
            )
        ).all()
    assert [(r.purpose, r.granted) for r in stored] == [("biometric", False)]


async def test_a_restarted_instance_remembers_withdrawals_and_ignores_stale_grants(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    body = Exercise.of(reps=1, seed=22).batches[0]
    async with client(stack.base_url) as http:
        await http.put(f"/v1/patients/{clinic.patient_id}/consents/biometric", json={"granted": False}, headers=clinic.as_admin())
        # A grant stamped before the withdrawal arrives late (redelivered, reordered): it must not undo it.
        changed_at = Timestamp()
        changed_at.FromDatetime(datetime.now(timezone.utc) - timedelta(hours=1))
        stale = events_pb2.ConsentChanged(patient_id=str(clinic.patient_id), purpose="biometric", granted=True, changed_at=changed_at)
        await stack.runtimes["plans"].broker.publish_event(
            "plans.consent.changed", stale.SerializeToString(), str(uuid.uuid4()),
            {"message_id": "stale-grant", "tenant_id": str(clinic.tenant_id), "request_id": ""},
            stale.DESCRIPTOR.full_name, datetime.now(timezone.utc),
        )
        _, token = session_token(stack.settings, clinic)  # a token minted while consent was still on record
        await asyncio.sleep(0.5)
        assert (await http.post("/v1/pose/frames", content=body, headers=bearer(token))).status_code == 403

        await stack.stop_service("telemetry")
        await stack.start_service("telemetry")
        _, fresh_token = session_token(stack.settings, clinic)
        refused = await http.post("/v1/pose/frames", content=body, headers=bearer(fresh_token))
        assert refused.status_code == 403, refused.text
