"""The pose profile of a catalogue exercise: which joint telemetry measures and how it tells reps apart.

The stored form is the JSON telemetry's `PoseProfile.from_dict` reads (snake_case keys), so the rules here are
the ones telemetry applies when it scores a session; a profile it could not use is refused at the door (422
naming the field) instead of being replaced by the default squat profile when the first session ends.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictFloat, StrictInt, model_validator

from services.gateway.schemas.base import StrictBody

# MediaPipe Pose: 33 landmarks, 0 (nose) .. 32 (right foot index).
Landmark = Annotated[StrictInt, Field(ge=0, le=32, description="MediaPipe Pose landmark index, 0..32")]
Degrees = Annotated[StrictInt | StrictFloat, Field(ge=0, le=180, description="joint angle in degrees, 0..180")]
Joint = Annotated[
    list[Landmark],
    Field(min_length=3, max_length=3, description="three landmarks; the angle is measured at the middle one"),
]


class PoseProfileBody(StrictBody):
    """Angles are interior angles at the middle landmark (a straight knee is ~180). A rep goes from the extended
    (resting) end to the flexed (working) end and back; the two thresholds form a hysteresis band, so both are
    required and must differ. flexed < extended: the joint closes to work (squat); flexed > extended: it opens
    (shoulder abduction). Both thresholds lie within target_rom_degrees, the span a full rep travels."""

    primary_joint: Joint
    target_rom_degrees: Annotated[list[Degrees], Field(min_length=2, max_length=2, description="[low, high], low < high")]
    flexed_threshold_degrees: Degrees
    extended_threshold_degrees: Degrees
    secondary_joint: Joint | None = Field(default=None, description="a joint whose drift from neutral costs form score")
    min_rep_seconds: Annotated[StrictInt | StrictFloat, Field(gt=0, le=60)] = 0.8
    visibility_threshold: Annotated[StrictInt | StrictFloat, Field(ge=0, le=1)] = 0.5
    smoothing_window_ms: Annotated[StrictInt, Field(ge=0, le=10_000)] = 150
    max_gap_ms: Annotated[StrictInt, Field(ge=0, le=60_000, description="untracked gaps up to this are interpolated")] = 500
    target_rep_seconds: Annotated[StrictInt | StrictFloat, Field(gt=0, le=60)] = 2.0
    deviation_tolerance_degrees: Annotated[StrictInt | StrictFloat, Field(ge=0, le=180)] = 5.0
    deviation_limit_degrees: Annotated[StrictInt | StrictFloat, Field(gt=0, le=180)] = 25.0
    use_depth: StrictBool = False

    @model_validator(mode="after")
    def _usable(self) -> "PoseProfileBody":
        for name in ("primary_joint", "secondary_joint"):
            joint = getattr(self, name)
            if joint is not None and len(set(joint)) != 3:
                raise ValueError(f"{name}: the three landmarks must differ")
        low, high = self.target_rom_degrees
        if not low < high:
            raise ValueError("target_rom_degrees: needs low < high")
        if self.flexed_threshold_degrees == self.extended_threshold_degrees:
            raise ValueError("extended_threshold_degrees: must differ from flexed_threshold_degrees (hysteresis)")
        for name in ("flexed_threshold_degrees", "extended_threshold_degrees"):
            if not low <= getattr(self, name) <= high:
                raise ValueError(f"{name}: must lie within target_rom_degrees [{low}, {high}]")
        if not self.deviation_tolerance_degrees < self.deviation_limit_degrees:
            raise ValueError("deviation_tolerance_degrees: must be below deviation_limit_degrees")
        return self
