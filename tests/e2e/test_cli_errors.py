"""The operator's CLI refuses bad input in one line and a non-zero exit, and writes nothing: no traceback, no raw SQL."""

from __future__ import annotations

import uuid

from tests.support.cli import momentum
from tests.support.ports import free_port


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output and "SQL" not in output, output
    return lines[0]


async def test_an_unknown_timezone_is_named_and_no_clinic_is_created(stack):
    clinic = str(uuid.uuid4())
    code, output = await momentum(stack, "tenant", "create", "--name", "Mars Base PT", "--timezone", "Mars/Olympus", "--id", clinic)
    assert code == 2
    assert one_line(output) == (
        "error: default_timezone: unknown timezone 'Mars/Olympus': expected an IANA name such as 'Europe/Madrid'"
    )
    code, output = await momentum(stack, "user", "create", "--tenant", clinic, "--role", "patient", "--name", "Ann")
    assert code == 2 and "is not known" in one_line(output)  # the clinic was not written


async def test_a_user_of_an_unknown_clinic_is_refused_by_name_not_by_a_foreign_key(stack):
    clinic = str(uuid.uuid4())
    code, output = await momentum(stack, "user", "create", "--tenant", clinic, "--role", "therapist", "--name", "Dr Who")
    assert code == 2
    assert one_line(output) == f"error: clinic {clinic} is not known: create it first with `momentum tenant create`"


async def test_a_database_that_is_away_is_one_line_and_exit_3(stack):
    closed = str(free_port())  # nothing listens there
    code, output = await momentum(
        stack, "user", "create", "--tenant", str(uuid.uuid4()), "--role", "patient", "--name", "Ann",
        env={"MOMENTUM_DB_PORT": closed},
    )
    assert code == 3
    assert one_line(output).startswith("error: the database is unavailable (")


async def test_an_unknown_clinic_is_named_by_every_read(stack):
    clinic, user = str(uuid.uuid4()), str(uuid.uuid4())
    for args in (("clinics", "show", clinic), ("users", "list", "--clinic", clinic)):
        code, output = await momentum(stack, *args)
        assert code == 2 and one_line(output).startswith(f"error: clinic {clinic} is not known"), (args, output)
    code, output = await momentum(stack, "users", "show", user)
    assert code == 2 and one_line(output) == f"error: user {user} is not known in any clinic"
    code, output = await momentum(stack, "users", "show", user, "--clinic", clinic)
    assert code == 2 and one_line(output) == f"error: user {user} is not known in clinic {clinic}"
    code, output = await momentum(stack, "login", "--tenant", clinic, "--user", user)
    assert code == 2 and one_line(output) == f"error: no user {user} in clinic {clinic}"


async def test_malformed_input_is_one_line_naming_the_option_and_exit_2(stack):
    cases = {
        ("clinics", "show", "clinic-7"): "'clinic-7' is not a UUID",
        ("users", "list", "--clinic", str(uuid.uuid4()), "--role", "nurse"): "--role",
        ("users", "list"): "--clinic",
        ("token", "--tenant", str(uuid.uuid4()), "--user", "u-1", "--role", "patient"): "'u-1' is not a UUID",
        ("streaks", "recalculate", "--batch-size", "0"): "--batch-size",
        ("dlq", "show", "x.dead", "--limit", "0"): "--limit",
        ("migrate", "history", "billing"): "'billing' is not one of",
        ("migrate", "downgrade", "plans", "0999", "--yes"): "plans has no revision '0999'",
        ("migrate", "downgrade", "plans", "0001"): "add --yes",
        ("user", "create", "--tenant", str(uuid.uuid4()), "--role", "patient", "--name", "Ann", "--timezone", "Moon/Base"):
            "timezone: unknown timezone 'Moon/Base'",
        ("user", "access", "--tenant", str(uuid.uuid4()), "--user", str(uuid.uuid4())): "nothing to change",
        ("dlq", "purge", "streaks.workout-events.dead"): "add --yes",
        ("seed",): "add --demo",
        ("no-such-command",): "No such command 'no-such-command'",
    }
    code, output = await momentum(stack, "clinics", "list", env={"MOMENTUM_DB_PORT": "fifty"})
    assert code == 2 and one_line(output).startswith("configuration error: ") and "MOMENTUM_DB_PORT" in output
    for args, named in cases.items():
        code, output = await momentum(stack, *args)
        assert code == 2, (args, output)
        line = one_line(output)
        assert line.startswith("error: ") and named in line, (args, line)


async def test_every_dependency_away_is_one_line_naming_it_and_exit_3(stack):
    closed = str(free_port())
    database_away = {"MOMENTUM_DB_PORT": closed}
    for args in (("clinics", "list"), ("users", "show", str(uuid.uuid4())), ("migrate", "status"),
                 ("billing", "recalculate"), ("streaks", "recalculate"), ("telemetry", "sessions")):
        code, output = await momentum(stack, *args, env=database_away)
        assert code == 3, (args, output)
        assert one_line(output).startswith("error: the database is unavailable ("), (args, output)
    for args in (("dlq", "list"), ("dlq", "replay", "streaks.workout-events.dead")):
        code, output = await momentum(stack, *args, env={"MOMENTUM_AMQP_PORT": closed})
        assert code == 3, (args, output)
        assert one_line(output).startswith("error: cannot reach the broker ("), (args, output)
    code, output = await momentum(stack, "s3", "setup", env={"MOMENTUM_S3_ENDPOINT": f"http://127.0.0.1:{closed}"})
    assert code == 3 and one_line(output).startswith("error: cannot reach object storage ("), output
