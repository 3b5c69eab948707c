"""Joint-angle series from landmarks: visibility gating, short-gap interpolation and smoothing."""

from __future__ import annotations

import numpy as np

# Below this segment length (normalised image units) the two landmarks sit on top of each other
# and the angle is noise, not anatomy.
_MIN_SEGMENT_LENGTH = 1e-6


def joint_angle_series(
    landmarks: np.ndarray,
    joint: tuple[int, int, int],
    visibility_threshold: float,
    *,
    use_depth: bool = False,
    frame_aspect_ratio: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The angle at joint[1] per frame (float64 degrees) and the mask of frames gated out.

    A frame is gated out (NaN) when any of the three landmarks is less visible
    than the threshold: MediaPipe still guesses a position for a hidden limb,
    and scoring a guess would grade the camera, not the patient.
    `frame_aspect_ratio` (width / height) undoes MediaPipe's normalisation of x
    by width and y by height, without which angles on a 16:9 frame are skewed.
    """
    points = landmarks[:, list(joint), :].astype(np.float64)
    low_visibility = points[:, :, 3].min(axis=1) < visibility_threshold
    coords = points[:, :, :3] if use_depth else points[:, :, :2]
    if frame_aspect_ratio != 1.0:
        coords = coords.copy()
        coords[:, :, 0] *= frame_aspect_ratio
        if use_depth:
            coords[:, :, 2] *= frame_aspect_ratio  # MediaPipe scales z like x
    toward_a = coords[:, 0] - coords[:, 1]
    toward_c = coords[:, 2] - coords[:, 1]
    dot = np.einsum("ij,ij->i", toward_a, toward_c)
    if use_depth:
        cross = np.linalg.norm(np.cross(toward_a, toward_c), axis=1)
    else:
        cross = np.abs(toward_a[:, 0] * toward_c[:, 1] - toward_a[:, 1] * toward_c[:, 0])
    # atan2(|a x c|, a . c) stays accurate near 0 and 180 degrees, where acos of a ratio does not.
    angles = np.degrees(np.arctan2(cross, dot))
    degenerate = (np.linalg.norm(toward_a, axis=1) < _MIN_SEGMENT_LENGTH) | (
        np.linalg.norm(toward_c, axis=1) < _MIN_SEGMENT_LENGTH
    )
    angles[low_visibility | degenerate] = np.nan
    return angles, low_visibility


def fill_short_gaps(values: np.ndarray, timestamps_ms: np.ndarray, max_gap_ms: int) -> np.ndarray:
    """Linear interpolation across untracked stretches whose tracked neighbours are at most max_gap_ms apart.

    Longer gaps stay NaN: inventing a second of movement would invent range of motion.
    """
    missing = np.isnan(values)
    if not missing.any() or missing.all():
        return values.copy()
    n = values.shape[0]
    index = np.arange(n)
    previous = np.maximum.accumulate(np.where(missing, -1, index))
    following = np.minimum.accumulate(np.where(missing, n, index)[::-1])[::-1]
    fillable = missing & (previous >= 0) & (following < n)
    if not fillable.any():
        return values.copy()
    times = timestamps_ms.astype(np.float64)
    before, after = previous[fillable], following[fillable]
    span = times[after] - times[before]
    short = span <= max_gap_ms
    targets = np.flatnonzero(fillable)[short]
    before, after, span = before[short], after[short], span[short]
    filled = values.copy()
    weight = (times[targets] - times[before]) / span
    filled[targets] = values[before] + (values[after] - values[before]) * weight
    return filled


def smooth(values: np.ndarray, timestamps_ms: np.ndarray, window_ms: int) -> np.ndarray:
    """Centred moving average over a time window, ignoring NaN; frames that were NaN stay NaN.

    The window is in milliseconds, not frames, so dropped frames and other frame
    rates do not change how much is averaged. Cumulative sums make it O(n).
    """
    if window_ms <= 0 or values.shape[0] == 0:
        return values.copy()
    valid = ~np.isnan(values)
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(valid)))
    times = timestamps_ms.astype(np.int64)
    half = window_ms / 2.0
    lower = np.searchsorted(times, times - half, side="left")
    upper = np.searchsorted(times, times + half, side="right")
    count = counts[upper] - counts[lower]
    with np.errstate(invalid="ignore", divide="ignore"):
        averaged = (sums[upper] - sums[lower]) / count
    averaged[~valid] = np.nan
    return averaged
