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
