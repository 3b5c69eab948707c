"""One 0-100 viewer-experience score per playback, in the shape of Mux Data's Overall Viewer Experience.

Four element scores, each 0-100 (the curves are Mux's published ones; docs/video-quality.md cites them):

    playback_success  100, or 0 when the playback failed (session_end reason `error`) or the patient left
                      before the first frame (exit before video start). Mux gives an exit 50 because some exits
                      are harmless; here the patient then saw none of the demonstration, so it is 0.
    startup           8 / (8 + startup seconds) * 100  (400 ms -> 95, 2 s -> 80, 8 s -> 50)
    smoothness        the mean of  100 / sqrt(1 + (rebuffer_count / 2)^2)
                      and          100 * e^(-10 * r),  r = rebuffer seconds / viewing seconds, where viewing
                      seconds = startup + seconds played + rebuffer seconds (Mux's "watch time", so the curve
                      keeps Mux's calibration; the reported rebuffer percentage divides by seconds played)
    video_quality     100 * e^(-0.33 * (0.15 * U_max + 0.85 * U_avg)) * (1 - dropped-frame ratio)
                      U of a rendition of height h = max(0, REFERENCE_HEIGHT / h - 1) (480p -> 0.5, 360p -> 1.0):
                      Mux compares against the player's size, which the app does not report, so the reference
                      is the 720p an exercise video is made for; U_avg weights by seconds played at each
                      rendition, U_max is the worst rendition shown. Labels without a height (hd, auto) count as
                      no upscaling. Mux leaves dropped frames out; here a stuttering demonstration is poor video.

    score = playback_success / 100 * (startup * smoothness * video_quality) ^ (1/3)

The geometric mean lets one bad element pull the score down further than an average would (an 8 s startup
with perfect playback scores 79, not 83). An element that cannot be measured (no startup_ms) is left out of
the mean. So: a playback that never started or failed scores 0, a perfect one (instant start, no stall,
720p or better, no dropped frame) 100, and the score falls as rebuffering or startup time grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.telemetry.domain.renditions import height

REFERENCE_HEIGHT = 720
FAILURE_REASON = "error"


@dataclass(frozen=True)
class ViewerExperience:
    score: float
    playback_success: float
    startup: float | None  # None: no startup measured (never started)
    smoothness: float | None
    video_quality: float | None


def viewer_experience(
    *, exit_before_video_start: bool, end_reason: str | None, startup_ms: int | None, watched_seconds: float,
    rebuffer_count: int, rebuffer_seconds: float, quality_seconds: dict[str, float], dropped_frame_ratio: float,
) -> ViewerExperience:
    if exit_before_video_start:
        # Mux gives such a view no startup, smoothness or quality score: nothing was shown.
        return ViewerExperience(0.0, 0.0, None, None, None)
    success = 0.0 if end_reason == FAILURE_REASON else 100.0
    startup = startup_score(startup_ms) if startup_ms is not None else None
    viewing = (startup_ms or 0) / 1000.0 + watched_seconds + rebuffer_seconds
    smooth = smoothness_score(rebuffer_count, rebuffer_seconds / viewing if viewing else 0.0)
    quality = video_quality_score(quality_seconds, dropped_frame_ratio)
    parts = [p for p in (startup, smooth, quality) if p is not None]
    mean = math.prod(parts) ** (1.0 / len(parts)) if parts else 100.0
    return ViewerExperience(
        score=_round(success / 100.0 * mean), playback_success=success,
        startup=_round(startup) if startup is not None else None, smoothness=_round(smooth), video_quality=_round(quality),
    )


def startup_score(startup_ms: int) -> float:
    return 8.0 / (8.0 + startup_ms / 1000.0) * 100.0


def smoothness_score(rebuffer_count: int, rebuffer_fraction: float) -> float:
    by_count = 100.0 / math.sqrt(1.0 + (rebuffer_count / 2.0) ** 2)
    by_share = 100.0 * math.exp(-10.0 * rebuffer_fraction)
    return (by_count + by_share) / 2.0


def video_quality_score(quality_seconds: dict[str, float], dropped_frame_ratio: float) -> float:
    upscales = {label: upscale(label) for label, seconds in quality_seconds.items() if seconds > 0}
    weighted = {label: quality_seconds[label] for label in upscales}
    total = sum(weighted.values())
    average = sum(upscales[label] * s for label, s in weighted.items()) / total if total else 0.0
    worst = max(upscales.values(), default=0.0)
    return 100.0 * math.exp(-0.33 * (0.15 * worst + 0.85 * average)) * (1.0 - dropped_frame_ratio)


def upscale(label: str) -> float:
    """How far a rendition is stretched to the reference height: 0 at 720p or above, 0.5 at 480p."""
    h = height(label)
    return max(0.0, REFERENCE_HEIGHT / h - 1.0) if h else 0.0


def _round(value: float) -> float:
    return round(value, 1)
