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
