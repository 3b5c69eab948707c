"""One database password per service role, proved on a throwaway Postgres cluster that checks passwords over TCP
(the shared test cluster trusts loopback, so it cannot tell passwords apart): `infra/stack.sh provision` gives each
role its own password, also over roles an older stack created with the shared one, and a service's password does
not open another service's role."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import asyncpg
import pytest

from services.common.settings import SERVICES, load_settings
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[3]
SHARED = "the-old-shared-app-password"


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert found, "PostgreSQL server binaries are missing (infra/stack.sh installs them)"
    return found[-1].parent


def _as_cluster_owner(*command: str) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, int]]:
    """(admin DSN over the socket, TCP port) of a fresh cluster: socket trusted, TCP scram-sha-256."""
    base = Path(tempfile.mkdtemp(prefix="momentum-pw-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port, binaries = free_port(), _pg_bin()
    subprocess.run(_as_cluster_owner(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                                     "--auth-host=scram-sha-256", "-E", "UTF8"), check=True, capture_output=True)
    subprocess.run(_as_cluster_owner(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
                                     "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1", "start"),
                   check=True, capture_output=True)
    try:
        yield f"host={sock} port={port} user=postgres dbname=postgres", port
    finally:
        subprocess.run(_as_cluster_owner(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _psql(dsn: str, sql: str) -> None:
    subprocess.run(["psql", "-w", dsn, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


async def _opens(port: int, role: str, password: str) -> bool:
    try:
        connection = await asyncpg.connect(host="127.0.0.1", port=port, user=role, password=password, database="momentum")
    except asyncpg.InvalidPasswordError:
        return False
    await connection.close()
    return True


async def test_each_service_role_has_its_own_password_and_no_other_opens_it(cluster):
    dsn, port = cluster
    # An older stack: the roles exist, all with one shared password.
    for service in SERVICES:
        _psql(dsn, f"CREATE ROLE momentum_{service} LOGIN PASSWORD '{SHARED}'")
    passwords = {service: f"pw-{service}-{os.urandom(8).hex()}" for service in SERVICES}
    env = {**os.environ, "MOMENTUM_DB_ADMIN_DSN": dsn, "MOMENTUM_DB_OWNER_PASSWORD": "owner-pw",
           **{f"MOMENTUM_DB_{s.upper()}_PASSWORD": pw for s, pw in passwords.items()}}
    provisioned = subprocess.run(["bash", str(ROOT / "infra" / "stack.sh"), "provision"], env=env, capture_output=True,
                                 text=True, timeout=60)
    assert provisioned.returncode == 0, provisioned.stderr

    for service, password in passwords.items():
        role = f"momentum_{service}"
        assert await _opens(port, role, password), f"{role} does not open with its own password"
        assert not await _opens(port, role, SHARED), f"{role} still opens with the old shared password"
        for other, other_password in passwords.items():
            if other != service:
                assert not await _opens(port, role, other_password), f"{other}'s password opens {role}"

    # The services connect with exactly these: settings hand each role its own password.
    settings = load_settings({f"MOMENTUM_DB_{s.upper()}_PASSWORD": pw for s, pw in passwords.items()})
    for service, password in passwords.items():
        assert settings.database.password_for(service) == password
        assert f"momentum_{service}:{password}@" in settings.database.app_url(service)


async def test_provisioning_twice_keeps_the_passwords_and_old_env_files_fall_back_to_the_shared_one(cluster):
    dsn, port = cluster
    env = {**os.environ, "MOMENTUM_DB_ADMIN_DSN": dsn, "MOMENTUM_DB_PLANS_PASSWORD": "plans-pw-again",
           **{f"MOMENTUM_DB_{s.upper()}_PASSWORD": f"{s}-pw-again" for s in SERVICES}}
    for _ in range(2):
        run = subprocess.run(["bash", str(ROOT / "infra" / "stack.sh"), "provision"], env=env, capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0, run.stderr
    assert await _opens(port, "momentum_streaks", "streaks-pw-again")
    # An env file from before this change names only the shared password: every role uses it.
    old = load_settings({"MOMENTUM_DB_APP_PASSWORD": SHARED})
    assert all(old.database.password_for(s) == SHARED for s in SERVICES)
    mixed = load_settings({"MOMENTUM_DB_APP_PASSWORD": SHARED, "MOMENTUM_DB_STREAKS_PASSWORD": "own"})
    assert mixed.database.password_for("streaks") == "own" and mixed.database.password_for("plans") == SHARED
