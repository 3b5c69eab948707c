"""What the cluster test checks once the load has settled: every acknowledged effect applied exactly once,
nothing lost or parked, the killed host's pose sessions finalized by the survivor."""

from __future__ import annotations

import os
from typing import Any

import httpx

from tests.cluster.hosts import Databases, queues

GATEWAY = os.environ.get("MOMENTUM_CLUSTER_GATEWAY", "http://10.77.0.40:8080")
FINALIZED = "FINALIZED_TO_INFERRED_WORKOUT"
TERMINAL = {FINALIZED, "CANCELED_BY_REAL_WORKOUT", "SKIPPED_FEATURE_DISABLED", "SKIPPED_NO_SOURCE_WORKOUT"}


async def check_effects(http: httpx.AsyncClient, db: Databases, load: Any, sessions: list[Any],
                        doomed: list[str], app2_restarted_wall: float) -> dict[str, Any]:
    ledger, problems = load.ledger, []
    completed = ledger.completed
    for table in ("streaks.completed_workouts", "entrances.completed_workouts"):
        n = await db.scalar(f"SELECT count(*) FROM {table} WHERE workout_id::text = ANY($1::text[])", completed)
        if n != len(completed):
            problems.append(f"{table}: {n} of {len(completed)} acknowledged completions")
    workout_xp = await db.scalar(
        "SELECT count(*) FROM entrances.xp_ledger WHERE idempotency_key = ANY($1::text[])", [f"workout:{w}" for w in completed]
    )
    if workout_xp != len(completed):
        problems.append(f"XP for {workout_xp} of {len(completed)} completions")
    award_rows = await db.rows(
        "SELECT idempotency_key, amount FROM entrances.xp_ledger WHERE idempotency_key = ANY($1::text[])",
        list(ledger.awards),
    ) if ledger.awards else []
    awarded = {r["idempotency_key"]: r["amount"] for r in award_rows}
    if len(award_rows) != len(ledger.awards) or sum(awarded.values()) != sum(ledger.awards.values()):
        problems.append(f"awards: {len(award_rows)} rows, {sum(awarded.values())} XP for {len(ledger.awards)} "
                        f"acknowledged awards of {sum(ledger.awards.values())} XP")
    mismatched = await db.rows(
        "SELECT d.patient_id FROM entrances.daily_activity d JOIN entrances.xp_ledger l ON l.patient_id = d.patient_id "
        "AND l.local_date = d.local_date WHERE d.patient_id = ANY($1::uuid[]) GROUP BY d.patient_id, d.local_date, d.xp_earned "
        "HAVING d.xp_earned <> sum(l.amount)", [p.patient_id for p in load.exercisers],
    )
    if mismatched:
        problems.append(f"daily XP differs from its ledger for {len(mismatched)} patient-days")
    # Streaks: what the service keeps equals a rebuild from its projection of completed workouts.
    for patient in load.exercisers:
        staff = patient.clinic.as_therapist()
        kept = await http.get(f"{GATEWAY}/v2/streaks", params={"patientId": str(patient.patient_id)}, headers=staff, timeout=10)
        rebuilt = await http.post(f"{GATEWAY}/v2/streaks/{patient.patient_id}/rebuild", headers=staff, timeout=10)
        if kept.status_code != 200 or rebuilt.status_code != 200 or kept.json() != rebuilt.json():
            problems.append(f"streak of {patient.patient_id} differs from its rebuild")
    # Entrances: every one terminal, one mirror per finalized entrance.
    entrances = await db.rows(
        "SELECT entrance_id, status, mirror_workout_id FROM entrances.entrances WHERE patient_id = ANY($1::uuid[])",
        ledger.opened,
    )
    if len(entrances) != len(ledger.opened):
        problems.append(f"{len(entrances)} entrances for {len(ledger.opened)} acknowledged app opens")
    not_terminal = [e for e in entrances if e["status"] not in TERMINAL]
    if not_terminal:
        problems.append(f"{len(not_terminal)} entrances not terminal: {[e['status'] for e in not_terminal][:5]}")
    finalized = [e for e in entrances if e["status"] == FINALIZED]
    mirrors = await db.rows(
        "SELECT entrance_id, count(*) AS n FROM plans.workouts WHERE entrance_id::text = ANY($1::text[]) AND source = 'inferred' "
        "GROUP BY entrance_id", [str(e["entrance_id"]) for e in finalized],
    )
    if len(mirrors) != len(finalized) or any(m["n"] != 1 for m in mirrors):
        problems.append(f"{len(mirrors)} entrances with mirrors for {len(finalized)} finalized (each must have one)")
    # Pose sessions: every one finalized once; the dead host's as incomplete, by the survivor while it was down.
    ids = [s.session_id for s in sessions]
    rows = await db.rows("SELECT session_id, status, incomplete, end_reason, ended_at FROM telemetry.exercise_sessions "
                         "WHERE session_id = ANY($1::text[])", ids)
    if sorted(r["session_id"] for r in rows if r["status"] == "finalized") != sorted(ids):
        problems.append(f"{sum(r['status'] == 'finalized' for r in rows)} of {len(ids)} pose sessions finalized")
    for sid in ids:
        n = await db.scalar("SELECT count(*) FROM telemetry.outbox WHERE message_id = $1", f"telemetry-session-finalized:{sid}")
        if n != 1:
            problems.append(f"session {sid}: {n} finalized events")
    doomed_rows = [r for r in rows if r["session_id"] in doomed]
    # Taken over by the survivor from the parts already uploaded ('recovered'), or closed by its silence rule.
    if not doomed or not all(r["incomplete"] and r["end_reason"] in ("recovered", "silence") for r in doomed_rows):
        problems.append(f"sessions of the killed host: {len(doomed)}, "
                        f"incomplete/end_reason {[(r['incomplete'], r['end_reason']) for r in doomed_rows]}")
    late = [r for r in doomed_rows if r["ended_at"] is None or r["ended_at"].timestamp() > app2_restarted_wall]
    if late:
        problems.append(f"{len(late)} sessions of the killed host finalized only after it came back")
    plans_sessions = await db.scalar(
        "SELECT count(*) FROM plans.exercise_sessions WHERE session_id = ANY($1::uuid[]) AND finalized_at IS NOT NULL", ids
    )
    if plans_sessions != len(ids):
        problems.append(f"plans saw {plans_sessions} of {len(ids)} sessions finalized")
    # Nothing lost or parked: every queue empty, no dead letter, every outbox published, nothing quarantined.
    listed = await queues()
    parked = {q["name"]: q["messages"] for q in listed if q["name"].endswith(".dead") and q["messages"]}
    waiting = {q["name"]: q["messages"] for q in listed if not q["name"].endswith(".dead") and q["messages"]}
    classic = [q["name"] for q in listed if q.get("type") != "quorum"]
    if parked:
        problems.append(f"parked: {parked}")
    if waiting:
        problems.append(f"messages still queued: {waiting}")
    if classic:
        problems.append(f"queues that are not quorum: {classic}")
    for schema in ("plans", "streaks", "entrances", "telemetry"):
        left = await db.scalar(f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL")
        if left:
            problems.append(f"{schema}.outbox: {left} rows unpublished or quarantined")
    return {
        "problems": problems, "completions": len(completed), "awards": len(ledger.awards),
        "award_xp": sum(ledger.awards.values()), "entrances": len(entrances), "finalized_entrances": len(finalized),
        "pose_sessions": len(ids), "sessions_on_killed_host": len(doomed), "queues": len(listed),
        "killed_host_sessions_end_reasons": sorted(str(r["end_reason"]) for r in doomed_rows),
    }


