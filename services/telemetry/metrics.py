"""Prometheus figures of exercise sessions: how many are in flight here, the pose stream they send, and how they end."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SESSIONS_IN_FLIGHT = Gauge(
    "momentum_telemetry_sessions_in_flight", "Exercise sessions open on this instance (frames held in its memory)"
)
# outcome: accepted | refused (a bad batch, no consent, a session ended or held by another instance)
POSE_BATCHES = Counter(
    "momentum_telemetry_pose_batches_total", "Pose batches (about one a second per session) received, by outcome",
    ["outcome"],
)
POSE_BYTES = Counter("momentum_telemetry_pose_bytes_total", "Bytes of pose batches received (gzip, as sent)")
# kind: accepted | duplicate (a batch the app resent after a timeout)
POSE_FRAMES = Counter("momentum_telemetry_pose_frames_total", "Pose frames in the batches accepted", ["kind"])
# outcome: completed | incomplete; reason: ended (the app ended it) | silence (no data for the timeout) |
# recovered (its instance died; another finalized it from the uploaded parts)
SESSIONS_ENDED = Counter(
    "momentum_telemetry_sessions_ended_total", "Exercise sessions finalized, by outcome and why they ended",
    ["outcome", "reason"],
)
# From 30 s of a single exercise to the hour a session may last at most.
SESSION_SECONDS = Histogram(
    "momentum_telemetry_session_seconds", "Length of a finalized exercise session, opening to end",
    buckets=(10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600),
)
