"""The service-call signature on its own (pure): what it covers, the skew window, and what it refuses."""

from __future__ import annotations

import pytest

from services.common.service_auth import (
    CALLER_HEADER, MAX_SKEW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, CallRefused, signed_headers, verify,
)

KEYS = {"gateway": b"g" * 40, "streaks": b"s" * 40}
METHOD = "/momentum.plans.v1.PlansService/ListPatients"
NOW = 1_800_000_000.0
IDENTITY = {"x-tenant-id": "7c0e3d4e-0000-4000-8000-000000000001", "x-user-id": "7c0e3d4e-0000-4000-8000-000000000002",
            "x-role": "therapist", "x-request-id": "r-1"}


def signed(caller: str = "gateway", key: bytes | None = None, target: str = "plans", method: str = METHOD,
           at: float = NOW, identity: dict[str, str] | None = None) -> dict[str, str]:
    identity = dict(IDENTITY if identity is None else identity)
    return {**identity, **dict(signed_headers(key or KEYS[caller], caller, target, method, identity, now=at))}


def test_a_signed_call_verifies_and_names_its_caller():
    assert verify(KEYS, "plans", METHOD, signed(), now=NOW).service == "gateway"
    assert verify(KEYS, "plans", METHOD, signed("streaks", identity={}), now=NOW).service == "streaks"


@pytest.mark.parametrize("header, value", [
    ("x-role", "admin"), ("x-tenant-id", "7c0e3d4e-0000-4000-8000-0000000000ff"),
    ("x-user-id", "7c0e3d4e-0000-4000-8000-0000000000ff"), ("x-request-id", "r-2"),
])
def test_changing_any_identity_header_after_signing_breaks_the_signature(header, value):
    metadata = {**signed(), header: value}
    with pytest.raises(CallRefused, match="bad signature"):
        verify(KEYS, "plans", METHOD, metadata, now=NOW)


def test_an_identity_header_added_after_signing_breaks_the_signature():
    metadata = signed(identity={})  # a service call, then someone adds a user identity
    with pytest.raises(CallRefused, match="bad signature"):
        verify(KEYS, "plans", METHOD, {**metadata, "x-role": "admin"}, now=NOW)


def test_the_signature_is_bound_to_the_target_service_and_the_method():
    with pytest.raises(CallRefused, match="bad signature"):
        verify(KEYS, "streaks", METHOD, signed(), now=NOW)
    with pytest.raises(CallRefused, match="bad signature"):
        verify(KEYS, "plans", "/momentum.plans.v1.PlansService/CreateUser", signed(), now=NOW)


def test_a_caller_signing_with_another_caller_s_name_or_an_unknown_key_is_refused():
    with pytest.raises(CallRefused, match="bad signature"):
        verify(KEYS, "plans", METHOD, signed("gateway", key=KEYS["streaks"]), now=NOW)
    with pytest.raises(CallRefused, match="unknown caller"):
        verify(KEYS, "plans", METHOD, {**signed(), CALLER_HEADER: "mallory"}, now=NOW)


@pytest.mark.parametrize("offset, accepted", [
    (0, True), (MAX_SKEW_SECONDS, True), (-MAX_SKEW_SECONDS, True), (MAX_SKEW_SECONDS + 1, False),
    (-(MAX_SKEW_SECONDS + 1), False), (3600, False),
])
def test_the_timestamp_may_be_off_by_at_most_sixty_seconds_either_way(offset, accepted):
    metadata = signed(at=NOW + offset)
    if accepted:
        assert verify(KEYS, "plans", METHOD, metadata, now=NOW).service == "gateway"
    else:
        with pytest.raises(CallRefused, match="window"):
            verify(KEYS, "plans", METHOD, metadata, now=NOW)


@pytest.mark.parametrize("drop", [CALLER_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER])
def test_a_call_missing_any_credential_header_is_refused(drop):
    metadata = signed()
    del metadata[drop]
    with pytest.raises(CallRefused, match="missing service credentials"):
        verify(KEYS, "plans", METHOD, metadata, now=NOW)


@pytest.mark.parametrize("timestamp", ["-5", "1.8e9", "１８００", "9" * 40, " 1800000000"])
def test_a_malformed_timestamp_is_refused_before_any_arithmetic(timestamp):
    with pytest.raises(CallRefused, match="malformed timestamp"):
        verify(KEYS, "plans", METHOD, {**signed(), TIMESTAMP_HEADER: timestamp}, now=NOW)


def test_the_timestamp_is_signed_too():
    metadata = signed(at=NOW - 30)
    with pytest.raises(CallRefused, match="bad signature"):
        verify(KEYS, "plans", METHOD, {**metadata, TIMESTAMP_HEADER: str(int(NOW))}, now=NOW)
