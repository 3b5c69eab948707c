"""A value that loads works where it is used: a key that loads signs, a port binds, a URL parses, an interval waits."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from services.common.service_auth import signed_headers, verify
from services.common.session_token import SessionClaims, issue_session_token, verify_session_token
from services.common.settings import SettingsError, load_settings
from services.gateway.sealed_cookie import Sealer


def problem_of(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as error:
        load_settings(env)
    return str(error.value)


def test_keys_of_the_shortest_length_that_loads_sign_and_verify():
    settings = load_settings({
        "MOMENTUM_SESSION_KEY": "s" * 32, "MOMENTUM_SERVICE_KEY_PLANS": "k" * 32,
        "MOMENTUM_TELEMETRY_TOKEN_KEYS": "k1:" + "t" * 32, "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "k1",
    })
    sealer = Sealer(settings.browser_sessions.key)
    assert sealer.open("session", sealer.seal("session", {"user": "u"}, time.time() + 60))["user"] == "u"
    headers = dict(signed_headers(settings.auth.service_keys["plans"], "plans", "streaks", "/m", {}))
    assert verify(settings.auth.service_keys, "streaks", "/m", headers).service == "plans"
    now = int(time.time())
    claims = SessionClaims("tenant", "patient", "session", "workout", "exercise", ("analytics",), now, now + 60)
    token = issue_session_token(settings.auth.telemetry_token_keys, "k1", claims)
    assert verify_session_token(settings.auth.telemetry_token_keys, token, now).session_id == "session"


@pytest.mark.parametrize("name, length", [
    ("MOMENTUM_SESSION_KEY", 31), ("MOMENTUM_SERVICE_KEY_GATEWAY", 31), ("MOMENTUM_JWT_SECRET", 31),
])
def test_a_key_shorter_than_its_algorithm_needs_is_refused(name, length):
    assert name in problem_of({name: "k" * length})


def test_key_length_is_counted_in_the_bytes_the_algorithm_gets():
    # 16 Cyrillic letters are 32 bytes of UTF-8: as strong as 32 ASCII characters, and what HMAC and AES receive.
    assert load_settings({"MOMENTUM_SERVICE_KEY_PLANS": "ключ" * 4}).auth.service_keys["plans"] == ("ключ" * 4).encode()


def test_an_hs256_secret_is_not_checked_when_tokens_are_rs256():
    settings = load_settings({"MOMENTUM_JWT_ALGORITHM": "RS256", "MOMENTUM_JWKS_PATH": "/j.json", "MOMENTUM_JWT_SECRET": "x"})
    assert settings.auth.jwt_algorithm == "RS256"


def test_a_telemetry_key_id_given_twice_is_refused_not_silently_overwritten():
    says = problem_of({"MOMENTUM_TELEMETRY_TOKEN_KEYS": "k1:" + "a" * 32 + ",k1:" + "b" * 32, "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "k1"})
    assert "MOMENTUM_TELEMETRY_TOKEN_KEYS" in says and "twice" in says


@pytest.mark.parametrize("name", [
    "MOMENTUM_DB_PORT", "MOMENTUM_AMQP_PORT", "MOMENTUM_GATEWAY_PORT", "MOMENTUM_PLANS_GRPC_PORT", "MOMENTUM_DB_TELEMETRY_PORT",
])
@pytest.mark.parametrize("port", ["0", "65536", "-1"])
def test_a_port_no_socket_can_use_is_refused(name, port):
    assert name in problem_of({name: port})


def test_the_highest_port_loads_and_a_metrics_port_of_zero_is_off():
    settings = load_settings({"MOMENTUM_GATEWAY_PORT": "65535", "MOMENTUM_PLANS_METRICS_PORT": "0"})
    assert settings.gateway_port == 65535 and settings.metrics_ports["plans"] == 0
    assert "MOMENTUM_PLANS_METRICS_PORT" in problem_of({"MOMENTUM_PLANS_METRICS_PORT": "65536"})


@pytest.mark.parametrize("name, value", [
    ("MOMENTUM_TELEMETRY_TARGETS", "10.0.0.1:7004,10.0.0.2:70040"),
    ("MOMENTUM_PLANS_TARGETS", "plans.internal:0"),
    ("MOMENTUM_STREAKS_GRPC_LISTEN", "0.0.0.0:0"),
])
def test_an_address_with_a_port_out_of_range_is_refused(name, value):
    says = problem_of({name: value})
    assert name in says and "1-65535" in says


@pytest.mark.parametrize("name, value", [
    ("MOMENTUM_S3_ENDPOINT", "127.0.0.1:9000"),
    ("MOMENTUM_S3_ENDPOINT", "http://"),
    ("MOMENTUM_OIDC_ISSUER", "https://"),
    ("MOMENTUM_CORS_ALLOW_ORIGINS", "https://"),
    ("MOMENTUM_CORS_ALLOW_ORIGINS", "https://clinic.example/app"),
    ("MOMENTUM_AMQP_URLS", "amqp://guest:guest@rabbit:99999/"),
    ("MOMENTUM_AMQP_URLS", "amqp:///momentum"),
])
def test_a_url_that_does_not_parse_to_a_host_is_refused(name, value):
    assert name in problem_of({name: value})


def test_an_amqp_url_error_names_the_node_not_its_password():
    says = problem_of({"MOMENTUM_AMQP_URLS": "amqp://momentum:s3cret-pw@rabbit:99999/"})
    assert "rabbit:99999" in says and "s3cret-pw" not in says


def test_the_redirect_url_must_be_the_gateways_callback():
    oidc = {"MOMENTUM_OIDC_ISSUER": "https://login.clinic.example", "MOMENTUM_OIDC_CLIENT_ID": "momentum-web",
            "MOMENTUM_JWT_ALGORITHM": "RS256", "MOMENTUM_JWKS_PATH": "/etc/momentum/jwks.json"}
    says = problem_of({**oidc, "MOMENTUM_OIDC_REDIRECT_URL": "https://momentum.clinic.example/callback"})
    assert "MOMENTUM_OIDC_REDIRECT_URL" in says and "/v1/session/oidc/callback" in says
    loaded = load_settings({**oidc, "MOMENTUM_OIDC_REDIRECT_URL": "https://momentum.clinic.example/v1/session/oidc/callback/"})
    assert loaded.browser_sessions.oidc.redirect_url == "https://momentum.clinic.example/v1/session/oidc/callback"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", [
    "MOMENTUM_OUTBOX_POLL_SECONDS", "ENTRANCE_SWEEP_INTERVAL", "MOMENTUM_GRPC_DEADLINE_SECONDS", "MOMENTUM_SESSION_SYNC_SECONDS",
    "MOMENTUM_SESSION_TTL_SECONDS", "MOMENTUM_TELEMETRY_TOKEN_TTL", "MOMENTUM_TELEMETRY_SILENCE_SECONDS",
])
def test_an_interval_of_zero_that_would_spin_a_loop_or_fail_every_call_is_refused(name):
    assert name in problem_of({name: "0"})


def test_a_cache_of_zero_seconds_is_no_cache():
    settings = load_settings({"MOMENTUM_FLAG_CACHE_SECONDS": "0", "MOMENTUM_IDENTITY_CACHE_SECONDS": "0"})
    assert settings.flag_cache_ttl == settings.identity_cache_ttl == timedelta(0)


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "-5"])
def test_seconds_that_are_no_duration_are_refused_not_a_traceback(value):
    assert "ENTRANCE_FINALIZE_DELAY" in problem_of({"ENTRANCE_FINALIZE_DELAY": value})


def test_s3_keys_go_together_or_not_at_all():
    production = {"MOMENTUM_ENV": "production", "MOMENTUM_S3_SECRET_KEY": "prod-s3"}
    with pytest.raises(SettingsError) as error:
        load_settings(production)
    assert ("MOMENTUM_S3_ACCESS_KEY", "MOMENTUM_S3_SECRET_KEY") in [p.variables for p in error.value.problems]


def test_the_pooler_switch_is_a_strict_boolean():
    # A typo read as false would keep the prepared-statement cache behind PgBouncer: every statement fails.
    assert "MOMENTUM_DB_TRANSACTION_POOLER" in problem_of({"MOMENTUM_DB_TRANSACTION_POOLER": "ture"})
    assert load_settings({"MOMENTUM_DB_TRANSACTION_POOLER": "yes"}).database.transaction_pooler


def test_a_grpc_tls_file_that_cannot_be_read_is_refused_at_load_not_when_the_first_channel_opens(tmp_path: Path):
    missing = str(tmp_path / "missing.pem")
    says = problem_of({"MOMENTUM_GRPC_TLS_CA": missing})
    assert "MOMENTUM_GRPC_TLS_CA" in says and "readable" in says
