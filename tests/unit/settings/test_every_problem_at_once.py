"""An operator fixing a configuration sees every bad variable in one run, from a service's start or `momentum config check`."""

from __future__ import annotations

import os

import pytest

from services.cli import main
from services.common.settings import CALLERS, SettingsError, load_settings

THREE_BAD = {
    "MOMENTUM_DB_PORT": "five",
    "ENTRANCE_SWEEP_INTERVAL": "soon",
    "MOMENTUM_SESSION_KEY": "too-short",
}
PRODUCTION = {
    "MOMENTUM_ENV": "production", "MOMENTUM_JWT_SECRET": "prod-" + "j" * 40, "MOMENTUM_DB_APP_PASSWORD": "prod-app",
    "MOMENTUM_S3_ACCESS_KEY": "prod-s3-id", "MOMENTUM_S3_SECRET_KEY": "prod-s3", "MOMENTUM_TELEMETRY_TOKEN_KEYS": "p1:" + "t" * 40,
    "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "p1", "MOMENTUM_SESSION_KEY": "prod-session-" + "s" * 40,
    **{f"MOMENTUM_SERVICE_KEY_{caller.upper()}": f"prod-{caller}-" + "k" * 40 for caller in CALLERS},
}


def test_three_bad_variables_are_reported_together_each_with_what_is_wrong():
    with pytest.raises(SettingsError) as error:
        load_settings(THREE_BAD)
    named = {problem.variables: problem.message for problem in error.value.problems}
    assert set(named) == {("MOMENTUM_DB_PORT",), ("ENTRANCE_SWEEP_INTERVAL",), ("MOMENTUM_SESSION_KEY",)}
    assert "integer" in named[("MOMENTUM_DB_PORT",)]
    assert "seconds" in named[("ENTRANCE_SWEEP_INTERVAL",)]
    assert "32 bytes" in named[("MOMENTUM_SESSION_KEY",)]
    # One line per problem, so a start-up log or a terminal shows each of them.
    assert str(error.value).count("\n") == 2


def test_a_check_across_variables_is_reported_beside_a_malformed_variable():
    with pytest.raises(SettingsError) as error:
        load_settings({"MOMENTUM_GATEWAY_PORT": "80800", "MOMENTUM_JWT_ALGORITHM": "RS256",
                       "MOMENTUM_GRPC_TLS_CLIENT_CA": "/etc/momentum/ca.pem"})
    named = {name for problem in error.value.problems for name in problem.variables}
    assert {"MOMENTUM_GATEWAY_PORT", "MOMENTUM_JWKS_PATH", "MOMENTUM_GRPC_TLS_CLIENT_CA"} <= named


def test_a_malformed_secret_is_reported_once_not_again_as_a_local_default():
    with pytest.raises(SettingsError) as error:
        load_settings({**PRODUCTION, "MOMENTUM_SESSION_KEY": "short", "MOMENTUM_DB_PORT": "0"})
    assert [problem.variables for problem in error.value.problems] == [("MOMENTUM_DB_PORT",), ("MOMENTUM_SESSION_KEY",)]


def test_a_secret_is_never_quoted_in_the_error_and_a_plain_value_is():
    with pytest.raises(SettingsError) as error:
        load_settings({"MOMENTUM_SESSION_KEY": "hunter2-but-short", "MOMENTUM_DB_PORT": "five"})
    assert "hunter2" not in str(error.value)
    assert "'five'" in str(error.value)


def test_config_check_prints_every_problem_on_its_own_line_and_exits_2(monkeypatch, capsys):
    for name in list(os.environ):
        if name.startswith(("MOMENTUM_", "ENTRANCE_")):
            monkeypatch.delenv(name)
    for name, value in THREE_BAD.items():
        monkeypatch.setenv(name, value)
    assert main(["config", "check"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(THREE_BAD)
    for name in THREE_BAD:
        monkeypatch.delenv(name)
    assert main(["config", "check"]) == 0
    assert capsys.readouterr().out.strip() == "configuration ok"


def test_any_command_names_every_problem_on_its_own_line(monkeypatch, capsys):
    for name in list(os.environ):
        if name.startswith(("MOMENTUM_", "ENTRANCE_")):
            monkeypatch.delenv(name)
    for name, value in THREE_BAD.items():
        monkeypatch.setenv(name, value)
    assert main(["token", "--tenant", "00000000-0000-0000-0000-000000000001",
                 "--user", "00000000-0000-0000-0000-000000000002", "--role", "patient"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3 and all(line.startswith("configuration error: ") for line in errors)
