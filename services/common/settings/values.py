"""The kinds of value a variable holds, each checked the way the code that uses it needs (a port binds, a key signs)."""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field
from pydantic_settings import NoDecode

from services.common.session_token import MIN_KEY_BYTES
from services.common.settings.environment import FROM_FILE, refuse_file_trouble

# HMAC-SHA256 (service calls, HS256 tokens, telemetry session tokens) and the AES-256 key a session key is hashed
# into all take 256 bits: a shorter secret is weaker than the algorithm, and RFC 7518 refuses it for HS256.
MIN_SECRET_BYTES = MIN_KEY_BYTES


def _raw(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("expected text")
    return raw


def _text(raw: object) -> str:
    return _raw(raw).strip()


def _seconds(raw: object, positive: bool = False) -> timedelta:
    try:
        value = float(_text(raw))
    except ValueError:
        raise ValueError("must be a number of seconds") from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"must be a {'positive' if positive else 'non-negative'} number of seconds")
    try:
        return timedelta(seconds=value)
    except OverflowError:
        raise ValueError("is more seconds than a timedelta holds") from None


def _ladder(raw: object) -> tuple[timedelta, ...]:
    # "1,5,30,120,600": seconds of each retry step; the last one repeats.
    try:
        steps = tuple(_seconds(part, positive=True) for part in _text(raw).split(",") if part.strip())
    except ValueError:
        steps = ()
    if not steps:
        raise ValueError("expected positive seconds separated by commas, e.g. 1,5,30,120,600")
    return steps


def _port_of(text: str, what: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"{what!r}: the port must be 1-65535")
    return int(text)


def _host_port(raw: object) -> str:
    text = _text(raw)
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ValueError(f"{text!r} is not host:port")
    return f"{host}:{_port_of(port, text)}"


def _targets(raw: object) -> tuple[str, ...]:
    # "host:port,host:port" — order does not matter: the gateway hashes sessions over the set.
    return tuple(sorted({_host_port(t) for t in _text(raw).split(",") if t.strip()}))


def grpc_target(raw: object) -> str:
    """A gRPC target for client-side round-robin: `dns:///name:port` (every address the name resolves to),
    `ipv4:a:p,b:p`, or a comma-separated host:port list (IP addresses become one ipv4: target)."""
    text = _text(raw)
    if text.startswith(("dns:", "ipv4:", "ipv6:", "unix:")):
        return text
    parts = [_host_port(part) for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError("expected host:port, a host:port list or dns:///name:port")
    if len(parts) == 1:
        return parts[0]
    for part in parts:
        try:
            ipaddress.IPv4Address(part.rpartition(":")[0])
        except ValueError:
            raise ValueError(
                f"{part!r}: a list must be IPv4 addresses; for host names use one dns:///name:port resolving to all"
            ) from None
    return "ipv4:" + ",".join(parts)


def _url(raw: object, schemes: tuple[str, ...]) -> str:
    text = _text(raw)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a port that is not 0-65535
    except ValueError as exc:
        raise ValueError(f"does not parse as a URL: {exc}") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"must be a {' or '.join(s + '://' for s in schemes)} URL with a host")
    return text


def _http_url(raw: object) -> str:
    return _url(raw, ("https", "http")).rstrip("/")


def _amqp_urls(raw: object) -> tuple[str, ...]:
    urls = tuple(part.strip() for part in _text(raw).split(",") if part.strip())
    if not urls:
        raise ValueError("expected amqp:// or amqps:// URLs separated by commas")
    for url in urls:
        try:
            _url(url, ("amqp", "amqps"))
        except ValueError:
            # The URL holds the password: name the node only.
            raise ValueError(f"{url.split('@')[-1]!r} is not an amqp:// or amqps:// URL with a host and a port 1-65535") from None
    return urls


def _origins(raw: object) -> tuple[str, ...]:
    # "https://clinic.example,http://localhost:5173": exact origins, scheme and host (and port), no path.
    origins = tuple(part.strip().rstrip("/") for part in _text(raw).split(",") if part.strip())
    for origin in origins:
        if origin == "*":
            continue
        try:
            _url(origin, ("https", "http"))
            path_free = urlsplit(origin).path == "" and "?" not in origin and "#" not in origin
        except ValueError:
            path_free = False
        if not path_free:
            raise ValueError(f"{origin!r} is not an origin like https://clinic.example")
    return origins


def _secret_bytes(what: str):  # type: ignore[no-untyped-def]
    def check(raw: object) -> bytes:
        # As given: a key's every byte signs (a mounted file's trailing newline is already gone).
        value = _raw(raw).encode()
        if len(value) < MIN_SECRET_BYTES:
            raise ValueError(f"{what} needs at least {MIN_SECRET_BYTES} bytes, this one has {len(value)}")
        return value

    return check


def _session_key(raw: object) -> str:
    return _secret_bytes("a session key (hashed into the AES-256-GCM key)")(raw).decode()


def _telemetry_keys(raw: object) -> dict[str, bytes]:
    # "kid1:secret1,kid2:secret2" — several keys so a rotation never invalidates live sessions.
    keys: dict[str, bytes] = {}
    for pair in _raw(raw).split(","):
        kid, sep, secret = pair.partition(":")
        if not sep or not kid.strip():
            raise ValueError("expected kid:secret pairs separated by commas")
        if kid.strip() in keys:
            raise ValueError(f"key id {kid.strip()!r} is given twice")
        # The length signing checks (session_token.MIN_KEY_BYTES), so a key that loads can sign.
        if len(secret.encode()) < MIN_KEY_BYTES:
            raise ValueError(f"the secret of key {kid.strip()!r} has {len(secret.encode())} bytes; signing needs {MIN_KEY_BYTES}+")
        keys[kid.strip()] = secret.encode()
    return keys


def _scopes(raw: object) -> tuple[str, ...]:
    scopes = tuple(_text(raw).split())
    if "openid" not in scopes:
        raise ValueError("must include openid")
    return scopes


Port = Annotated[int, Field(ge=1, le=65535)]
MetricsPort = Annotated[int, Field(ge=0, le=65535, description="0: no metrics port")]
Count = Annotated[int, Field(ge=1)]
Amount = Annotated[int, Field(ge=0)]
Seconds = Annotated[timedelta, BeforeValidator(_seconds)]
# An interval something sleeps or waits for: zero would spin a loop or fail every call at once.
PositiveSeconds = Annotated[timedelta, BeforeValidator(lambda raw: _seconds(raw, positive=True))]
Ladder = Annotated[tuple[timedelta, ...], NoDecode, BeforeValidator(_ladder)]
HostPort = Annotated[str, BeforeValidator(_host_port)]
GrpcTarget = Annotated[str, BeforeValidator(grpc_target)]
Targets = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_targets)]
HttpUrl = Annotated[str, BeforeValidator(_http_url)]
Origins = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_origins)]
Scopes = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_scopes)]
SecretText = Annotated[str, FROM_FILE, BeforeValidator(refuse_file_trouble)]
AmqpUrls = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_amqp_urls), FROM_FILE, BeforeValidator(refuse_file_trouble)]
ServiceKey = Annotated[
    bytes, BeforeValidator(_secret_bytes("a service key (HMAC-SHA256)")), FROM_FILE, BeforeValidator(refuse_file_trouble)
]
SessionKey = Annotated[str, BeforeValidator(_session_key), FROM_FILE, BeforeValidator(refuse_file_trouble)]
TelemetryKeys = Annotated[
    dict[str, bytes], NoDecode, BeforeValidator(_telemetry_keys), FROM_FILE, BeforeValidator(refuse_file_trouble)
]
OptionalSecretText = Annotated[str | None, FROM_FILE, BeforeValidator(refuse_file_trouble)]
