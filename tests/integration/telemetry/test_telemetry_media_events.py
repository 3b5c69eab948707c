"""Media events through the gateway: per-type validation, duplicates and disorder, monthly partitions, isolation."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.support.clinic import client, new_clinic
from tests.support.telemetry import bearer, media_playback, session_token, shuffled_with_duplicates


async def _metrics(stack, tenant_id, media_session_id):
    async with stack.runtimes["telemetry"].database.unit_of_work(tenant_id) as uow:
        metrics = (
            await uow.execute(
                text(
                    "SELECT tableoid::regclass::text AS partition, session_started_at, startup_ms, watched_seconds, "
                    "completion_percentage, milestones_reached, rebuffer_count, rebuffer_seconds, quality_seconds, "
                    "quality_up_switches, quality_down_switches, dropped_frame_ratio, exit_before_video_start, ended, "
                    "end_reason, events_received, duplicate_events FROM telemetry.media_session_metrics "
                    "WHERE media_session_id = :m"
                ),
                {"m": media_session_id},
            )
        ).all()
        stalls = (
            await uow.execute(
                text(
                    "SELECT tableoid::regclass::text AS partition, stall_number, duration_ms, closed_by "
                    "FROM telemetry.media_buffering_events WHERE media_session_id = :m ORDER BY stall_number"
                ),
                {"m": media_session_id},
            )
        ).all()
    return metrics, stalls


async def test_a_playback_in_any_order_with_duplicates_gives_one_set_of_figures(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    session_id, token = session_token(stack.settings, clinic)
    playback = media_playback()
    media_session_id = playback[0]["media_session_id"]
    mixed = shuffled_with_duplicates(playback)
    async with client(stack.base_url) as http:
        first = await http.post("/v1/media/events", json={"events": mixed[:6]}, headers=bearer(token, None))
        assert first.status_code == 200, first.text
        second = await http.post("/v1/media/events", json={"events": mixed[6:]}, headers=bearer(token, None))
        assert second.status_code == 200, second.text
        # A client retry of the whole lot stores nothing new and changes no figure.
        again = await http.post("/v1/media/events", json={"events": playback}, headers=bearer(token, None))
        assert again.status_code == 200 and again.json()["eventsStored"] == 0
    assert first.json()["eventsStored"] + second.json()["eventsStored"] == len(playback)
    figures = again.json()["playbacks"][0]
    assert figures == {
        "mediaSessionId": media_session_id, "events": len(playback), "watchedSeconds": 42.0,
        "completionPercentage": 100.0, "rebufferCount": 1, "ended": True,
    }

    metrics, stalls = await _metrics(stack, clinic.tenant_id, media_session_id)
    assert len(metrics) == 1
    row = metrics[0]
    month = row.session_started_at.strftime("y%Ym%m")
    assert row.partition == f"telemetry.media_session_metrics_{month}"
    assert (row.startup_ms, row.watched_seconds, row.completion_percentage) == (800, 42.0, 100.0)
    assert list(row.milestones_reached) == [25, 50, 75, 95]
    assert (row.rebuffer_count, row.rebuffer_seconds) == (1, 2.0)
    assert (row.quality_up_switches, row.quality_down_switches) == (0, 1)
    assert set(row.quality_seconds) == {"720p", "480p"}
    assert row.dropped_frame_ratio == round(2 / 600, 4)
    assert (row.exit_before_video_start, row.ended, row.end_reason) == (False, True, "completed")
    assert row.events_received == len(playback)
    assert row.duplicate_events == 2 + len(playback)  # two resent within the mix, then the whole retry
    assert [(s.stall_number, s.duration_ms, s.closed_by) for s in stalls] == [(1, 2000, "buffering_end")]
    assert stalls[0].partition == f"telemetry.media_buffering_events_{month}"

    # Forced row-level security: another clinic sees none of it, even by id.
    other = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    assert await _metrics(stack, other.tenant_id, media_session_id) == ([], [])


async def test_an_invalid_event_refuses_the_request_whole_and_names_the_field(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    _, token = session_token(stack.settings, clinic)
    playback = media_playback()
    cases = {
        "events[2].percent": [*playback[:2], {**playback[2], "percent": 60}],
        "events[0].type": [{**playback[0], "type": "rewind"}],
        "events[1].dropped_frames": [playback[0], {**playback[1], "dropped_frames": 900}],
        "events[0].colour": [{**playback[0], "colour": "blue"}],
        "events[0].occurred_at": [{k: v for k, v in playback[0].items() if k != "occurred_at"}],
    }
    async with client(stack.base_url) as http:
        for field, events in cases.items():
            reply = await http.post("/v1/media/events", json={"events": events}, headers=bearer(token, None))
            assert reply.status_code == 422, (field, reply.text)
            assert field in reply.json()["detail"], (field, reply.json())
        empty = await http.post("/v1/media/events", json={"events": []}, headers=bearer(token, None))
        assert empty.status_code == 422
        extra = await http.post("/v1/media/events", json={"events": playback, "x": 1}, headers=bearer(token, None))
        assert extra.status_code == 422
        unauthenticated = await http.post("/v1/media/events", json={"events": playback})
        assert unauthenticated.status_code == 401
        _, pose_only = session_token(stack.settings, clinic, purposes=("biometric",))
        refused = await http.post("/v1/media/events", json={"events": playback}, headers=bearer(pose_only, None))
        assert refused.status_code == 403
    metrics, _ = await _metrics(stack, clinic.tenant_id, playback[0]["media_session_id"])
    assert metrics == []


async def test_a_playback_cannot_be_claimed_by_another_exercise_session(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    _, token = session_token(stack.settings, clinic)
    _, other_token = session_token(stack.settings, clinic)
    playback = media_playback(str(uuid.uuid4()))
    async with client(stack.base_url) as http:
        assert (await http.post("/v1/media/events", json={"events": playback[:3]}, headers=bearer(token, None))).status_code == 200
        stolen = await http.post("/v1/media/events", json={"events": playback[3:]}, headers=bearer(other_token, None))
        assert stolen.status_code == 422 and "media_session_id" in stolen.json()["detail"]


async def test_partitions_are_kept_ahead_and_rls_is_forced_on_each(stack):
    handlers = stack.runtimes["telemetry"].components.handlers
    assert await handlers.maintain_partitions() == 0  # the migration and the start-up loop already made them
    async with stack.runtimes["telemetry"].database.unit_of_work(None) as uow:
        rows = (
            await uow.execute(
                text(
                    "SELECT base.relname AS parent, count(*) AS months, bool_and(child.relrowsecurity) AS rls, "
                    "bool_and(child.relforcerowsecurity) AS forced, bool_and(base.relforcerowsecurity) AS parent_forced "
                    "FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid "
                    "JOIN pg_class base ON base.oid = i.inhparent JOIN pg_namespace n ON n.oid = base.relnamespace "
                    "WHERE n.nspname = 'telemetry' AND base.relkind = 'p' GROUP BY base.relname ORDER BY 1"
                )
            )
        ).all()
    assert [r.parent for r in rows] == ["media_buffering_events", "media_events", "media_session_metrics"]
    assert all(r.months >= 5 and r.rls and r.forced and r.parent_forced for r in rows), rows
