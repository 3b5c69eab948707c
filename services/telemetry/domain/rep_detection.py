"""Rep detection on a joint-angle series: hysteresis states, rep boundaries and movement phases.

Vocabulary. The series is first oriented so that the resting (extended) end of
the movement is high and the working (flexed) end is low; `depth` below is
"degrees away from the starting position".

1. States, vectorised: a frame past the flexed threshold marks FLEXED, a frame
   past the extended threshold marks EXTENDED, frames in between (and untracked
   frames) keep the last mark (forward fill). A rep is an EXTENDED -> FLEXED ->
   EXTENDED cycle; a FLEXED run with no EXTENDED run before or after it (the
   session starts mid-rep, or the patient stops at the bottom) is not a rep.
2. Boundaries. The starting position is the most extended angle of the
   EXTENDED run before the rep. The rep starts at the last frame of that run
   still within the *band* of the starting position and ends at the first frame
   after the FLEXED run back within the band (or, when the patient never gets
   back, within the band of the highest angle they return to). Pauses between
   reps therefore do not count as rep time.
3. Peak and phases. Peak ROM = starting position - deepest angle of the FLEXED
   run. Frames within the band of the deepest angle are the hold; eccentric is
   start -> first hold frame, concentric is last hold frame -> end.
   band = max(2 degrees, 5 % of the rep's ROM): wide enough that sensor noise
   does not split a hold, narrow enough that a 90-degree rep loses < 5 degrees.
4. Rejection. A rep shorter than min_rep_seconds is jitter. A rep containing an
   untracked gap longer than max_gap_ms is dropped: what happened in the gap is
   unknown, so neither its ROM nor its timing can be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BAND_RATIO = 0.05
BAND_MIN_DEGREES = 2.0

_EXTENDED = -1
_FLEXED = 1


@dataclass(frozen=True)
class RepWindow:
    """Frame indices (inclusive) of one detected rep and its extreme angles."""

    start: int
    hold_first: int
    hold_last: int
    end: int
    starting_angle_degrees: float
    deepest_angle_degrees: float

    @property
    def peak_rom_degrees(self) -> float:
        return abs(self.starting_angle_degrees - self.deepest_angle_degrees)


def hysteresis_states(depth_axis: np.ndarray, flexed_at: float, extended_at: float) -> np.ndarray:
    """Per frame: +1 flexed, -1 extended, 0 before the first mark (oriented: flexed_at < extended_at)."""
    marks = np.zeros(depth_axis.shape[0], dtype=np.int8)
    with np.errstate(invalid="ignore"):
        marks[depth_axis <= flexed_at] = _FLEXED
        marks[depth_axis >= extended_at] = _EXTENDED
    index = np.arange(depth_axis.shape[0])
    last_mark = np.maximum.accumulate(np.where(marks != 0, index, -1))
    return np.where(last_mark >= 0, marks[np.maximum(last_mark, 0)], 0).astype(np.int8)


def detect_reps(
    angles: np.ndarray,
    timestamps_ms: np.ndarray,
    *,
    flexed_threshold_degrees: float,
    extended_threshold_degrees: float,
    min_rep_ms: float,
    max_gap_ms: float,
) -> list[RepWindow]:
    """Reps in a smoothed angle series (NaN = untracked), in time order."""
    n = angles.shape[0]
    if n < 3:
        return []
    # Orient so the working end is low: then "deeper" is always "smaller" below.
    sign = 1.0 if flexed_threshold_degrees < extended_threshold_degrees else -1.0
    oriented = angles * sign
    states = hysteresis_states(oriented, flexed_threshold_degrees * sign, extended_threshold_degrees * sign)

    previous = np.concatenate(([0], states[:-1]))
    entries = np.flatnonzero((states == _FLEXED) & (previous == _EXTENDED))
    exits = np.flatnonzero((states == _EXTENDED) & (previous == _FLEXED))
    if entries.size == 0 or exits.size == 0:
        return []
    extended_run_starts = np.flatnonzero((states == _EXTENDED) & (previous != _EXTENDED))

    times = timestamps_ms.astype(np.float64)
    step = np.diff(times)
    tracked = ~np.isnan(oriented)

    reps: list[RepWindow] = []
    exit_slot = np.searchsorted(exits, entries)
    for k, entry in enumerate(entries):
        if exit_slot[k] >= exits.size:
            break  # the patient never came back up: an unfinished rep
        leave = int(exits[exit_slot[k]])
        rest_from = int(extended_run_starts[np.searchsorted(extended_run_starts, entry) - 1])
        rest_until = int(entries[k + 1]) if k + 1 < entries.size else n

        before = oriented[rest_from:entry]
        starting = float(np.nanmax(before))
        deepest_at = entry + int(np.nanargmin(oriented[entry:leave]))
        deepest = float(oriented[deepest_at])
        band = max(BAND_MIN_DEGREES, BAND_RATIO * (starting - deepest))

        with np.errstate(invalid="ignore"):
            start = rest_from + int(np.flatnonzero(before >= starting - band)[-1])
            after = oriented[leave:rest_until]
            back = np.flatnonzero(after >= starting - band)
            if back.size == 0:
                back = np.flatnonzero(after >= np.nanmax(after) - band)
            end = leave + int(back[0])
            in_hold = np.flatnonzero(oriented[start : end + 1] <= deepest + band) + start

        if times[end] - times[start] < min_rep_ms:
            continue
        if not tracked[start : end + 1].all() or (end > start and step[start:end].max() > max_gap_ms):
            continue
        reps.append(
            RepWindow(
                start=start,
                hold_first=int(in_hold[0]),
                hold_last=int(in_hold[-1]),
                end=end,
                starting_angle_degrees=starting * sign,
                deepest_angle_degrees=deepest * sign,
            )
        )
    return reps
