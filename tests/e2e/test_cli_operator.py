"""The operator's CLI against the real database: clinics and users listed and shown (--json parsed back),
migrations' status and history, a downgrade on a scratch database and the upgrade back, --version."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import subprocess
import sys
import tomllib
import uuid

import asyncpg

from tests.support.cli import ROOT, momentum
from tests.support.fresh import MAINTENANCE_DB, owner_dsn


async def ok(stack, *args: str, env: dict[str, str] | None = None) -> str:
    code, output = await momentum(stack, *args, env=env)
    assert code == 0, output
    return output


async def as_json(stack, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return json.loads(await ok(stack, *args, "--json", env=env))


async def test_version_names_the_package_and_the_commit(stack):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    line = (await ok(stack, "--version")).strip()
    assert re.fullmatch(rf"momentum {re.escape(version)} \(commit [0-9a-f]{{12}}\)", line), line


async def test_a_clinic_and_its_people_listed_and_shown(stack):
    name = f"Riverside PT {uuid.uuid4().hex[:6]}"
    created = await as_json(stack, "tenant", "create", "--name", name, "--timezone", "Europe/Madrid", "--flag", "rtmBilling")
    clinic = created["clinicId"]
    therapist = (await as_json(stack, "user", "create", "--tenant", clinic, "--role", "therapist", "--name", "Dr Lee"))["userId"]
    patients = [
        (await as_json(stack, "user", "create", "--tenant", clinic, "--role", "patient", "--name", who, "--timezone", "Asia/Tokyo"))["userId"]
        for who in ("Zoe", "Ann")
    ]
    await ok(stack, "user", "access", "--tenant", clinic, "--user", patients[0], "--inactive")

    listed = {c["clinicId"]: c for c in await as_json(stack, "clinics", "list")}
    assert listed[clinic] == {
        "clinicId": clinic, "name": name, "timezone": "Europe/Madrid", "active": True, "featureFlags": {"rtmBilling": True},
        "rtmQualifyingPolicy": "activity_days", "people": {"patient": 1, "therapist": 1, "admin": 0}, "inactivePeople": 1,
    }
    assert await as_json(stack, "clinics", "show", clinic) == listed[clinic]
    text = await ok(stack, "clinics", "list")
    assert any(line.startswith(clinic) and name in line for line in text.splitlines()), text

    people = await as_json(stack, "users", "list", "--clinic", clinic)
    assert [(p["role"], p["name"], p["active"]) for p in people] == [
        ("patient", "Ann", True), ("patient", "Zoe", False), ("therapist", "Dr Lee", True)
    ]
    assert [p["userId"] for p in await as_json(stack, "users", "list", "--clinic", clinic, "--role", "therapist")] == [therapist]
    shown = await as_json(stack, "users", "show", patients[1])  # found without naming the clinic
    assert shown == {"userId": patients[1], "clinicId": clinic, "role": "patient", "name": "Ann", "timezone": "Asia/Tokyo",
                     "active": True}
    assert await as_json(stack, "users", "show", patients[1], "--clinic", clinic) == shown
    assert "Asia/Tokyo" in await ok(stack, "users", "show", patients[1])


async def test_migrate_status_and_history_against_the_test_database(stack):
    states = await as_json(stack, "migrate", "status")
    assert [s["service"] for s in states] == ["plans", "streaks", "entrances", "telemetry"]
    assert all(s["upToDate"] and s["current"] == s["head"] for s in states), states
    assert "up to date" in await ok(stack, "migrate", "status")

    history = await as_json(stack, "migrate", "history", "plans")
    heads = {s["service"]: s["head"] for s in states}
    assert history[0]["revision"] == heads["plans"] and history[0]["current"]
    assert history[-1]["revision"] == "0001" and history[-1]["downRevision"] is None
    assert all(r["applied"] for r in history) and sum(r["current"] for r in history) == 1
    assert [r["revision"] for r in history] == sorted((r["revision"] for r in history), reverse=True)


async def test_a_downgrade_asks_then_rolls_back_and_migrate_restores(stack):
    scratch = f"{stack.settings.database.name}_downgrade"
    env = {"MOMENTUM_DB_NAME": scratch}
    conn = await asyncpg.connect(owner_dsn(stack.settings, MAINTENANCE_DB))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{scratch}"')
    finally:
        await conn.close()
    try:
        await ok(stack, "migrate", "telemetry", "--no-s3", env=env)  # the form scripts use: `up` by default
        code, output = await momentum(stack, "migrate", "downgrade", "telemetry", "0002", env=env)
        assert code == 2 and "add --yes" in output, output  # a script cannot answer the question
        assert (await as_json(stack, "migrate", "history", "telemetry", env=env))[0]["current"]

        said = await ok(stack, "migrate", "downgrade", "telemetry", "0002", "--yes", env=env)
        assert "telemetry at 0002" in said
        code, output = await momentum(stack, "migrate", "status", "--json", env=env)
        assert code == 1  # behind: a deploy script can wait on it
        states = {s["service"]: s for s in json.loads(output)}
        assert (states["telemetry"]["current"], states["telemetry"]["upToDate"]) == ("0002", False)
        assert states["plans"]["current"] is None  # never migrated in this database
        history = await as_json(stack, "migrate", "history", "telemetry", env=env)
        # Newest first: every revision above 0002 is now unapplied, 0002 current, those below applied.
        rows = [(r["revision"], r["applied"], r["current"]) for r in history]
        assert rows[-2:] == [("0002", True, True), ("0001", True, False)]
        assert rows[:-2] and all(not applied and not current for _, applied, current in rows[:-2]), rows
        code, output = await momentum(stack, "migrate", "downgrade", "telemetry", "0003", "--yes", env=env)
        assert code == 2 and "is not below the current 0002" in output, output

        await ok(stack, "migrate", "up", "telemetry", "--no-s3", env=env)
        assert (await as_json(stack, "migrate", "history", "telemetry", env=env))[0]["current"]
    finally:
        conn = await asyncpg.connect(owner_dsn(stack.settings, MAINTENANCE_DB))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        finally:
            await conn.close()


def run_on_a_terminal(stack, *args: str) -> tuple[int, str, bytes]:  # type: ignore[no-untyped-def]
    """Runs `momentum` with stderr on a pseudo-terminal, as an operator's shell has it; (code, stdout, stderr)."""
    master, slave = pty.openpty()
    env = {**os.environ, "MOMENTUM_DB_NAME": stack.settings.database.name, "MOMENTUM_LOG_LEVEL": "WARNING",
           "PYTHONPATH": f"{ROOT}:{ROOT / 'protos'}"}
    process = subprocess.Popen([sys.executable, "-m", "services.cli", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)  # EIO once the process closed its end
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    out = process.stdout.read().decode() if process.stdout else ""
    return process.wait(timeout=120), out, err


async def test_long_work_shows_a_progress_bar_on_a_terminal_but_never_in_json(stack):
    clinic = (await as_json(stack, "tenant", "create", "--name", "Billing PT", "--flag", "rtmBilling"))["clinicId"]
    code, out, err = await asyncio.to_thread(run_on_a_terminal, stack, "billing", "recalculate", "--tenant", clinic)
    assert code == 0 and "recalculating RTM records" in err.decode(errors="replace"), err
    assert "clinic(s)" in out and "recalculating" not in out
    code, out, err = await asyncio.to_thread(run_on_a_terminal, stack, "billing", "recalculate", "--tenant", clinic, "--json")
    assert code == 0 and b"recalculating" not in err, err
    assert set(json.loads(out)) == {"clinics", "patients", "patientsChanging", "changes", "applied", "lines"}
