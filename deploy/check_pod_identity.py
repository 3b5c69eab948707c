"""Telemetry's identity in a pod, as deploy/k8s sets it up, checked without a cluster by deploy/check.sh.

`hosts FILE` writes the /etc/hosts the kubelet gives pod telemetry-0 of the StatefulSet (its IP, its DNS name under
the headless Service, its short name). `bind`, run in a private mount namespace where that file is /etc/hosts,
starts the real gRPC server the way the service does (services/common/runtime.py) on the listen address the
manifest sets, then checks that it answers health on that name and on the pod's IP (the kubelet's probe), and that
the instance's name is the address in the gateway's ring. No DNS server is needed: the name is in /etc/hosts."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "protos")]

from services.common.grpc_server import GrpcServer  # noqa: E402
from services.common.settings import load_settings  # noqa: E402
from services.telemetry.bootstrap import advertised_host  # noqa: E402

POD, NAMESPACE, POD_IP = "telemetry-0", "momentum", "127.0.0.7"  # a loopback address stands in for the pod's


def pod_env(workload: str, pod: str) -> dict[str, str]:
    """The container's environment: the ConfigMap, then its env with the downward API and $(VAR) expanded. Secret
    files and production's refusal of local secrets are another check's (tests/unit/structure)."""
    config = yaml.safe_load((ROOT / "deploy/k8s/config/configmap.yaml").read_text())["data"]
    secrets = {name for name in config if name.endswith("_FILE")} | {"MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY"}
    env = {name: value for name, value in config.items() if name not in secrets} | {"MOMENTUM_ENV": "test"}
    manifest = next(doc for doc in yaml.safe_load_all((ROOT / f"deploy/k8s/app/{workload}.yaml").read_text())
                    if doc["kind"] in ("Deployment", "StatefulSet"))
    downward = {"metadata.name": pod, "metadata.namespace": NAMESPACE}
    for item in manifest["spec"]["template"]["spec"]["containers"][0].get("env", []):
        if "valueFrom" in item:
            env[item["name"]] = downward[item["valueFrom"]["fieldRef"]["fieldPath"]]
        else:
            env[item["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], item["value"])
    return env


async def reaches(target: str) -> str:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=3)
        except grpc.aio.AioRpcError as exc:
            return exc.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


async def bind() -> None:
    settings = load_settings(pod_env("telemetry", POD))
    ring = load_settings(pod_env("gateway", "gateway-0")).telemetry_targets
    listen = settings.grpc_listen_address("telemetry")
    host, _, port = listen.rpartition(":")
    server = GrpcServer(host, int(port), (), "telemetry", settings.auth.service_keys)
    await server.start()
    try:
        name = f"{advertised_host(host)}:{server.port}"
        assert name in ring, f"the instance calls itself {name}; the gateway's ring is {ring}"
        assert await reaches(name) == "SERVING", f"{name} does not answer health"
        assert await reaches(f"{POD_IP}:{port}") == "SERVING", "the kubelet's probe (pod IP) gets no answer"
    finally:
        await server.stop(0)
    print(f"[deploy] telemetry-0 binds {listen} from its pod's /etc/hosts, answers health there and is that name in the gateway's ring")


if __name__ == "__main__":
    if sys.argv[1] == "hosts":
        fqdn = pod_env("telemetry", POD)["MOMENTUM_TELEMETRY_GRPC_LISTEN"].rpartition(":")[0]
        Path(sys.argv[2]).write_text(f"127.0.0.1\tlocalhost\n{POD_IP}\t{fqdn}\t{POD}\n")
    else:
        asyncio.run(bind())
