"""How gRPC travels between hosts: round-robin over a service's addresses, retries on UNAVAILABLE, TLS."""

from __future__ import annotations

import json
from pathlib import Path

import grpc

from services.common.settings import GrpcTls

# A restarted service is found again within 2 s instead of gRPC's default backoff (up to 120 s).
RECONNECT_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 250),
    ("grpc.min_reconnect_backoff_ms", 250),
    ("grpc.max_reconnect_backoff_ms", 2000),
)

# A call refused with UNAVAILABLE (the instance stopping, its host gone, its database away) is tried again,
# and round_robin sends the next attempt to the next ready address. Only UNAVAILABLE: the server either
# never started the call or, for a database outage, committed nothing (the handlers are idempotent anyway).
RETRY_POLICY = {
    "maxAttempts": 3,
    "initialBackoff": "0.1s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def several_addresses(target: str) -> bool:
    """A target that may name more than one instance: an ipv4:/ipv6: list or a DNS name (dns:///...)."""
    return target.startswith("dns:") or (target.startswith(("ipv4:", "ipv6:")) and "," in target)


def service_config(target: str) -> str:
    config: dict[str, object] = {
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [{"name": [{}], "retryPolicy": RETRY_POLICY}],
    }
    if several_addresses(target):
        # Client-side health checking (grpc.health.v1 Watch): an instance whose own database or broker is
        # away reports NOT_SERVING and round_robin leaves it out while another is ready. With one address
        # this stays off, so a lone instance still answers what it can (reads during a broker outage).
        config["healthCheckConfig"] = {"serviceName": ""}
    return json.dumps(config, separators=(",", ":"))


def channel_options(target: str, tls: GrpcTls | None = None) -> list[tuple[str, object]]:
    options: list[tuple[str, object]] = [
        *RECONNECT_OPTIONS,
        ("grpc.enable_retries", 1),
        ("grpc.service_config", service_config(target)),
    ]
    if tls is not None and tls.server_name:
        options.append(("grpc.ssl_target_name_override", tls.server_name))
    return options


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


def channel_credentials(tls: GrpcTls) -> grpc.ChannelCredentials:
    """Verifies servers against tls.ca_file (the system roots when unset); presents cert/key when the server
    asks for a client certificate."""
    return grpc.ssl_channel_credentials(
        root_certificates=_read(tls.ca_file), private_key=_read(tls.key_file), certificate_chain=_read(tls.cert_file)
    )


def server_credentials(tls: GrpcTls) -> grpc.ServerCredentials:
    if not (tls.cert_file and tls.key_file):
        raise ValueError("a gRPC server needs MOMENTUM_GRPC_TLS_CERT and MOMENTUM_GRPC_TLS_KEY for TLS")
    pair = (_read(tls.key_file), _read(tls.cert_file))
    return grpc.ssl_server_credentials(
        [pair], root_certificates=_read(tls.client_ca_file), require_client_auth=bool(tls.client_ca_file)
    )
