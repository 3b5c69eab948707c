"""Service-to-service authentication: every gRPC call carries an HMAC of who calls, whom, what, when and for whom.

The caller signs with its own key (MOMENTUM_SERVICE_KEY_<CALLER>); the server looks the key up by the
caller's name and recomputes the signature over the caller, the target service, the full method name,
the timestamp and the identity metadata (tenant, user, role, request id). A forged `x-role: admin`
changes the signed text, so it fails; a captured call replays only to the same method within the
skew window (the request body is not signed: the channel is loopback or a private network).

The signing and checking here are pure (no gRPC); `SigningInterceptor` and `service_channel` attach
them to every outgoing call, and `services.common.grpc_server` checks them on every incoming one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import grpc

from services.common.grpc_metrics import ClientMetricsInterceptor
from services.common.grpc_transport import channel_credentials, channel_options
from services.common.settings import GrpcTls
from services.common.tracing import grpc_client_interceptors

CALLER_HEADER = "x-momentum-caller"
TIMESTAMP_HEADER = "x-momentum-timestamp"
SIGNATURE_HEADER = "x-momentum-signature"
MAX_SKEW_SECONDS = 60
SIGNED_IDENTITY_HEADERS = ("x-tenant-id", "x-user-id", "x-role", "x-request-id")
_VERSION = "momentum-call-v1"
# ASCII digits only: str.isdigit() and int() also take other scripts' digits (a second spelling).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class CallRefused(Exception):
    """The call's credentials do not hold; `reason` is safe to return to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedCaller:
    service: str


def signing_text(caller: str, target: str, method: str, timestamp: str, metadata: Mapping[str, str]) -> bytes:
    """One unambiguous spelling of everything signed (a JSON array: no separator can be smuggled in)."""
    fields = [_VERSION, caller, target, method, timestamp, *(metadata.get(h, "") for h in SIGNED_IDENTITY_HEADERS)]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode()


def sign(key: bytes, caller: str, target: str, method: str, timestamp: int, metadata: Mapping[str, str]) -> str:
    return hmac.new(key, signing_text(caller, target, method, str(timestamp), metadata), hashlib.sha256).hexdigest()


def signed_headers(
    key: bytes, caller: str, target: str, method: str, metadata: Mapping[str, str], now: float | None = None
) -> tuple[tuple[str, str], ...]:
    timestamp = int(time.time() if now is None else now)
    return (
        (CALLER_HEADER, caller),
        (TIMESTAMP_HEADER, str(timestamp)),
        (SIGNATURE_HEADER, sign(key, caller, target, method, timestamp, metadata)),
    )


def verify(
    keys: Mapping[str, bytes], target: str, method: str, metadata: Mapping[str, str], now: float | None = None
) -> VerifiedCaller:
    """The authenticated caller, or CallRefused naming what is wrong (never which key would have worked)."""
    caller, timestamp, signature = (metadata.get(h) for h in (CALLER_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER))
    if not (caller and timestamp and signature):
        raise CallRefused(f"missing service credentials ({CALLER_HEADER}, {TIMESTAMP_HEADER}, {SIGNATURE_HEADER})")
    key = keys.get(caller)
    if key is None:
        raise CallRefused("unknown caller")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise CallRefused("malformed timestamp")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_SKEW_SECONDS:
        raise CallRefused(f"timestamp outside the {MAX_SKEW_SECONDS} s window")
    expected = hmac.new(key, signing_text(caller, target, method, timestamp, metadata), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise CallRefused("bad signature")
    return VerifiedCaller(caller)


class SigningInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Adds the caller's signature to every unary call of the channel it is installed on."""

    def __init__(self, caller: str, target: str, key: bytes) -> None:
        self._caller, self._target, self._key = caller, target, key

    async def intercept_unary_unary(self, continuation: Callable[..., Any], client_call_details: Any, request: Any) -> Any:
        pairs = [(k, v) for k, v in (client_call_details.metadata or ())]
        method = client_call_details.method
        method = method.decode() if isinstance(method, bytes) else method
        values = {k: v for k, v in pairs if isinstance(v, str)}
        pairs.extend(signed_headers(self._key, self._caller, self._target, method, values))
        details = client_call_details._replace(metadata=grpc.aio.Metadata(*pairs))
        return await continuation(details, request)


def service_channel(
    keys: Mapping[str, bytes], caller: str, target_service: str, address: str, tls: GrpcTls | None = None
) -> grpc.aio.Channel:
    """The one way a process opens a channel to a service: signed calls, a short reconnect backoff,
    round-robin over the target's addresses with retries on UNAVAILABLE, TLS when configured."""
    key = keys.get(caller)
    if key is None:
        raise ValueError(f"no service key for caller {caller!r}")
    interceptors = [
        *grpc_client_interceptors(caller), ClientMetricsInterceptor(target_service),
        SigningInterceptor(caller, target_service, key),
    ]
    options = channel_options(address, tls)
    if tls is not None and tls.enabled:
        return grpc.aio.secure_channel(address, channel_credentials(tls), options=options, interceptors=interceptors)
    return grpc.aio.insecure_channel(address, options=options, interceptors=interceptors)
