"""The telemetry session token: plans signs it at exercise-session start, telemetry verifies it with no database read.

Form: base64url(payload JSON) "." base64url(HMAC-SHA256(key, first segment)),
both without padding. The payload names the key it was signed with (`key_id`),
so keys rotate by adding a new id, switching the active id, and removing the
old one once its last token has expired. Parsing is strict (length cap,
canonical base64, no duplicate or unknown JSON keys) so that one token has
exactly one spelling: nothing downstream can be fooled by a variant.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, replace
from typing import Any, Mapping

TOKEN_VERSION = 1
MAX_TOKEN_CHARS = 2048
MIN_KEY_BYTES = 32  # HMAC-SHA256 gains nothing from more, and loses strength with less
CLOCK_SKEW_SECONDS = 60  # plans and telemetry clocks may disagree this much on issued_at

_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_PURPOSE = re.compile(r"^[a-z][a-z_]{0,31}$")
_SIGNATURE_BYTES = hashlib.sha256().digest_size
_PAYLOAD_KEYS = frozenset(
    {"v", "tenant_id", "patient_id", "session_id", "workout_id", "exercise_id", "purposes", "issued_at", "expires_at", "key_id"}
)


class InvalidSessionToken(Exception):
    """The token cannot be trusted (telemetry answers 401); `reason` is safe to log, not to echo in detail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ExpiredSessionToken(InvalidSessionToken):
    """Genuine but past its expiry: the app should ask plans for a new one."""

    def __init__(self, claims: SessionClaims) -> None:
        super().__init__("token expired")
        self.claims = claims


@dataclass(frozen=True)
class SessionClaims:
    """Who may send telemetry for which exercise session, for which consented purposes, until when."""

    tenant_id: str
    patient_id: str
    session_id: str
    workout_id: str
    exercise_id: str
    purposes: tuple[str, ...]  # consented purposes at issue time: "analytics", "biometric"
    issued_at: int  # unix seconds
    expires_at: int  # unix seconds
    key_id: str = ""  # filled in by issue_session_token

    def allows(self, purpose: str) -> bool:
        return purpose in self.purposes


def issue_session_token(keys: Mapping[str, bytes], active_key_id: str, claims: SessionClaims) -> str:
    """Sign claims with the active key. ValueError for claims or keys that could never verify."""
    if claims.key_id not in ("", active_key_id):
        raise ValueError(f"claims name key {claims.key_id!r} but the active key is {active_key_id!r}")
    key = keys.get(active_key_id)
    if key is None:
        raise ValueError(f"active key id {active_key_id!r} is not among the configured keys")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"signing keys need at least {MIN_KEY_BYTES} bytes")
    claims = replace(claims, key_id=active_key_id)
    payload = _payload(claims)
    try:
        _claims_from_payload(payload)
    except InvalidSessionToken as exc:
        raise ValueError(exc.reason) from None
    body = _b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    token = f"{body}.{_b64encode(_sign(key, body))}"
    if len(token) > MAX_TOKEN_CHARS:
        raise ValueError("claims too large for a session token")
    return token


def verify_session_token(keys: Mapping[str, bytes], token: str, now: int) -> SessionClaims:
    """The claims of a genuine, unexpired token; InvalidSessionToken / ExpiredSessionToken otherwise."""
    if not isinstance(token, str) or not token:
        raise InvalidSessionToken("malformed token")
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidSessionToken("token too long")
    body, dot, signature_text = token.partition(".")
    if not dot or "." in signature_text:
        raise InvalidSessionToken("malformed token")
    raw_payload = _b64decode(body)
    signature = _b64decode(signature_text)
    if len(signature) != _SIGNATURE_BYTES:
        raise InvalidSessionToken("malformed signature")

    # The key id is read before the signature is checked (it picks the key), so it is the
    # only claim trusted that early, and only as a dictionary lookup.
    payload = _parse_json(raw_payload)
    key_id = payload.get("key_id")
    if not isinstance(key_id, str) or key_id not in keys:
        raise InvalidSessionToken("unknown key id")
    if not hmac.compare_digest(_sign(keys[key_id], body), signature):
        raise InvalidSessionToken("bad signature")

    claims = _claims_from_payload(payload)
    if claims.issued_at > now + CLOCK_SKEW_SECONDS:
        raise InvalidSessionToken("token issued in the future")
    if now >= claims.expires_at:
        raise ExpiredSessionToken(claims)
    return claims


def _sign(key: bytes, body: str) -> bytes:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(segment: str) -> bytes:
    # len % 4 == 1 cannot come from any byte string; a re-encode that differs means
    # non-zero padding bits (a second spelling of the same bytes).
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise InvalidSessionToken("malformed token")
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise InvalidSessionToken("malformed token") from None
    if _b64encode(data) != segment:
        raise InvalidSessionToken("non-canonical base64")
    return data


def _parse_json(raw: bytes) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise InvalidSessionToken("duplicate claim")
        return dict(pairs)

    try:
        payload = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidSessionToken("malformed payload") from None
    if not isinstance(payload, dict):
        raise InvalidSessionToken("malformed payload")
    return payload


def _payload(claims: SessionClaims) -> dict[str, Any]:
    return {
        "v": TOKEN_VERSION,
        "tenant_id": claims.tenant_id,
        "patient_id": claims.patient_id,
        "session_id": claims.session_id,
        "workout_id": claims.workout_id,
        "exercise_id": claims.exercise_id,
        "purposes": list(claims.purposes),
        "issued_at": claims.issued_at,
        "expires_at": claims.expires_at,
        "key_id": claims.key_id,
    }


def _claims_from_payload(payload: dict[str, Any]) -> SessionClaims:
    if set(payload) != _PAYLOAD_KEYS:
        raise InvalidSessionToken("bad claims: unexpected or missing fields")
    if type(payload["v"]) is not int or payload["v"] != TOKEN_VERSION:
        raise InvalidSessionToken("bad claims: unsupported version")
    for name in ("tenant_id", "patient_id", "session_id", "workout_id", "exercise_id", "key_id"):
        if not isinstance(payload[name], str) or not _ID.fullmatch(payload[name]):
            raise InvalidSessionToken(f"bad claims: {name}")
    purposes = payload["purposes"]
    if (
        not isinstance(purposes, list)
        or not all(isinstance(p, str) and _PURPOSE.fullmatch(p) for p in purposes)
        or len(set(purposes)) != len(purposes)
        or len(purposes) > 8
    ):
        raise InvalidSessionToken("bad claims: purposes")
    for name in ("issued_at", "expires_at"):
        value = payload[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**40:
            raise InvalidSessionToken(f"bad claims: {name}")
    if payload["expires_at"] <= payload["issued_at"]:
        raise InvalidSessionToken("bad claims: expires_at must follow issued_at")
    return SessionClaims(
        tenant_id=payload["tenant_id"],
        patient_id=payload["patient_id"],
        session_id=payload["session_id"],
        workout_id=payload["workout_id"],
        exercise_id=payload["exercise_id"],
        purposes=tuple(purposes),
        issued_at=payload["issued_at"],
        expires_at=payload["expires_at"],
        key_id=payload["key_id"],
    )
