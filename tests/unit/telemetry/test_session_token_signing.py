"""The HMAC session token plans issues and telemetry verifies: round trip, tampering, keys, expiry, garbage."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from services.common.session_token import (
    MAX_TOKEN_CHARS,
    ExpiredSessionToken,
    InvalidSessionToken,
    SessionClaims,
    issue_session_token,
    verify_session_token,
)

KEYS = {"2026-01": b"k" * 32, "2026-02": b"q" * 32}
NOW = 1_771_228_980
CLAIMS = SessionClaims(
    tenant_id="clinic-4",
    patient_id="0f9d8c7b-6a5e-4d3c-8b2a-1f0e9d8c7b6a",
    session_id="2b7e1516-28ae-4d2a-abf7-158809cf4f3c",
    workout_id="wk-991",
    exercise_id="ex-squat",
    purposes=("analytics", "biometric"),
    issued_at=NOW,
    expires_at=NOW + 3600,
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def reason_for(token, keys=KEYS, now=NOW) -> str:
    with pytest.raises(InvalidSessionToken) as caught:
        verify_session_token(keys, token, now)
    return caught.value.reason


def test_round_trip():
    token = issue_session_token(KEYS, "2026-02", CLAIMS)
    claims = verify_session_token(KEYS, token, NOW + 10)
    assert claims == SessionClaims(**{**CLAIMS.__dict__, "key_id": "2026-02"})
    assert claims.allows("biometric") and not claims.allows("marketing")
    body, signature = token.split(".")
    assert "=" not in token and len(unb64(signature)) == 32
    assert json.loads(unb64(body))["key_id"] == "2026-02"


def test_tampered_payload():
    token = issue_session_token(KEYS, "2026-01", CLAIMS)
    body, signature = token.split(".")
    payload = json.loads(unb64(body))
    payload["patient_id"] = "someone-else"
    forged = b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()) + "." + signature
    assert reason_for(forged) == "bad signature"
    more_purposes = {**payload, "patient_id": CLAIMS.patient_id, "purposes": ["analytics", "biometric", "research"]}
    assert reason_for(b64(json.dumps(more_purposes).encode()) + "." + signature) == "bad signature"


def test_tampered_signature():
    token = issue_session_token(KEYS, "2026-01", CLAIMS)
    body, signature = token.split(".")
    raw = bytearray(unb64(signature))
    raw[0] ^= 1
    assert reason_for(f"{body}.{b64(bytes(raw))}") == "bad signature"
    assert reason_for(f"{body}.{b64(bytes(raw[:31]))}") == "malformed signature"


def test_wrong_key_behind_the_same_id():
    token = issue_session_token({"2026-01": b"x" * 32}, "2026-01", CLAIMS)
    assert reason_for(token) == "bad signature"


def test_unknown_key_id():
    token = issue_session_token({"old": b"o" * 32}, "old", CLAIMS)
    assert reason_for(token) == "unknown key id"


def test_expired_is_a_distinct_invalid_token():
    token = issue_session_token(KEYS, "2026-01", CLAIMS)
    assert verify_session_token(KEYS, token, CLAIMS.expires_at - 1).session_id == CLAIMS.session_id
    with pytest.raises(ExpiredSessionToken) as caught:
        verify_session_token(KEYS, token, CLAIMS.expires_at)
    assert isinstance(caught.value, InvalidSessionToken)
    assert caught.value.claims.session_id == CLAIMS.session_id


def test_issued_in_the_future_beyond_clock_skew():
    token = issue_session_token(KEYS, "2026-01", CLAIMS)
    assert verify_session_token(KEYS, token, NOW - 30)  # within skew
    assert reason_for(token, now=NOW - 120) == "token issued in the future"


def test_key_rotation():
    before = issue_session_token(KEYS, "2026-01", CLAIMS)
    after = issue_session_token(KEYS, "2026-02", CLAIMS)
    # Both verify while both keys are configured ...
    assert verify_session_token(KEYS, before, NOW).key_id == "2026-01"
    assert verify_session_token(KEYS, after, NOW).key_id == "2026-02"
    # ... and once the old key is retired, only its tokens stop working.
    retired = {"2026-02": KEYS["2026-02"]}
    assert reason_for(before, keys=retired) == "unknown key id"
    assert verify_session_token(retired, after, NOW).key_id == "2026-02"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "abc",
        "a.b.c",
        "eyJ9.",
        ".c2ln",
        "x" * (MAX_TOKEN_CHARS + 1),
        "eyJ2IjoxfQ==.c2ln",  # padding is not part of the format
        "eyJ2Ijox fQ.c2ln",
        "eyJ2IjoxfQ\n.c2ln",
        "éyJ2IjoxfQ.c2ln",
        "e.c2ln",  # length 1 mod 4
        b64(b"[1, 2]") + "." + b64(bytes(32)),
        b64(b"not json") + "." + b64(bytes(32)),
        b64(b'{"key_id": 5}') + "." + b64(bytes(32)),
    ],
)
def test_garbage_is_invalid_never_a_crash(garbage):
    assert reason_for(garbage)


def test_not_a_string():
    with pytest.raises(InvalidSessionToken):
        verify_session_token(KEYS, None, NOW)  # type: ignore[arg-type]


def test_non_canonical_base64_is_refused():
    token = issue_session_token(KEYS, "2026-01", CLAIMS)
    body, signature = token.split(".")
    # 32 bytes -> 43 characters; the last carries 2 unused bits. Setting one spells the same bytes differently.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    variant = signature[:-1] + alphabet[last ^ 1]
    assert unb64(variant) == unb64(signature)
    assert reason_for(f"{body}.{variant}") == "non-canonical base64"


def sign_raw(payload: dict, key_id: str = "2026-01") -> str:
    """A correctly signed token around an arbitrary payload: tests claim validation after the signature."""
    body = b64(json.dumps(payload).encode())
    return body + "." + b64(hmac.new(KEYS[key_id], body.encode(), hashlib.sha256).digest())


GOOD_PAYLOAD = {
    "v": 1, "tenant_id": "t", "patient_id": "p", "session_id": "s", "workout_id": "w", "exercise_id": "e",
    "purposes": ["biometric"], "issued_at": NOW, "expires_at": NOW + 60, "key_id": "2026-01",
}


def test_signed_good_payload_passes():
    assert verify_session_token(KEYS, sign_raw(GOOD_PAYLOAD), NOW).purposes == ("biometric",)


@pytest.mark.parametrize(
    "changes",
    [
        {"v": 2},
        {"v": 1.0},
        {"v": True},
        {"extra": "claim"},
        {"tenant_id": ""},
        {"patient_id": 42},
        {"session_id": "has space"},
        {"purposes": "biometric"},
        {"purposes": ["biometric", "biometric"]},
        {"purposes": ["Bio Metric"]},
        {"issued_at": "now"},
        {"expires_at": True},
        {"expires_at": NOW + 0.5},
        {"expires_at": NOW - 1},
    ],
)
def test_signed_but_bad_claims(changes):
    assert reason_for(sign_raw({**GOOD_PAYLOAD, **changes})).startswith("bad claims")


def test_missing_claim_and_duplicate_keys():
    without = {k: v for k, v in GOOD_PAYLOAD.items() if k != "workout_id"}
    assert reason_for(sign_raw(without)).startswith("bad claims")
    body = b64(b'{"key_id":"2026-01","key_id":"2026-01"}')
    assert reason_for(body + "." + b64(bytes(32))) == "duplicate claim"


def test_issuing_refuses_what_could_never_verify():
    with pytest.raises(ValueError):
        issue_session_token(KEYS, "missing", CLAIMS)
    with pytest.raises(ValueError):
        issue_session_token({"short": b"k" * 16}, "short", CLAIMS)
    with pytest.raises(ValueError):
        issue_session_token(KEYS, "2026-01", SessionClaims(**{**CLAIMS.__dict__, "key_id": "2026-02"}))
    with pytest.raises(ValueError):
        issue_session_token(KEYS, "2026-01", SessionClaims(**{**CLAIMS.__dict__, "expires_at": NOW}))
    with pytest.raises(ValueError):
        twice = SessionClaims(**{**CLAIMS.__dict__, "purposes": ("biometric", "biometric")})
        issue_session_token(KEYS, "2026-01", twice)
