"""POST /v1/exercises refuses a pose profile telemetry could not score with (422 naming the field, nothing reaches
plans), and passes a usable one on, defaults filled in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.telemetry.domain.pose_profile import SHOULDER_ABDUCTION_RIGHT, SQUAT_LEFT, PoseProfile
from tests.unit.gateway.test_edge_bounds import as_, edge  # noqa: F401  (edge is the fixture)

SQUAT = SQUAT_LEFT.to_dict()


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in SQUAT.items() if k != key}


@pytest.mark.parametrize("profile, named", [
    ({"foo": 1}, "foo"),
    ({**SQUAT, "primary_joint": [23, 99, 27]}, "primary_joint"),
    ({**SQUAT, "secondary_joint": [11, 23, -1]}, "secondary_joint"),
    ({**SQUAT, "primary_joint": [23, 25]}, "primary_joint"),
    ({**SQUAT, "primary_joint": [25, 25, 27]}, "primary_joint"),
    (_without("flexed_threshold_degrees"), "flexed_threshold_degrees"),
    (_without("extended_threshold_degrees"), "extended_threshold_degrees"),
    (_without("primary_joint"), "primary_joint"),
    (_without("target_rom_degrees"), "target_rom_degrees"),
    ({**SQUAT, "extended_threshold_degrees": 130.0}, "extended_threshold_degrees"),
    ({**SQUAT, "target_rom_degrees": [175, 90]}, "target_rom_degrees"),
    ({**SQUAT, "flexed_threshold_degrees": 60.0}, "flexed_threshold_degrees"),
    ({**SQUAT, "extended_threshold_degrees": 200}, "extended_threshold_degrees"),
    ({**SQUAT, "visibility_threshold": 2}, "visibility_threshold"),
    ({**SQUAT, "deviation_tolerance_degrees": 30}, "deviation_tolerance_degrees"),
    ({**SQUAT, "use_depth": "yes"}, "use_depth"),
])
async def test_an_unusable_pose_profile_is_a_422_naming_the_problem(edge, profile, named):  # noqa: F811
    http, services = edge
    reply = await http.post("/v1/exercises", json={"name": "Squat", "poseProfile": profile}, headers=as_("therapist"))
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"] == "invalid_argument" and named in reply.json()["detail"], reply.text
    assert services.calls == []


@pytest.mark.parametrize("profile", [SQUAT, SHOULDER_ABDUCTION_RIGHT.to_dict(), {
    "primary_joint": [24, 26, 28], "target_rom_degrees": [80, 178], "flexed_threshold_degrees": 120,
    "extended_threshold_degrees": 165,
}])
async def test_a_usable_profile_reaches_plans_as_telemetry_reads_it(edge, profile, monkeypatch):  # noqa: F811
    http, services = edge
    sent: list[Any] = []
    original = services.call

    async def record(method: Any, request: Any, *args: Any) -> Any:
        sent.append(request)
        return await original(method, request, *args)

    monkeypatch.setattr(services, "call", record)
    reply = await http.post("/v1/exercises", json={"name": "Squat", "poseProfile": profile}, headers=as_("therapist"))
    assert reply.status_code == 503  # no plans behind this edge: it got as far as the service
    stored = json.loads(sent[0].pose_profile_json)
    assert PoseProfile.from_dict(stored) == PoseProfile.from_dict(profile)


async def test_the_document_describes_the_pose_profile(edge):  # noqa: F811
    http, _ = edge
    spec = (await http.get("/openapi.json")).json()
    schema = spec["components"]["schemas"]["PoseProfileBody"]
    assert set(schema["required"]) == {
        "primary_joint", "target_rom_degrees", "flexed_threshold_degrees", "extended_threshold_degrees"
    }
    assert schema["additionalProperties"] is False
    landmark = schema["properties"]["primary_joint"]["items"]
    assert (landmark["minimum"], landmark["maximum"]) == (0, 32)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/octet-stream", None])
async def test_media_events_in_another_content_type_are_a_415(edge, content_type):  # noqa: F811
    http, services = edge
    headers = {"Authorization": "Bearer session-token"}
    if content_type:
        headers["Content-Type"] = content_type
    reply = await http.post("/v1/media/events", content=b'{"events": [{"type": "heartbeat"}]}', headers=headers)
    assert reply.status_code == 415, reply.text
    assert reply.json()["error"] == "unsupported_media_type"
    assert services.calls == []
