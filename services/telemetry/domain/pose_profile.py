"""An exercise's pose profile: which joint to measure, the range it should travel and how reps are told apart."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from enum import IntEnum
from typing import Any, Mapping


class PoseLandmark(IntEnum):
    """MediaPipe Pose landmark indices, named as a therapist would name them."""

    NOSE = 0
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


_REQUIRED_FIELDS = ("primary_joint", "target_rom_degrees", "flexed_threshold_degrees", "extended_threshold_degrees")


class InvalidPoseProfile(ValueError):
    """A profile from the exercise catalogue that cannot be used; names the field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class PoseProfile:
    """How to read one exercise from landmarks.

    Angles are the interior angle at the middle landmark of a joint triple, in
    degrees, 0..180 (a straight knee is ~180). A rep goes from the *extended*
    (resting) end of the movement to the *flexed* (working) end and back. The
    two thresholds form a hysteresis band: the joint counts as flexed once it
    passes `flexed_threshold_degrees` and as extended again only once it passes
    `extended_threshold_degrees`, so tremor around one threshold is never a rep.
    When flexed < extended the joint closes to work (knee in a squat); when
    flexed > extended it opens to work (shoulder abduction).

    `target_rom_degrees` = (low, high) joint angles the prescribed movement
    spans; its width is the range of motion a full rep should reach.
    """

    primary_joint: tuple[int, int, int]
    target_rom_degrees: tuple[float, float]
    flexed_threshold_degrees: float
    extended_threshold_degrees: float
    secondary_joint: tuple[int, int, int] | None = None
    min_rep_seconds: float = 0.8
    visibility_threshold: float = 0.5
    smoothing_window_ms: int = 150
    # Gaps of untracked frames up to this long are interpolated; a rep spanning a longer one is not scored.
    max_gap_ms: int = 500
    # Form-score knobs (see pose_metrics): a rep faster than this loses tempo points.
    target_rep_seconds: float = 2.0
    # Alignment drift below the tolerance is free; at the limit the alignment part of the score is 0.
    deviation_tolerance_degrees: float = 5.0
    deviation_limit_degrees: float = 25.0
    # MediaPipe's monocular z is far noisier than x/y, so angles are measured in the image plane by default.
    use_depth: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "primary_joint", _joint("primary_joint", self.primary_joint))
        if self.secondary_joint is not None:
            object.__setattr__(self, "secondary_joint", _joint("secondary_joint", self.secondary_joint))
        rom = _pair("target_rom_degrees", self.target_rom_degrees)
        if not 0 <= rom[0] < rom[1] <= 180:
            raise InvalidPoseProfile("target_rom_degrees", "needs 0 <= low < high <= 180")
        object.__setattr__(self, "target_rom_degrees", rom)
        for name in ("flexed_threshold_degrees", "extended_threshold_degrees"):
            value = _number(name, getattr(self, name))
            if not 0 <= value <= 180:
                raise InvalidPoseProfile(name, "must be within 0..180 degrees")
            object.__setattr__(self, name, value)
        if self.flexed_threshold_degrees == self.extended_threshold_degrees:
            raise InvalidPoseProfile(
                "extended_threshold_degrees", "must differ from flexed_threshold_degrees (hysteresis)"
            )
        for name in ("min_rep_seconds", "target_rep_seconds", "deviation_limit_degrees"):
            if _number(name, getattr(self, name)) <= 0:
                raise InvalidPoseProfile(name, "must be positive")
        tolerance = _number("deviation_tolerance_degrees", self.deviation_tolerance_degrees)
        if not 0 <= tolerance < self.deviation_limit_degrees:
            raise InvalidPoseProfile("deviation_tolerance_degrees", "needs 0 <= tolerance < deviation_limit_degrees")
        if not 0 <= _number("visibility_threshold", self.visibility_threshold) <= 1:
            raise InvalidPoseProfile("visibility_threshold", "must be within 0..1")
        for name in ("smoothing_window_ms", "max_gap_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidPoseProfile(name, "must be a non-negative integer")
        if not isinstance(self.use_depth, bool):
            raise InvalidPoseProfile("use_depth", "must be true or false")

    @property
    def closes_to_work(self) -> bool:
        """True when the working end of the movement is the smaller angle (knee flexion, elbow curl)."""
        return self.flexed_threshold_degrees < self.extended_threshold_degrees

    @property
    def target_rom_span_degrees(self) -> float:
        return self.target_rom_degrees[1] - self.target_rom_degrees[0]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PoseProfile:
        """Parse the JSON stored in the exercise catalogue; unknown keys are refused, not ignored."""
        if not isinstance(data, Mapping):
            raise InvalidPoseProfile("pose_profile", "must be a JSON object")
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise InvalidPoseProfile(str(key), "unknown field")
        for required in _REQUIRED_FIELDS:
            if required not in data:
                raise InvalidPoseProfile(required, "is required")
        return cls(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["primary_joint"] = list(self.primary_joint)
        data["secondary_joint"] = list(self.secondary_joint) if self.secondary_joint else None
        data["target_rom_degrees"] = list(self.target_rom_degrees)
        return data


def _joint(name: str, value: Any) -> tuple[int, int, int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 3:
        raise InvalidPoseProfile(name, "must be three landmark indices")
    joint = []
    for index in value:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= 32:
            raise InvalidPoseProfile(name, "landmark indices are integers 0..32")
        joint.append(int(index))
    if len(set(joint)) != 3:
        raise InvalidPoseProfile(name, "the three landmarks must differ")
    return (joint[0], joint[1], joint[2])


def _pair(name: str, value: Any) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise InvalidPoseProfile(name, "must be [low, high]")
    return (_number(name, value[0]), _number(name, value[1]))


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidPoseProfile(name, "must be a finite number")
    return float(value)


# Profiles the catalogue can start from; also what the simulator and benchmarks use.
SQUAT_LEFT = PoseProfile(
    primary_joint=(PoseLandmark.LEFT_HIP, PoseLandmark.LEFT_KNEE, PoseLandmark.LEFT_ANKLE),
    secondary_joint=(PoseLandmark.LEFT_SHOULDER, PoseLandmark.LEFT_HIP, PoseLandmark.LEFT_KNEE),
    target_rom_degrees=(90.0, 175.0),
    flexed_threshold_degrees=130.0,
    extended_threshold_degrees=160.0,
)

SHOULDER_ABDUCTION_RIGHT = PoseProfile(
    primary_joint=(PoseLandmark.RIGHT_HIP, PoseLandmark.RIGHT_SHOULDER, PoseLandmark.RIGHT_ELBOW),
    secondary_joint=(PoseLandmark.LEFT_SHOULDER, PoseLandmark.RIGHT_SHOULDER, PoseLandmark.RIGHT_HIP),
    target_rom_degrees=(15.0, 165.0),
    flexed_threshold_degrees=110.0,
    extended_threshold_degrees=50.0,
)
