"""Settings: read once from the environment; a malformed variable is named in the error."""

from datetime import timedelta

import pytest

from services.common.settings import SettingsError, load_settings


def test_defaults_are_the_local_stack():
    settings = load_settings({})
    assert settings.database.app_url("plans").startswith("postgresql+asyncpg://momentum_plans:")
    assert settings.gateway_host == "127.0.0.1" and settings.gateway_port == 8080
    assert settings.entrance_finalize_delay == timedelta(hours=2)


@pytest.mark.parametrize(
    "name, value",
    [
        ("MOMENTUM_DB_PORT", "five"),
        ("MOMENTUM_GATEWAY_PORT", "-1"),
        ("ENTRANCE_FINALIZE_DELAY", "soon"),
        ("MOMENTUM_JWT_ALGORITHM", "none"),
        ("MOMENTUM_TELEMETRY_TOKEN_KEYS", "short:abc"),
        ("MOMENTUM_LOG_FORMAT", "xml"),
        ("MOMENTUM_MONITOR_SECONDS", "0"),
    ],
)
def test_a_bad_variable_is_named(name, value):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value})
    assert name in str(error.value)


def test_rs256_needs_a_jwks_file():
    with pytest.raises(SettingsError, match="MOMENTUM_JWKS_PATH"):
        load_settings({"MOMENTUM_JWT_ALGORITHM": "RS256"})


def test_database_password_is_url_quoted():
    settings = load_settings({"MOMENTUM_DB_APP_PASSWORD": "p@ss/word"})
    assert "p%40ss%2Fword@" in settings.database.app_url("streaks")


def test_a_telemetry_key_too_short_to_sign_is_refused_at_load_not_at_the_first_session():
    with pytest.raises(SettingsError) as error:
        load_settings({"MOMENTUM_TELEMETRY_TOKEN_KEYS": "k1:" + "s" * 16, "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "k1"})
    assert "MOMENTUM_TELEMETRY_TOKEN_KEYS" in str(error.value) and "signing needs 32+" in str(error.value)
    loaded = load_settings({"MOMENTUM_TELEMETRY_TOKEN_KEYS": "k1:" + "s" * 32, "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "k1"})
    assert loaded.auth.telemetry_token_keys == {"k1": b"s" * 32}


RS256 = {"MOMENTUM_JWT_ALGORITHM": "RS256", "MOMENTUM_JWKS_PATH": "/etc/momentum/jwks.json"}


def test_the_clinic_provider_is_configured_with_its_client_and_callback(tmp_path):
    secret = tmp_path / "client-secret"
    secret.write_text("s3cret-from-a-mounted-file\n")
    settings = load_settings({
        "MOMENTUM_OIDC_ISSUER": "https://login.clinic.example/", "MOMENTUM_OIDC_CLIENT_ID": "momentum-web",
        "MOMENTUM_OIDC_REDIRECT_URL": "https://momentum.clinic.example/v1/session/oidc/callback",
        "MOMENTUM_OIDC_CLIENT_SECRET_FILE": str(secret), "MOMENTUM_SESSION_SYNC_SECONDS": "2", **RS256,
    })
    oidc = settings.browser_sessions.oidc
    assert oidc is not None and oidc.issuer == "https://login.clinic.example" and oidc.client_id == "momentum-web"
    assert oidc.client_secret == "s3cret-from-a-mounted-file" and oidc.scopes == ("openid", "profile")
    assert settings.browser_sessions.sync_interval == timedelta(seconds=2)
    assert load_settings({}).browser_sessions.oidc is None


@pytest.mark.parametrize("env, named", [
    ({"MOMENTUM_OIDC_ISSUER": "https://login.clinic.example"}, "MOMENTUM_OIDC_CLIENT_ID"),
    ({"MOMENTUM_OIDC_ISSUER": "login.clinic.example", "MOMENTUM_OIDC_CLIENT_ID": "c",
      "MOMENTUM_OIDC_REDIRECT_URL": "https://m.example/cb"}, "MOMENTUM_OIDC_ISSUER"),
    ({"MOMENTUM_OIDC_ISSUER": "https://l.example", "MOMENTUM_OIDC_CLIENT_ID": "c",
      "MOMENTUM_OIDC_REDIRECT_URL": "https://m.example/cb", "MOMENTUM_OIDC_SCOPES": "profile"}, "openid"),
    ({"MOMENTUM_OIDC_ISSUER": "https://l.example", "MOMENTUM_OIDC_CLIENT_ID": "c",
      "MOMENTUM_OIDC_REDIRECT_URL": "https://m.example/cb"}, "RS256"),
    ({"MOMENTUM_SESSION_KEY": "too-short"}, "MOMENTUM_SESSION_KEY"),
    ({"MOMENTUM_SESSION_KEY_FILE": "/nonexistent/session-key"}, "MOMENTUM_SESSION_KEY_FILE"),
])
def test_a_half_configured_sign_in_is_named(env, named):
    with pytest.raises(SettingsError) as error:
        load_settings(env)
    assert named in str(error.value)


def test_production_refuses_the_local_session_key():
    with pytest.raises(SettingsError) as error:
        load_settings({"MOMENTUM_ENV": "production"})
    assert "MOMENTUM_SESSION_KEY" in str(error.value)


def test_every_secret_a_deployment_mounts_is_read_from_its_file(tmp_path):
    # deploy/ mounts each secret as a file and names it in NAME_FILE; none of them may fall back to a local default.
    values = {
        "MOMENTUM_JWT_SECRET": "jwt-secret-from-a-mounted-file-0123456789",
        "MOMENTUM_DB_OWNER_PASSWORD": "owner pass/with@symbols",
        "MOMENTUM_DB_APP_PASSWORD": "app-pass",
        "MOMENTUM_DB_PLANS_PASSWORD": "plans-pass",
        "MOMENTUM_AMQP_PASSWORD": "amqp-pass",
        "MOMENTUM_AMQP_URLS": "amqps://momentum:amqp-pass@rmq-1:5671/momentum,amqps://momentum:amqp-pass@rmq-2:5671/momentum",
        "MOMENTUM_S3_SECRET_KEY": "s3-secret",
        "MOMENTUM_TELEMETRY_TOKEN_KEYS": "k8s-1:" + "t" * 32,
    }
    env = {"MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "k8s-1"}
    for name, value in values.items():
        (tmp_path / name).write_text(value + "\n", encoding="utf-8")  # a trailing newline, as `kubectl create secret` keeps
        env[f"{name}_FILE"] = str(tmp_path / name)

    settings = load_settings(env)

    assert settings.auth.jwt_secret == values["MOMENTUM_JWT_SECRET"]
    assert settings.database.owner_password == values["MOMENTUM_DB_OWNER_PASSWORD"]
    assert settings.database.password_for("streaks") == "app-pass"
    assert settings.database.password_for("plans") == "plans-pass"
    assert settings.broker.password == "amqp-pass"
    assert settings.broker.node_urls[1] == "amqps://momentum:amqp-pass@rmq-2:5671/momentum"
    assert settings.s3.secret_key == "s3-secret"
    assert settings.auth.telemetry_token_keys == {"k8s-1": b"t" * 32}


def test_a_secret_too_short_to_sign_with_is_refused_naming_the_variable_never_its_value(tmp_path):
    (tmp_path / "keys").write_text("k8s-1:short-s3cr3t", encoding="utf-8")
    with pytest.raises(SettingsError, match="MOMENTUM_TELEMETRY_TOKEN_KEYS") as refused:
        load_settings({"MOMENTUM_TELEMETRY_TOKEN_KEYS_FILE": str(tmp_path / "keys"), "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "k8s-1"})
    # The message reaches a crash-looping pod's log: the key's id and length, not the key.
    assert "short-s3cr3t" not in str(refused.value) and "'k8s-1'" in str(refused.value)


def test_production_without_an_s3_endpoint_uses_the_sdk_s_not_the_local_one():
    local = load_settings({})
    assert local.s3.endpoint == "http://127.0.0.1:9000"
    production = {"MOMENTUM_ENV": "production", "MOMENTUM_JWT_SECRET": "p" * 40, "MOMENTUM_DB_APP_PASSWORD": "prod",
                  "MOMENTUM_SESSION_KEY": "s" * 40, "MOMENTUM_TELEMETRY_TOKEN_KEYS": "p1:" + "t" * 40,
                  "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "p1",
                  **{f"MOMENTUM_SERVICE_KEY_{c}": c.lower() * 40 for c in ("GATEWAY", "PLANS", "STREAKS", "ENTRANCES", "TELEMETRY")}}
    assert load_settings(production).s3.endpoint is None
    assert load_settings({**production, "MOMENTUM_S3_ENDPOINT": "https://s3.eu-central-1.amazonaws.com"}).s3.endpoint == (
        "https://s3.eu-central-1.amazonaws.com"
    )
