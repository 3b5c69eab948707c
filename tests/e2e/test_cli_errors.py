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
