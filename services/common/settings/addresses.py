"""Where each process listens and what it dials: gRPC ports, listen addresses and targets, TLS, metrics ports, the gateway."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from pydantic_settings import SettingsConfigDict

from services.common.settings.environment import Problem, Section
from services.common.settings.values import (
    Count, GrpcTarget, HostPort, MetricsPort, Port, PositiveSeconds, Targets, grpc_target,
)

SERVICES = ("plans", "streaks", "entrances", "telemetry")
# Who may call a gRPC port: the gateway (on behalf of users) and the services themselves.
CALLERS = ("gateway", *SERVICES)
DEFAULT_GRPC_PORTS = {"plans": 50051, "streaks": 50052, "entrances": 50053, "telemetry": 50054}


@dataclass(frozen=True)
class GrpcTls:
    """TLS on every gRPC hop. A server presents cert/key; with client_ca it also requires and verifies the
    caller's certificate (a caller presents the same cert/key). A caller verifies servers against ca;
    server_name overrides the name checked when targets are IP addresses."""

    cert_file: str | None = None
    key_file: str | None = None
    ca_file: str | None = None
    client_ca_file: str | None = None
    server_name: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.ca_file or self.cert_file)


class ServiceEnvironment(Section):
    """MOMENTUM_<SERVICE>_*: one service's addresses and how many processes of it run."""

    instances: Count = 1
    grpc_port: Port | None = None
    grpc_listen: HostPort | None = None
    targets: GrpcTarget | None = None
    metrics_port: MetricsPort = 0


class TelemetryServiceEnvironment(ServiceEnvironment):
    # Telemetry's targets are the gateway's session-affinity ring: each instance on its own, never one round-robin target.
    targets: Targets | None = None  # type: ignore[assignment]
    # What the calls of no session (health, reads) dial, any instance answering: needed when the ring names
    # its instances by host name (a StatefulSet's pods), since one gRPC target lists several hosts only by IP.
    any_instance_target: GrpcTarget | None = None


def ring_problems(ring: tuple[str, ...], any_instance_target: str | None) -> list[Problem]:
    if any_instance_target or not ring:
        return []
    try:
        grpc_target(",".join(ring))  # what Settings.grpc_target dials for the calls of no session
    except ValueError:
        return [Problem(
            ("MOMENTUM_TELEMETRY_TARGETS",),
            "names instances by host name: set MOMENTUM_TELEMETRY_ANY_INSTANCE_TARGET (dns:///name:port resolving to "
            "every instance) for the calls of no session",
        )]
    return []


def service_environment(service: str) -> type[ServiceEnvironment]:
    return TelemetryServiceEnvironment if service == "telemetry" else ServiceEnvironment


def service_prefix(service: str) -> str:
    return f"MOMENTUM_{service.upper()}_"


class GrpcEnvironment(Section):
    model_config = SettingsConfigDict(env_prefix="MOMENTUM_GRPC_")

    host: str = "127.0.0.1"
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca: str | None = None
    tls_client_ca: str | None = None
    tls_server_name: str | None = None
    deadline_seconds: PositiveSeconds = timedelta(seconds=5)


class GatewayEnvironment(Section):
    model_config = SettingsConfigDict(env_prefix="MOMENTUM_GATEWAY_")

    host: str = "127.0.0.1"
    port: Port = 8080
    max_body_bytes: Count = 1_048_576


def grpc_tls(env: GrpcEnvironment) -> GrpcTls:
    return GrpcTls(
        cert_file=env.tls_cert or None, key_file=env.tls_key or None, ca_file=env.tls_ca or None,
        client_ca_file=env.tls_client_ca or None, server_name=env.tls_server_name or None,
    )


def tls_problems(tls: GrpcTls) -> list[Problem]:
    problems = []
    if bool(tls.cert_file) != bool(tls.key_file):
        problems.append(Problem(("MOMENTUM_GRPC_TLS_CERT", "MOMENTUM_GRPC_TLS_KEY"), "go together: set both or neither"))
    if tls.client_ca_file and not tls.cert_file:
        problems.append(Problem(
            ("MOMENTUM_GRPC_TLS_CLIENT_CA",), "needs MOMENTUM_GRPC_TLS_CERT and _KEY (callers present them too)"
        ))
    # Every channel and server reads these files when it starts: a wrong path is a start-up error, not an outage.
    for name, path in (("MOMENTUM_GRPC_TLS_CERT", tls.cert_file), ("MOMENTUM_GRPC_TLS_KEY", tls.key_file),
                       ("MOMENTUM_GRPC_TLS_CA", tls.ca_file), ("MOMENTUM_GRPC_TLS_CLIENT_CA", tls.client_ca_file)):
        if path and not os.access(path, os.R_OK):
            problems.append(Problem((name,), f"{path!r} is not a readable file"))
    return problems
