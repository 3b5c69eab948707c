"""Every secret can come from a mounted file (NAME_FILE), as Kubernetes and systemd credentials hand them over."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.settings import SettingsError, load_settings, read_variables

SECRETS = sorted(name for name, secret in read_variables().items() if secret)
# A value each secret accepts, and where load_settings puts it.
ACCEPTED = {
    "MOMENTUM_JWT_SECRET": ("file-jwt-secret-" + "j" * 32, lambda s: s.auth.jwt_secret),
    "MOMENTUM_DB_OWNER_PASSWORD": ("file-owner-pw", lambda s: s.database.owner_password),
    "MOMENTUM_DB_APP_PASSWORD": ("file-app-pw", lambda s: s.database.app_password),
    "MOMENTUM_AMQP_PASSWORD": ("file-amqp-pw", lambda s: s.broker.password),
    "MOMENTUM_AMQP_URLS": ("amqps://u:p@rabbit-1:5671/v", lambda s: ",".join(s.broker.urls)),
    "MOMENTUM_S3_ACCESS_KEY": ("file-s3-id", lambda s: s.s3.access_key),
    "MOMENTUM_S3_SECRET_KEY": ("file-s3-secret", lambda s: s.s3.secret_key),
    "MOMENTUM_TELEMETRY_TOKEN_KEYS": ("local-1:" + "t" * 32, lambda s: "local-1:" + s.auth.telemetry_token_keys["local-1"].decode()),
    "MOMENTUM_SESSION_KEY": ("file-session-" + "s" * 32, lambda s: s.browser_sessions.key),
    "MOMENTUM_OIDC_CLIENT_SECRET": ("file-client-secret", None),
    **{
        f"MOMENTUM_DB_{service}_PASSWORD": (f"file-{service.lower()}-pw", lambda s, service=service: s.database.service_passwords[service.lower()])
        for service in ("PLANS", "STREAKS", "ENTRANCES", "TELEMETRY")
    },
    **{
        f"MOMENTUM_SERVICE_KEY_{caller}": (f"file-{caller.lower()}-" + "k" * 32, lambda s, caller=caller: s.auth.service_keys[caller.lower()].decode())
        for caller in ("GATEWAY", "PLANS", "STREAKS", "ENTRANCES", "TELEMETRY")
    },
}
OIDC = {
    "MOMENTUM_OIDC_ISSUER": "https://login.clinic.example", "MOMENTUM_OIDC_CLIENT_ID": "momentum-web",
    "MOMENTUM_OIDC_REDIRECT_URL": "https://momentum.clinic.example/v1/session/oidc/callback",
    "MOMENTUM_JWT_ALGORITHM": "RS256", "MOMENTUM_JWKS_PATH": "/etc/momentum/jwks.json",
}


def test_every_secret_has_a_value_to_try():
    assert set(SECRETS) == set(ACCEPTED)


@pytest.mark.parametrize("name", SECRETS)
def test_a_secret_is_read_from_the_file_its_name_file_names(name, tmp_path: Path):
    value, where = ACCEPTED[name]
    mounted = tmp_path / "secret"
    mounted.write_text(value + "\n")  # a trailing newline, as `kubectl create secret --from-file` keeps it
    settings = load_settings({f"{name}_FILE": str(mounted), **(OIDC if name == "MOMENTUM_OIDC_CLIENT_SECRET" else {})})
    read = settings.browser_sessions.oidc.client_secret if where is None else where(settings)  # type: ignore[union-attr]
    assert read == value


@pytest.mark.parametrize("name", SECRETS)
def test_a_secret_set_twice_names_both_variables(name, tmp_path: Path):
    mounted = tmp_path / "secret"
    mounted.write_text(ACCEPTED[name][0])
    with pytest.raises(SettingsError) as error:
        load_settings({name: ACCEPTED[name][0], f"{name}_FILE": str(mounted)})
    assert f"both {name} and {name}_FILE" in str(error.value)


@pytest.mark.parametrize("content, says", [(None, "cannot be read"), ("", "is empty"), ("\n", "is empty")])
@pytest.mark.parametrize("name", ["MOMENTUM_SESSION_KEY", "MOMENTUM_DB_PLANS_PASSWORD", "MOMENTUM_JWT_SECRET"])
def test_a_missing_or_empty_secret_file_is_refused_not_replaced_by_the_local_default(name, content, says, tmp_path: Path):
    mounted = tmp_path / "secret"
    if content is not None:
        mounted.write_text(content)
    with pytest.raises(SettingsError) as error:
        load_settings({f"{name}_FILE": str(mounted)})
    assert [problem.variables for problem in error.value.problems] == [(name,)]
    assert f"{name}_FILE=" in str(error.value) and says in str(error.value)


def test_a_short_secret_from_a_file_is_checked_like_one_from_the_environment(tmp_path: Path):
    mounted = tmp_path / "service-key"
    mounted.write_text("short-key")
    with pytest.raises(SettingsError) as error:
        load_settings({"MOMENTUM_SERVICE_KEY_PLANS_FILE": str(mounted)})
    assert "MOMENTUM_SERVICE_KEY_PLANS" in str(error.value) and "32 bytes" in str(error.value)
    assert "short-key" not in str(error.value)
