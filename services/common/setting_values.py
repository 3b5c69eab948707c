"""How one environment variable's text becomes a setting's value; a malformed one raises naming what is wrong."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Callable, Mapping, TypeVar

from services.common.session_token import MIN_KEY_BYTES

T = TypeVar("T")

MIN_SERVICE_KEY_CHARS = 32


class SettingsError(ValueError):
    """A configuration variable is missing or malformed; the message names it."""


def _read(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T]) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"environment variable {name}={raw!r} is invalid: {exc}") from exc


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be a whole number of at least 0")
    return value


def _seconds(raw: str) -> timedelta:
    value = float(raw)
    if value < 0:
        raise ValueError("must be a non-negative number of seconds")
    return timedelta(seconds=value)


def _ladder(raw: str) -> tuple[timedelta, ...]:
    # "1,5,30,120,600": seconds of each retry step; the last one repeats.
    steps = tuple(_seconds(part.strip()) for part in raw.split(",") if part.strip())
    if not steps or any(step <= timedelta(0) for step in steps):
        raise ValueError("expected positive seconds separated by commas, e.g. 1,5,30,120,600")
    return steps


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return raw

    return parse



def _origins(raw: str) -> tuple[str, ...]:
    # "https://clinic.example,http://localhost:5173": exact origins, scheme and host (and port), no path.
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")) or origin.count("/") > 2:
            raise ValueError(f"{origin!r} is not an origin like https://clinic.example")
    return origins


def _targets(raw: str) -> tuple[str, ...]:
    # "host:port,host:port" — order does not matter: the gateway hashes sessions over the set.
    targets = tuple(sorted({t.strip() for t in raw.split(",") if t.strip()}))
    for target in targets:
        host, sep, port = target.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"{target!r} is not host:port")
    return targets


def _host_port(raw: str) -> str:
    host, sep, port = raw.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"{raw.strip()!r} is not host:port")
    return f"{host}:{port}"


def _grpc_target(raw: str) -> str:
    """A gRPC target for client-side round-robin: `dns:///name:port` (every address the name resolves to),
    `ipv4:a:p,b:p`, or a comma-separated host:port list (IP addresses become one ipv4: target)."""
    raw = raw.strip()
    if raw.startswith(("dns:", "ipv4:", "ipv6:", "unix:")):
        return raw
    parts = [_host_port(part) for part in raw.split(",") if part.strip()]
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


def _amqp_urls(raw: str) -> tuple[str, ...]:
    urls = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not urls:
        raise ValueError("expected amqp:// or amqps:// URLs separated by commas")
    for url in urls:
        if not url.startswith(("amqp://", "amqps://")):
            raise ValueError(f"{url.split('@')[-1]!r} is not an amqp:// or amqps:// URL")
    return urls


def _telemetry_keys(raw: str) -> dict[str, bytes]:
    # "kid1:secret1,kid2:secret2" — several keys so a rotation never invalidates live sessions.
    keys: dict[str, bytes] = {}
    for pair in raw.split(","):
        kid, sep, secret = pair.partition(":")
        if not sep or not kid.strip():
            raise ValueError("expected kid:secret pairs separated by commas")
        # The length signing checks (session_token.MIN_KEY_BYTES), so a key that loads can sign.
        if len(secret.encode()) < MIN_KEY_BYTES:
            raise ValueError(f"the secret of key {kid.strip()!r} has {len(secret.encode())} bytes; signing needs {MIN_KEY_BYTES}+")
        keys[kid.strip()] = secret.encode()
    return keys


def _service_key(raw: str) -> bytes:
    if len(raw) < MIN_SERVICE_KEY_CHARS:
        raise ValueError(f"a service key needs at least {MIN_SERVICE_KEY_CHARS} characters")
    return raw.encode()


def _parsed_secret(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T]) -> T:
    """A secret (NAME or NAME_FILE) with a shape to check; the error names it but never echoes its value."""
    raw = _secret(env, name, None)
    if not raw:
        return default
    try:
        return parse(raw)
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"environment variable {name} (or {name}_FILE) is invalid: {exc}") from exc


def _secret(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    """NAME, or NAME_FILE naming a file that holds it (a mounted secret)."""
    path = env.get(f"{name}_FILE")
    if not path:
        return _read(env, name, default, str)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or default
    except OSError as exc:
        raise SettingsError(f"environment variable {name}_FILE={path!r} cannot be read: {exc}") from exc
