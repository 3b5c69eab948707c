"""Sealed cookie values: small JSON encrypted and authenticated (AES-256-GCM) with the gateways' shared session key.

The purpose ("session", "oidc-flow") is bound in as associated data, so a value sealed for one use never opens
as another, and an expiry inside the sealed JSON is checked on opening. Any gateway holding the key opens what
any other sealed: that is what lets a browser session work on every gateway and survive a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import time
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
VERSION = b"v1"


class Sealer:
    def __init__(self, key: str) -> None:
        # The configured key is text of 32+ bytes (the settings check it); AES wants exactly 32 bytes.
        self._aead = AESGCM(hashlib.sha256(b"momentum-browser-session:" + key.encode()).digest())

    def seal(self, purpose: str, payload: dict[str, Any], expires_at: float) -> str:
        nonce = os.urandom(NONCE_BYTES)
        body = json.dumps({**payload, "exp": int(expires_at)}, separators=(",", ":")).encode()
        sealed = self._aead.encrypt(nonce, body, VERSION + purpose.encode())
        return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()

    def open(self, purpose: str, value: str, now: float | None = None) -> dict[str, Any] | None:
        """The payload, or None when the value is not ours, was altered, is for another purpose or has expired."""
        if not value or len(value) > 3000:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            body = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], VERSION + purpose.encode())
            payload = json.loads(body)
        except (binascii.Error, ValueError, InvalidTag):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
            return None
        if payload["exp"] <= (time.time() if now is None else now):
            return None
        return payload
