"""No secret, token or landmark in the logs; secrets only from the environment.

The logs are the real ones: tests.support.log_probe runs every service and the gateway in a process of
its own, configured as a production process is (JSON, here at DEBUG so every line is written), drives a
representative flow plus refused attackers through HTTP, and this test scans what it wrote to stderr."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from services.common.settings import CALLERS, SERVICES, Settings, SettingsError, load_settings
from tests.support.log_probe import pose_frames
from tests.support.stack import TEST_DB, TEST_VHOST

ROOT = Path(__file__).resolve().parents[2]
JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
DECIMAL = re.compile(r"-?\d+\.\d{4,}(?:[eE]-?\d+)?")


class Probe:
    def __init__(self, env: dict[str, str], manifest: dict, stderr: str) -> None:
        self.env, self.manifest, self.stderr = env, manifest, stderr

    @property
    def settings(self) -> Settings:
        return load_settings(self.env)

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stderr.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
async def probe() -> Probe:
    env = dict(os.environ)
    env.update({
        "MOMENTUM_TEST_DB": f"{TEST_DB}_logs", "MOMENTUM_TEST_VHOST": f"{TEST_VHOST}_logs",
        "MOMENTUM_LOG_LEVEL": "DEBUG", "MOMENTUM_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'protos'}",  # this tree's generated code, as tests/support/processes.py does
    })
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.log_probe", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    stderr = err.decode(errors="replace")
    assert process.returncode == 0, f"the flow failed:\n{stderr[-4000:]}"
    manifest = json.loads(next(line for line in out.decode().splitlines() if line.startswith("MANIFEST "))[9:])
    return Probe(env, manifest, stderr)


def test_the_capture_holds_the_services_structured_logs(probe):
    events = {line.get("event") for line in probe.json_lines()}
    assert {"service.started", "http.request", "rpc.done", "outbox.published", "service.stopped"} <= events, events
    assert sum(1 for line in probe.json_lines() if line.get("event") == "http.request") >= 25


def test_no_token_reaches_the_logs(probe):
    tokens = probe.manifest["user_tokens"] + probe.manifest["session_tokens"]
    assert len(tokens) >= 7
    for token in tokens:
        # The whole token, and its signature alone (a log that cut the token would still leak it).
        assert token not in probe.stderr
        assert token.rsplit(".", 1)[-1] not in probe.stderr
    assert not JWT_LIKE.findall(probe.stderr), "something shaped like a JWT or session token was logged"


def test_no_secret_reaches_the_logs(probe):
    s = probe.settings
    secrets = {
        "MOMENTUM_JWT_SECRET": s.auth.jwt_secret, "MOMENTUM_DB_OWNER_PASSWORD": s.database.owner_password,
        "MOMENTUM_DB_APP_PASSWORD": s.database.app_password, "MOMENTUM_S3_SECRET_KEY": s.s3.secret_key,
        **{f"telemetry key {kid}": key.decode() for kid, key in s.auth.telemetry_token_keys.items()},
        **{f"MOMENTUM_SERVICE_KEY_{c.upper()}": key.decode() for c, key in s.auth.service_keys.items()},
        **{f"MOMENTUM_DB_{n.upper()}_PASSWORD": s.database.password_for(n) for n in SERVICES},
    }
    leaked = [name for name, value in secrets.items() if value and value in probe.stderr]
    assert not leaked, f"secrets in the logs: {leaked}"
    # The broker password is short ("guest" locally): look for it where a URL would carry it.
    assert f":{s.broker.password}@" not in probe.stderr


def test_no_landmark_reaches_the_logs(probe):
    frames = pose_frames()
    values = frames.landmarks.astype(np.float32).ravel()
    spelled = {repr(float(v)) for v in values} | {str(v) for v in values} | {f"{float(v):.6f}" for v in values}
    distinctive = {text for text in spelled if len(text.lstrip("-")) >= 7}
    found = set(DECIMAL.findall(probe.stderr)) & distinctive
    assert not found, f"landmark coordinates in the logs, e.g. {sorted(found)[:5]}"
    body = frames.batches[0]
    assert body[:32].hex() not in probe.stderr and repr(body[:32])[2:-1] not in probe.stderr


LOCAL = Settings()


def test_every_secret_is_read_from_the_environment():
    env = {
        "MOMENTUM_JWT_SECRET": "env-jwt-secret-0123456789abcdef0123", "MOMENTUM_DB_OWNER_PASSWORD": "env-owner-pw",
        "MOMENTUM_DB_APP_PASSWORD": "env-app-pw", "MOMENTUM_S3_SECRET_KEY": "env-s3-secret", "MOMENTUM_S3_ACCESS_KEY": "env-s3-id",
        "MOMENTUM_AMQP_PASSWORD": "env-amqp-pw", "MOMENTUM_TELEMETRY_TOKEN_KEYS": "k7:env-telemetry-key-0123456789abcdef",
        "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "k7",
    }
    s = load_settings(env)
    assert s.auth.jwt_secret == env["MOMENTUM_JWT_SECRET"]
    assert (s.database.owner_password, s.database.app_password) == ("env-owner-pw", "env-app-pw")
    assert ":env-app-pw@" in s.database.app_url("plans") and ":env-owner-pw@" in s.database.owner_url()
    assert (s.s3.access_key, s.s3.secret_key) == ("env-s3-id", "env-s3-secret")
    assert ":env-amqp-pw@" in s.broker.url
    assert dict(s.auth.telemetry_token_keys) == {"k7": b"env-telemetry-key-0123456789abcdef"}
    assert s.auth.telemetry_token_active_key == "k7"


def test_production_refuses_the_public_local_secrets():
    with pytest.raises(SettingsError) as refused:
        load_settings({"MOMENTUM_ENV": "production"})
    for name in ("MOMENTUM_JWT_SECRET", "MOMENTUM_TELEMETRY_TOKEN_KEYS", "MOMENTUM_DB_APP_PASSWORD",
                 "MOMENTUM_SERVICE_KEY_GATEWAY", "MOMENTUM_SERVICE_KEY_PLANS", "MOMENTUM_SESSION_KEY"):
        assert name in str(refused.value)
    # No S3 keys in production is the AWS credential chain, not a refusal; the public local key is refused.
    assert "MOMENTUM_S3_SECRET_KEY" not in str(refused.value)
    own = {
        "MOMENTUM_ENV": "production", "MOMENTUM_JWT_SECRET": "prod-" + "j" * 40, "MOMENTUM_DB_APP_PASSWORD": "prod-app",
        "MOMENTUM_S3_ACCESS_KEY": "prod-s3-id", "MOMENTUM_S3_SECRET_KEY": "prod-s3",
        "MOMENTUM_TELEMETRY_TOKEN_KEYS": "p1:" + "t" * 40,
        "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "p1", "MOMENTUM_SESSION_KEY": "prod-session-" + "s" * 40,
        **{f"MOMENTUM_SERVICE_KEY_{caller.upper()}": f"prod-{caller}-" + "k" * 40 for caller in CALLERS},
    }
    assert load_settings(own).environment == "production"
    with pytest.raises(SettingsError, match="MOMENTUM_SERVICE_KEY_STREAKS"):
        load_settings({**own, "MOMENTUM_SERVICE_KEY_STREAKS": LOCAL.auth.service_keys["streaks"].decode()})
    with pytest.raises(SettingsError, match="MOMENTUM_JWT_SECRET"):
        load_settings({**own, "MOMENTUM_JWT_SECRET": LOCAL.auth.jwt_secret})
    with pytest.raises(SettingsError, match="MOMENTUM_S3_SECRET_KEY"):
        load_settings({**own, "MOMENTUM_S3_SECRET_KEY": LOCAL.s3.secret_key})


def test_no_secret_is_hard_coded_outside_the_local_defaults():
    defaults = [LOCAL.auth.jwt_secret, LOCAL.database.owner_password, LOCAL.database.app_password, LOCAL.s3.secret_key,
                *(key.decode() for key in LOCAL.auth.telemetry_token_keys.values()),
                *(key.decode() for key in LOCAL.auth.service_keys.values())]
    assigned = re.compile(r"""(?i)(secret|password|passwd|api_key|private_key)\w*\s*[=:]\s*[rbf]?["'][^"'\s]{6,}["']""")
    offenders = []
    for path in sorted((ROOT / "services").rglob("*.py")):
        if path == ROOT / "services" / "common" / "settings" / "local_secrets.py":
            continue
        source = path.read_text()
        offenders += [f"{path.relative_to(ROOT)}: a local default secret" for value in defaults if value in source]
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in assigned.finditer(source)]
    assert not offenders, offenders
