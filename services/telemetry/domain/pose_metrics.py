"""Per-rep and per-session pose metrics of an exercise session, computed from its landmark stream.

Pipeline: joint angle per frame (visibility-gated) -> short gaps interpolated ->
time-window smoothing -> rep detection with hysteresis (rep_detection) -> per-rep
figures -> session figures.

Form score of a rep, 0..100 (weights are clinical emphasis: reaching the range
matters most, then holding alignment, then not rushing):

    rom       = min(1, peak_rom_degrees / target ROM width)
    alignment = 1 - clamp((max_deviation - tolerance) / (limit - tolerance), 0, 1)
    tempo     = min(1, rep duration / target_rep_seconds)
    form_score = 100 * (0.5*rom + 0.3*alignment + 0.2*tempo) / (sum of weights used)

When alignment cannot be measured (no secondary joint in the profile, or it was
never visible during the rep) it is left out and the weights renormalised, so a
missing measurement neither rewards nor punishes the patient.

Session figures:
- rep_count: reps that survived detection and rejection.
- average_form_score: mean form score of those reps (None without reps).
- pose_accuracy_score: how well the *positions* were reached, 0..100: the form
  score without its tempo part, averaged over reps (None without reps).
- active_duration_ms: sum of rep durations (pauses between reps excluded).
- frames_total; frames_low_visibility: frames where a primary-joint landmark was
  below the visibility threshold.

max_deviation_degrees of a rep: the largest |secondary angle - baseline| during
the rep, where the baseline is the median secondary angle over the first second
of frames in which the secondary joint was visible (the patient's own neutral
posture); whole-session median if that second holds fewer than 5 frames.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from services.telemetry.domain.joint_angles import fill_short_gaps, joint_angle_series, smooth
from services.telemetry.domain.pose_batch import in_time_order
from services.telemetry.domain.pose_profile import PoseProfile
from services.telemetry.domain.rep_detection import detect_reps

ROM_WEIGHT = 0.5
ALIGNMENT_WEIGHT = 0.3
TEMPO_WEIGHT = 0.2
BASELINE_WINDOW_MS = 1000
BASELINE_MIN_FRAMES = 5


@dataclass(frozen=True)
class RepMetrics:
    rep_number: int
    start_ms: int
    end_ms: int
    peak_rom_degrees: float
    eccentric_ms: int
    hold_ms: int
    concentric_ms: int
    max_deviation_degrees: float | None  # None: no secondary joint, or not visible during the rep
    form_score: float
    # The joint angle at the rep's deepest point: the minimum angle of a flexion (a squat's knee), the
    # maximum of a movement whose working end is the high angle (an abduction).
    deepest_angle_degrees: float | None = None

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SessionPoseMetrics:
    rep_count: int
    average_form_score: float | None
    active_duration_ms: int
    pose_accuracy_score: float | None
    frames_total: int
    frames_low_visibility: int
    alignment_baseline_degrees: float | None = None
    reps: list[RepMetrics] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reps"] = [rep.to_dict() for rep in self.reps]
        return data


def rom_component(peak_rom_degrees: float, profile: PoseProfile) -> float:
    return min(1.0, max(0.0, peak_rom_degrees / profile.target_rom_span_degrees))


def alignment_component(max_deviation_degrees: float | None, profile: PoseProfile) -> float | None:
    if max_deviation_degrees is None:
        return None
    tolerance, limit = profile.deviation_tolerance_degrees, profile.deviation_limit_degrees
    excess = (max_deviation_degrees - tolerance) / (limit - tolerance)
    return 1.0 - min(1.0, max(0.0, excess))


def tempo_component(duration_ms: float, profile: PoseProfile) -> float:
    return min(1.0, max(0.0, duration_ms / 1000.0 / profile.target_rep_seconds))


def form_score(
    peak_rom_degrees: float, max_deviation_degrees: float | None, duration_ms: float, profile: PoseProfile
) -> float:
    """The documented 0..100 form score of one rep (see the module docstring), one decimal."""
    parts = [
        (ROM_WEIGHT, rom_component(peak_rom_degrees, profile)),
        (TEMPO_WEIGHT, tempo_component(duration_ms, profile)),
    ]
    alignment = alignment_component(max_deviation_degrees, profile)
    if alignment is not None:
        parts.append((ALIGNMENT_WEIGHT, alignment))
    return round(100.0 * sum(w * s for w, s in parts) / sum(w for w, _ in parts), 1)


def position_score(peak_rom_degrees: float, max_deviation_degrees: float | None, profile: PoseProfile) -> float:
    """The form score without tempo: the rep's contribution to pose_accuracy_score."""
    parts = [(ROM_WEIGHT, rom_component(peak_rom_degrees, profile))]
    alignment = alignment_component(max_deviation_degrees, profile)
    if alignment is not None:
        parts.append((ALIGNMENT_WEIGHT, alignment))
    return 100.0 * sum(w * s for w, s in parts) / sum(w for w, _ in parts)


def angle_track(
    landmarks: np.ndarray,
    timestamps_ms: np.ndarray,
    joint: tuple[int, int, int],
    profile: PoseProfile,
    frame_aspect_ratio: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gated, gap-filled, smoothed angle series of one joint, and its low-visibility mask."""
    raw, low_visibility = joint_angle_series(
        landmarks,
        joint,
        profile.visibility_threshold,
        use_depth=profile.use_depth,
        frame_aspect_ratio=frame_aspect_ratio,
    )
    filled = fill_short_gaps(raw, timestamps_ms, profile.max_gap_ms)
    return smooth(filled, timestamps_ms, profile.smoothing_window_ms), low_visibility


def alignment_baseline(secondary: np.ndarray, timestamps_ms: np.ndarray) -> float | None:
    tracked = np.flatnonzero(~np.isnan(secondary))
    if tracked.size == 0:
        return None
    first_second = tracked[timestamps_ms[tracked] < int(timestamps_ms[tracked[0]]) + BASELINE_WINDOW_MS]
    window = first_second if first_second.size >= BASELINE_MIN_FRAMES else tracked
    return float(np.median(secondary[window]))


def aggregate_session(
    landmarks: np.ndarray,
    timestamps_ms: np.ndarray,
    profile: PoseProfile,
    *,
    frame_aspect_ratio: float = 1.0,
) -> SessionPoseMetrics:
    """All pose figures of one exercise session (frames in any order; duplicates by timestamp dropped)."""
    landmarks = np.asarray(landmarks)
    timestamps_ms = np.asarray(timestamps_ms)
    if landmarks.ndim != 3 or landmarks.shape[1:] != (33, 4) or timestamps_ms.shape != (landmarks.shape[0],):
        raise ValueError("expected landmarks (n, 33, 4) and timestamps_ms (n,)")
    landmarks, timestamps_ms = in_time_order(landmarks, timestamps_ms)
    n = int(timestamps_ms.shape[0])
    if n == 0:
        return SessionPoseMetrics(0, None, 0, None, 0, 0)

    primary, low_visibility = angle_track(landmarks, timestamps_ms, profile.primary_joint, profile, frame_aspect_ratio)
    windows = detect_reps(
        primary,
        timestamps_ms,
        flexed_threshold_degrees=profile.flexed_threshold_degrees,
        extended_threshold_degrees=profile.extended_threshold_degrees,
        min_rep_ms=profile.min_rep_seconds * 1000.0,
        max_gap_ms=profile.max_gap_ms,
    )

    deviation = None
    baseline = None
    if profile.secondary_joint is not None:
        secondary, _ = angle_track(landmarks, timestamps_ms, profile.secondary_joint, profile, frame_aspect_ratio)
        baseline = alignment_baseline(secondary, timestamps_ms)
        if baseline is not None:
            deviation = np.abs(secondary - baseline)

    times = timestamps_ms.astype(np.int64)
    reps: list[RepMetrics] = []
    positions: list[float] = []
    for number, window in enumerate(windows, start=1):
        max_deviation = None
        if deviation is not None:
            during = deviation[window.start : window.end + 1]
            if not np.isnan(during).all():
                max_deviation = round(float(np.nanmax(during)), 1)
        start_ms, end_ms = int(times[window.start]), int(times[window.end])
        peak_rom = window.peak_rom_degrees
        reps.append(
            RepMetrics(
                rep_number=number,
                start_ms=start_ms,
                end_ms=end_ms,
                peak_rom_degrees=round(peak_rom, 1),
                eccentric_ms=int(times[window.hold_first]) - start_ms,
                hold_ms=int(times[window.hold_last] - times[window.hold_first]),
                concentric_ms=end_ms - int(times[window.hold_last]),
                max_deviation_degrees=max_deviation,
                form_score=form_score(peak_rom, max_deviation, end_ms - start_ms, profile),
                deepest_angle_degrees=round(window.deepest_angle_degrees, 1),
            )
        )
        positions.append(position_score(peak_rom, max_deviation, profile))

    return SessionPoseMetrics(
        rep_count=len(reps),
        average_form_score=round(float(np.mean([r.form_score for r in reps])), 1) if reps else None,
        active_duration_ms=sum(r.duration_ms for r in reps),
        pose_accuracy_score=round(float(np.mean(positions)), 1) if reps else None,
        frames_total=n,
        frames_low_visibility=int(low_visibility.sum()),
        alignment_baseline_degrees=round(baseline, 1) if baseline is not None else None,
        reps=reps,
    )
