"""The image, the Kubernetes manifests and the systemd units of deploy/ start what exists, configure it the way the
settings read it in production, and keep secrets in files; deploy/check.sh adds hadolint, kustomize and systemd-analyze."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser

from services.common.settings import load_settings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
SYSTEMD = DEPLOY / "systemd"
PROCESSES = {"plans", "streaks", "entrances", "telemetry", "gateway"}
SECRET_MOUNT = "/run/secrets/momentum/"
NAMESPACE = "momentum"  # what the kustomizations set; the pods learn it from the downward API


# ---------------------------------------------------------------------------------------------- the image

def stages() -> list[dict]:
    """The Dockerfile's stages, each with its name and instructions in order."""
    parsed = DockerfileParser(path=str(DEPLOY / "Dockerfile"))
    found: list[dict] = []
    for instruction in parsed.structure:
        if instruction["instruction"] == "FROM":
            base, _, name = instruction["value"].partition(" AS ")
            found.append({"base": base.strip(), "name": name.strip(), "instructions": []})
        elif found:
            found[-1]["instructions"].append((instruction["instruction"], instruction["value"]))
    return found


def test_the_image_builds_in_stages_and_runs_as_a_fixed_non_root_user_without_build_tools() -> None:
    built = stages()
    assert len(built) >= 2 and built[-1]["name"] == "runtime"
    runtime = built[-1]["instructions"]
    users = [value for kind, value in runtime if kind == "USER"]
    assert users, "the runtime stage sets no USER: the processes would run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, f"USER {users[-1]}: a fixed numeric uid, not root"
    runs = " ".join(value for kind, value in runtime if kind == "RUN")
    assert "apt-get install" not in runs and "pip install" not in runs and "npm" not in runs
    assert "pip uninstall" in runs  # the base image's own installer goes too
    assert any(kind == "HEALTHCHECK" for kind, _ in runtime), "say HEALTHCHECK, or NONE with the reason"
    # Every kind of pod runs the image's uid (securityContext), so files it reads are the image's.
    for name, pod in pods().items():
        assert str(pod["spec"]["securityContext"]["runAsUser"]) == uid, name


def test_every_copy_into_the_image_names_a_file_of_the_repository_or_an_earlier_stage() -> None:
    built = stages()
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")}
    for index, stage in enumerate(built):
        for kind, value in stage["instructions"]:
            if kind != "COPY":
                continue
            parts = value.split()
            if parts[0].startswith("--from="):
                earlier = {s["name"] for s in built[:index]}
                assert parts[0].removeprefix("--from=") in earlier, f"COPY {value}: no earlier stage of that name"
                continue
            for source in parts[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
                assert source.rstrip("/") not in ignored, f"COPY {source}: excluded by .dockerignore"


def test_the_build_stage_installs_by_hashes_and_the_web_app_is_built_into_the_runtime() -> None:
    built = stages()
    runs = {stage["name"]: " ".join(v for k, v in stage["instructions"] if k == "RUN") for stage in built}
    assert "deploy/build-venv.sh" in runs["build"]
    recipe = (DEPLOY / "build-venv.sh").read_text()
    assert "--require-hashes" in recipe and "--only-binary=:all:" in recipe and "requirements-runtime.lock" in recipe
    assert "npm ci" in runs["web"] and "npm run build" in runs["web"]
    runtime = built[-1]["instructions"]
    web_copy = next(v for k, v in runtime if k == "COPY" and v.startswith("--from=web"))
    env = " ".join(v for k, v in runtime if k == "ENV")
    assert f"MOMENTUM_WEB_DIST={web_copy.split()[-1]}" in env, "the gateway must serve the assets the image holds"


def lock(path: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", path.read_text(), re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


def test_the_runtime_lock_is_the_full_lock_without_the_dev_extras() -> None:
    runtime, full = lock(DEPLOY / "requirements-runtime.lock"), lock(ROOT / "requirements.lock")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.sub(r"[-_.]+", "-", r.split("[")[0].split("==")[0]).lower() for r in project["dependencies"]}
    dev_only = {re.sub(r"[-_.]+", "-", r.split("[")[0].split("==")[0]).lower() for r in project["optional-dependencies"]["dev"]}
    assert declared <= set(runtime), f"missing from the runtime lock: {declared - set(runtime)}; run `make lock`"
    assert not dev_only & set(runtime), f"dev tools in the image: {dev_only & set(runtime)}"
    drift = {name: (version, full.get(name)) for name, version in runtime.items() if full.get(name) != version}
    assert not drift, f"the image would run other versions than the tests (runtime, full): {drift}; run `make lock`"


# ---------------------------------------------------------------------------------------------- Kubernetes

def manifests() -> list[dict]:
    documents = []
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name != "kustomization.yaml":
            documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def pods() -> dict[str, dict]:
    """Workload name → its pod template."""
    return {
        doc["metadata"]["name"]: doc["spec"]["template"]
        for doc in manifests() if doc["kind"] in ("Deployment", "StatefulSet", "Job")
    }


def config_map() -> dict[str, str]:
    return next(doc["data"] for doc in manifests() if doc["kind"] == "ConfigMap")


def container_env(container: dict, pod_name: str) -> dict[str, str]:
    """What the container's process sees: the ConfigMap, then its env with the downward API and $(VAR) expanded."""
    env = dict(config_map())
    downward = {"metadata.name": pod_name, "metadata.namespace": NAMESPACE}
    for item in container.get("env", []):
        if "valueFrom" in item:
            env[item["name"]] = downward[item["valueFrom"]["fieldRef"]["fieldPath"]]
        else:
            env[item["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], item["value"])
    return env


def test_every_manifest_is_valid_against_the_kubernetes_schemas_strictly() -> None:
    for doc in manifests():
        kubernetes_validate.validate(doc, "1.30.0", strict=True)


def test_each_process_runs_an_entry_point_that_exists() -> None:
    commands = {name: pod["spec"]["containers"][0]["command"] for name, pod in pods().items()}
    for name, command in commands.items():
        if command[:2] == ["python", "-m"]:
            module = command[2].removeprefix("services.")
            assert (ROOT / "services" / module / "__main__.py").is_file(), f"{name}: python -m {command[2]} does not exist"
    assert {c[2].removeprefix("services.") for c in commands.values() if c[0] == "python"} == PROCESSES
    assert commands["momentum-migrate"] == ["momentum", "migrate"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["momentum"] == "services.cli:main"
    migrate = subprocess.run([sys.executable, "-m", "services.cli", "migrate", "--help"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert migrate.returncode == 0, migrate.stderr


def test_services_are_probed_on_grpc_health_and_the_gateway_on_livez_and_readyz() -> None:
    for name, pod in pods().items():
        container = pod["spec"]["containers"][0]
        if name == "momentum-migrate":
            continue
        if name == "gateway":
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
            continue
        grpc_port = next(p["containerPort"] for p in container["ports"] if p["name"] == "grpc")
        assert container["readinessProbe"]["grpc"]["port"] == grpc_port, name
        # A database outage makes a service NOT_SERVING: liveness must not restart it for that.
        assert "grpc" not in container["livenessProbe"], f"{name}: liveness on gRPC health restarts it in an outage"
        listen = container_env(container, f"{name}-0")[f"MOMENTUM_{name.upper()}_GRPC_LISTEN"]
        assert listen.endswith(f":{grpc_port}"), f"{name} listens on {listen}, probed on {grpc_port}"


def test_every_pod_is_non_root_read_only_bounded_and_covered_by_a_disruption_budget() -> None:
    budgets = [doc for doc in manifests() if doc["kind"] == "PodDisruptionBudget"]
    for name, pod in pods().items():
        spec = pod["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{name}: no {bound}"
        if name != "momentum-migrate":
            labels = pod["metadata"]["labels"]
            assert any(budget["spec"]["selector"]["matchLabels"].items() <= labels.items() for budget in budgets), name


def test_telemetry_instances_are_known_to_the_gateway_ring_by_the_address_each_listens_on(tmp_path: Path) -> None:
    # The ring's entries, each lease's owner and each instance's consent queue are the listen address, so each
    # pod's name must be stable (a StatefulSet) and the gateway must list exactly those names.
    statefulset = next(doc for doc in manifests() if doc["kind"] == "StatefulSet")
    headless = next(doc for doc in manifests() if doc["kind"] == "Service" and doc["metadata"]["name"] == statefulset["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None"
    container = statefulset["spec"]["template"]["spec"]["containers"][0]
    listens = [
        container_env(container, f"telemetry-{ordinal}")["MOMENTUM_TELEMETRY_GRPC_LISTEN"]
        for ordinal in range(statefulset["spec"]["replicas"])
    ]
    gateway = container_env(pods()["gateway"]["spec"]["containers"][0], "gateway-abc")
    ring = load_settings(secret_files(gateway, tmp_path, SECRET_MOUNT)).telemetry_targets
    assert sorted(listens) == list(ring), f"gateway ring {ring} against instances {listens}"


def secret_files(env: dict[str, str], into: Path, prefix: str) -> dict[str, str]:
    """Writes a plausible secret for every *_FILE under `prefix` into `into`, and points the variable there."""
    env = dict(env)
    for name, path in env.items():
        if name.endswith("_FILE") and path.startswith(prefix) and name != "MOMENTUM_LOG_FILE":
            key = path.removeprefix(prefix)
            value = f"{key}-generated-for-the-test-0123456789abcdef"
            if name == "MOMENTUM_TELEMETRY_TOKEN_KEYS_FILE":
                value = f"{env['MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY']}:{value}"
            (into / key).write_text(value + "\n")
            env[name] = str(into / key)
    return env


def test_every_pod_s_configuration_loads_in_production_with_its_secrets_from_mounted_files(tmp_path: Path) -> None:
    # Production refuses every local default secret: a variable the manifests forget, or a *_FILE the settings do
    # not read, fails here instead of in a crash-looping pod.
    for name, pod in pods().items():
        container = pod["spec"]["containers"][0]
        env = container_env(container, f"{name}-0")
        assert env["MOMENTUM_ENV"] == "production"
        settings = load_settings(secret_files(env, tmp_path, SECRET_MOUNT))
        assert settings.auth.jwt_secret.startswith("jwt-secret-generated"), name
        mounts = {m["mountPath"].rstrip("/") + "/" for m in container["volumeMounts"]}
        assert SECRET_MOUNT in mounts, f"{name} names secret files it does not mount"
    migrate = container_env(pods()["momentum-migrate"]["spec"]["containers"][0], "momentum-migrate-x")
    assert migrate["MOMENTUM_DB_PORT"] == "5432" and migrate["MOMENTUM_DB_TRANSACTION_POOLER"] == "false"


def test_no_secret_value_is_written_in_the_config_map() -> None:
    secretish = re.compile(r"(PASSWORD|SECRET|_KEY|_KEYS)$")
    for name, value in config_map().items():
        if name == "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY":
            continue  # the id of the signing key, not a key
        assert not secretish.search(name), f"{name}={value!r} in the ConfigMap: mount it and set {name}_FILE"
        if name.endswith("_FILE"):
            assert value.startswith(SECRET_MOUNT), name


# ---------------------------------------------------------------------------------------------- systemd

def unit(name: str) -> dict[str, list[str]]:
    """A unit file's keys, each with every value it is given (systemd allows a key many times)."""
    keys: dict[str, list[str]] = {}
    text = (SYSTEMD / name).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def unit_env(keys: dict[str, list[str]], credentials: Path, instance: str) -> dict[str, str]:
    """What the unit's process sees: the example environment file, its Environment= and its ExecStart's env."""
    env = {}
    for line in (SYSTEMD / "momentum.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    for item in keys.get("Environment", []):
        name, _, value = item.partition("=")
        env[name] = value.replace("%d", str(credentials)).replace("%i", instance)
    command = keys["ExecStart"][0].replace("%i", instance)
    for assignment in re.findall(r"(MOMENTUM_\w+=\S+)", command):
        name, _, value = assignment.partition("=")
        env[name] = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], value)
    return env


@pytest.mark.parametrize("name, instance", [("momentum@.service", "plans"), ("momentum@.service", "gateway"),
                                            ("momentum-telemetry@.service", "1"), ("momentum-migrate.service", "")])
def test_each_unit_is_hardened_and_its_configuration_loads_in_production(tmp_path: Path, name: str, instance: str) -> None:
    keys = unit(name)
    assert keys["DynamicUser"] == ["yes"] and keys["NoNewPrivileges"] == ["yes"] and keys["ProtectSystem"] == ["strict"]
    assert keys["EnvironmentFile"][0] == "/etc/momentum/momentum.env"
    if name != "momentum-migrate.service":
        assert keys["Restart"] == ["on-failure"]
        assert "momentum-migrate.service" in keys["Requires"][0] and "momentum-migrate.service" in keys["After"][0]
        module = re.search(r"-m services\.(\S+)", keys["ExecStart"][0]).group(1).replace("%i", instance)
        assert (ROOT / "services" / module / "__main__.py").is_file(), module
    # Every credential loaded is named by its *_FILE, and none is named without being loaded.
    loaded = {item.split(":")[0] for item in keys["LoadCredential"]}
    named = {value.split("%d/")[1] for value in keys["Environment"] if "%d/" in value}
    assert loaded == named
    env = unit_env(keys, tmp_path, instance)
    settings = load_settings(secret_files(env, tmp_path, str(tmp_path) + "/"))
    if name.startswith("momentum-telemetry"):
        listen = settings.grpc_listen_address("telemetry")
        assert listen == f"{env['MOMENTUM_HOST_ADDRESS']}:5006{instance}" and listen in settings.telemetry_targets


def test_the_vm_units_and_the_pods_get_the_same_secrets() -> None:
    pod_secrets = {value.removeprefix(SECRET_MOUNT) for name, value in config_map().items() if name.endswith("_FILE")}
    pod_secrets.add("db-owner-password")  # the Job's own
    unit_secrets = {item.split(":")[0] for name in ("momentum@.service", "momentum-migrate.service")
                    for item in unit(name)["LoadCredential"]}
    assert pod_secrets == unit_secrets
    documented = (ROOT / "docs" / "deploy.md").read_text()
    assert all(f"`{secret}`" in documented for secret in pod_secrets), "docs/deploy.md lists every secret file"
