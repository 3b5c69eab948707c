"""What a patient app sends during an exercise: synthetic landmark streams with known answers, in 1-second batches.

Used by unit tests, benchmarks and the load driver. The primary joint's angle
follows a curve we choose, so a test knows how many reps there were, how deep
each went and how long each phase lasted.

Timeline: `lead_in_seconds` standing still at the starting position, then `reps`
reps of `rep_seconds` each (eccentric and concentric half-cosine ramps of equal
length around a flat `hold_seconds` at the deepest point), separated by
`rest_seconds`, then `lead_in_seconds` still again. The starting position is the
extended end of the profile's target range; a rep moves `amplitude_degrees`
towards the flexed end. `secondary_deviation_degrees` tilts the secondary joint
away from its neutral angle in step with the rep's depth, so its maximum
deviation per rep is exactly that value.
"""

from __future__ import annotations

import numpy as np

from services.telemetry.domain.pose_batch import LANDMARK_COUNT, encode_batch
from services.telemetry.domain.pose_profile import PoseProfile

SEGMENT_LENGTH = 0.18  # normalised image units: a thigh on a phone camera at 2-3 m
NEUTRAL_SECONDARY_DEGREES = 170.0
VISIBLE_FROM = 0.85  # visibility of tracked landmarks is drawn from [VISIBLE_FROM, 1)
LANDMARK_JITTER = 0.003  # normalised units, roughly what MediaPipe shows on a still person
HIDDEN = 0.2  # below any sensible visibility threshold


def rep_curve(
    times_s: np.ndarray,
    reps: int,
    rep_seconds: float,
    *,
    hold_seconds: float = 0.0,
    rest_seconds: float = 0.0,
    lead_in_seconds: float = 1.0,
    stop_after_rep: float | None = None,
) -> np.ndarray:
    """Depth of the movement over time, 0 (starting position) .. 1 (deepest), as a function of seconds."""
    if hold_seconds >= rep_seconds:
        raise ValueError("hold_seconds must be shorter than rep_seconds")
    ramp = (rep_seconds - hold_seconds) / 2.0
    cycle = rep_seconds + rest_seconds
    if stop_after_rep is not None:
        # The patient freezes wherever they are at that point (2.5 = half way through the third rep).
        whole, part = divmod(float(stop_after_rep), 1.0)
        stop_at = lead_in_seconds + whole * cycle + part * rep_seconds
        times_s = np.minimum(times_s, stop_at)
    into = times_s - lead_in_seconds
    rep_index = np.floor(into / cycle)
    phase = into - rep_index * cycle
    active = (into >= 0) & (rep_index < reps)
    down = np.clip(phase / ramp, 0.0, 1.0)
    up = np.clip((phase - ramp - hold_seconds) / ramp, 0.0, 1.0)
    depth = np.where(
        phase < ramp,
        (1 - np.cos(np.pi * down)) / 2,
        np.where(phase < ramp + hold_seconds, 1.0, np.where(phase < rep_seconds, (1 + np.cos(np.pi * up)) / 2, 0.0)),
    )
    return np.where(active, depth, 0.0)


def synthetic_reps(
    profile: PoseProfile,
    reps: int,
    amplitude_degrees: float,
    rep_seconds: float,
    fps: int = 30,
    noise_degrees: float = 0.0,
    dropped_frame_ratio: float = 0.0,
    low_visibility_ratio: float = 0.0,
    stop_after_rep: float | None = None,
    seed: int = 0,
    *,
    hold_seconds: float = 0.0,
    rest_seconds: float = 0.0,
    lead_in_seconds: float = 1.0,
    secondary_deviation_degrees: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks (n, 33, 4) float32 and timestamps (n,) uint32 ms of a patient doing `reps` reps."""
    rng = np.random.default_rng(seed)
    total_seconds = 2 * lead_in_seconds + reps * rep_seconds + max(reps - 1, 0) * rest_seconds
    frame_count = int(round(total_seconds * fps)) + 1
    timestamps = np.round(np.arange(frame_count) * 1000.0 / fps).astype(np.int64)
    depth = rep_curve(
        timestamps / 1000.0,
        reps,
        rep_seconds,
        hold_seconds=hold_seconds,
        rest_seconds=rest_seconds,
        lead_in_seconds=lead_in_seconds,
        stop_after_rep=stop_after_rep,
    )
    low, high = profile.target_rom_degrees
    if profile.closes_to_work:
        primary = high - amplitude_degrees * depth
    else:
        primary = low + amplitude_degrees * depth
    if noise_degrees:
        primary = primary + rng.normal(0.0, noise_degrees, frame_count)
    secondary = NEUTRAL_SECONDARY_DEGREES - secondary_deviation_degrees * depth

    landmarks = _body(rng, frame_count)
    _place_joint(landmarks, profile.primary_joint, primary, placed=set(), anchor=(0.5, 0.55))
    if profile.secondary_joint is not None:
        _place_joint(
            landmarks, profile.secondary_joint, secondary, placed=set(profile.primary_joint), anchor=(0.3, 0.3)
        )

    if low_visibility_ratio:
        hidden = rng.random(frame_count) < low_visibility_ratio
        landmarks[hidden, profile.primary_joint[1], 3] = HIDDEN
    keep = np.ones(frame_count, dtype=bool)
    if dropped_frame_ratio:
        keep = rng.random(frame_count) >= dropped_frame_ratio
        keep[[0, -1]] = True
    return landmarks[keep].astype(np.float32), timestamps[keep].astype(np.uint32)


def _body(rng: np.random.Generator, frame_count: int) -> np.ndarray:
    """A standing figure with MediaPipe-like jitter on every landmark; measured joints are placed over it.

    The jitter matters for the wire: a perfectly still figure gzips ~15x better
    than real tracking output, which would flatter every size and speed figure.
    """
    still = np.empty((LANDMARK_COUNT, 3))
    still[:, 0] = rng.uniform(0.3, 0.7, LANDMARK_COUNT)
    still[:, 1] = rng.uniform(0.1, 0.9, LANDMARK_COUNT)
    still[:, 2] = rng.uniform(-0.2, 0.2, LANDMARK_COUNT)
    landmarks = np.empty((frame_count, LANDMARK_COUNT, 4))
    landmarks[:, :, :3] = still + rng.normal(0.0, LANDMARK_JITTER, (frame_count, LANDMARK_COUNT, 3))
    landmarks[:, :, 3] = rng.uniform(VISIBLE_FROM, 1.0, (frame_count, LANDMARK_COUNT))
    return landmarks


def _place_joint(
    landmarks: np.ndarray,
    joint: tuple[int, int, int],
    angle_degrees: np.ndarray,
    *,
    placed: set[int],
    anchor: tuple[float, float],
) -> None:
    """Move the joint's landmarks (x, y; z = 0) so that the angle at joint[1] equals angle_degrees per frame.

    Landmarks already placed for another joint stay where they are, so a secondary
    joint sharing the hip with the knee is built around the knee's geometry.
    """
    a, b, c = joint
    # Clip away from 0/180 where the interior angle of a noisy curve would fold back on itself.
    angle = np.radians(np.clip(angle_degrees, 0.5, 179.5))
    n = landmarks.shape[0]
    if b not in placed:
        landmarks[:, b, 0], landmarks[:, b, 1], landmarks[:, b, 2] = anchor[0], anchor[1], 0.0
    vertex = landmarks[:, b, :2]
    if a in placed and c in placed:
        return  # fully determined by the other joint: nothing left to steer
    if a in placed or c in placed:
        fixed, free = (a, c) if a in placed else (c, a)
        offset = landmarks[:, fixed, :2] - vertex
        base = np.arctan2(offset[:, 1], offset[:, 0])
    else:
        fixed, free = a, c
        base = np.full(n, -np.pi / 2)  # first segment points up the image
        landmarks[:, fixed, 0] = vertex[:, 0] + SEGMENT_LENGTH * np.cos(base)
        landmarks[:, fixed, 1] = vertex[:, 1] + SEGMENT_LENGTH * np.sin(base)
        landmarks[:, fixed, 2] = 0.0
    landmarks[:, free, 0] = vertex[:, 0] + SEGMENT_LENGTH * np.cos(base + angle)
    landmarks[:, free, 1] = vertex[:, 1] + SEGMENT_LENGTH * np.sin(base + angle)
    landmarks[:, free, 2] = 0.0
    for index in joint:
        placed.add(index)


def one_second_batches(landmarks: np.ndarray, timestamps: np.ndarray, fps: int) -> list[bytes]:
    """The request bodies the app would post: frames grouped by session second, each gzip-encoded."""
    if timestamps.shape[0] == 0:
        return []
    seconds = timestamps.astype(np.int64) // 1000
    boundaries = np.flatnonzero(np.diff(seconds)) + 1
    starts = np.concatenate(([0], boundaries))
    stops = np.concatenate((boundaries, [timestamps.shape[0]]))
    return [encode_batch(landmarks[i:j], timestamps[i:j], fps) for i, j in zip(starts, stops)]
