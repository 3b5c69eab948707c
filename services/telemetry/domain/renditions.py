"""Watched time of one playback per rendition and per bitrate band, the time-weighted bitrate, up/down switches.

The rendition in effect (a label such as 720p, and its bitrate in bits/s) comes from:
- label: session_start.quality, quality_change.to_quality, heartbeat.quality (before any of those: the first
  quality_change.from_quality);
- bitrate: session_start.bitrate, quality_change.bitrate (of the new rendition), heartbeat.bitrate (before any
  of those: the first heartbeat's bitrate; a rendition left by the first quality_change without one is unknown).
A heartbeat naming a label or bitrate other than the one in effect is a switch at the heartbeat's time.

Watched time between two watched_seconds readings is split over the renditions shown in between in
proportion to their wall-clock time, so the shares add up to watched_seconds (Mux's "playing time by
rendition"). Bitrate bands are half-open ranges of kbit/s (1 kbit = 1000 bits), named in BITRATE_BANDS;
time at an unknown bitrate is `unknown` and left out of the average.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.telemetry.domain.media_events import MediaEvent

UNKNOWN_QUALITY = "unknown"
UNKNOWN_BITRATE = "unknown"
# (name, lowest kbit/s included); each band runs to the next one's lowest.
BITRATE_BANDS: tuple[tuple[str, int], ...] = (
    ("below_500_kbps", 0),
    ("500_to_1000_kbps", 500),
    ("1000_to_2000_kbps", 1000),
    ("2000_to_4000_kbps", 2000),
    ("4000_to_8000_kbps", 4000),
    ("8000_kbps_and_above", 8000),
)
BAND_NAMES = (*(name for name, _ in BITRATE_BANDS), UNKNOWN_BITRATE)
_HEIGHT = re.compile(r"^(\d{3,4})p")

Rendition = tuple[str, "int | None"]  # (label, bits/s or None)


@dataclass(frozen=True)
class RenditionTime:
    quality_seconds: dict[str, float]
    bitrate_seconds: dict[str, float]
    average_bitrate: int | None  # bits/s, time-weighted over the seconds at a known bitrate


def rendition_time(ordered: list[MediaEvent], start: MediaEvent | None) -> RenditionTime:
    """`ordered` as media_metrics orders a playback's events (by time, then type rank, then arrival)."""
    seconds = _seconds_per_rendition(ordered, start)
    by_label: dict[str, float] = {}
    by_band: dict[str, float] = {}
    weighted = known = 0.0
    for (label, bitrate), value in seconds.items():
        by_label[label] = by_label.get(label, 0.0) + value
        band = bitrate_band(bitrate)
        by_band[band] = by_band.get(band, 0.0) + value
        if bitrate is not None:
            weighted += bitrate * value
            known += value
    return RenditionTime(
        quality_seconds=_rounded(by_label),
        bitrate_seconds=_rounded(by_band),
        average_bitrate=round(weighted / known) if known else None,
    )


def bitrate_band(bitrate: int | None) -> str:
    if bitrate is None:
        return UNKNOWN_BITRATE
    kbps = bitrate / 1000.0
    name = BITRATE_BANDS[0][0]
    for band, lowest in BITRATE_BANDS:
        if kbps >= lowest:
            name = band
    return name


def height(quality: str | None) -> int | None:
    """The rendition's height from a label such as 720p or 1080p60; None for labels like hd or auto."""
    match = _HEIGHT.match(quality or "")
    return int(match.group(1)) if match else None


def switch_directions(ordered: list[MediaEvent]) -> tuple[int, int]:
    """Up and down quality_change counts: direction from the label's height, else from the bitrate against the
    previous quality_change's; a switch with neither known counts in neither."""
    up = down = 0
    previous_bitrate: int | None = None
    for event in ordered:
        if event.type != "quality_change":
            continue
        before, after = height(event.from_quality), height(event.to_quality)
        if before is not None and after is not None and before != after:
            up, down = (up + 1, down) if after > before else (up, down + 1)
        elif previous_bitrate is not None and event.bitrate is not None and event.bitrate != previous_bitrate:
            up, down = (up + 1, down) if event.bitrate > previous_bitrate else (up, down + 1)
        previous_bitrate = event.bitrate
    return up, down


def _seconds_per_rendition(ordered: list[MediaEvent], start: MediaEvent | None) -> dict[Rendition, float]:
    current: Rendition = (_initial_quality(ordered, start), _initial_bitrate(ordered, start))
    seconds: dict[Rendition, float] = {}
    shown: dict[Rendition, float] = {}  # wall ms per rendition since the last watched reading
    since_ms = start.occurred_ms if start else ordered[0].occurred_ms
    last_watched = 0.0

    def show_until(at_ms: int) -> None:
        nonlocal since_ms
        if at_ms > since_ms:
            shown[current] = shown.get(current, 0.0) + (at_ms - since_ms)
        since_ms = max(since_ms, at_ms)

    for event in ordered:
        if event.type == "quality_change":
            show_until(event.occurred_ms)
            current = (event.to_quality or current[0], event.bitrate)
        elif event.type == "heartbeat":
            label = event.quality or current[0]
            bitrate = event.bitrate if event.bitrate is not None else current[1]
            if (label, bitrate) != current:
                show_until(event.occurred_ms)
                current = (label, bitrate)
        if event.watched_seconds is not None and event.watched_seconds > last_watched:
            show_until(event.occurred_ms)
            watched = event.watched_seconds - last_watched
            wall = sum(shown.values())
            shares = {r: ms / wall for r, ms in shown.items()} if wall else {current: 1.0}
            for rendition, share in shares.items():
                seconds[rendition] = seconds.get(rendition, 0.0) + watched * share
            shown.clear()
            last_watched = event.watched_seconds
    return seconds


def _initial_quality(ordered: list[MediaEvent], start: MediaEvent | None) -> str:
    if start is not None and start.quality:
        return start.quality
    for event in ordered:
        if event.type == "quality_change":
            return event.from_quality or UNKNOWN_QUALITY
        if event.type == "heartbeat" and event.quality:
            return event.quality
    return UNKNOWN_QUALITY


def _initial_bitrate(ordered: list[MediaEvent], start: MediaEvent | None) -> int | None:
    if start is not None and start.bitrate is not None:
        return start.bitrate
    for event in ordered:
        if event.type == "quality_change":
            return None  # what played before the first switch is only named by its label
        if event.type == "heartbeat" and event.bitrate is not None:
            return event.bitrate
    return None


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 3) for key, value in sorted(values.items())}
