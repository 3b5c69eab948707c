"""Settings for running beyond one machine: per-service listen and target addresses, broker nodes, database
servers and pools, TLS options; the old single-host variables stay the defaults."""

from __future__ import annotations

import ssl

import pytest

from services.common.db import driver_options, planned_connections
from services.common.grpc_transport import service_config
from services.common.settings import SettingsError, load_settings


def test_without_new_variables_every_service_listens_and_is_dialled_on_the_one_grpc_host():
    settings = load_settings({"MOMENTUM_GRPC_HOST": "10.1.2.3", "MOMENTUM_STREAKS_GRPC_PORT": "6000"})
    assert settings.grpc_listen_address("streaks") == "10.1.2.3:6000"
    assert settings.grpc_target("streaks") == "10.1.2.3:6000"
    assert settings.grpc_target("plans") == "10.1.2.3:50051"


def test_each_service_has_its_own_listen_address_and_target_list():
    settings = load_settings({
        "MOMENTUM_PLANS_GRPC_LISTEN": "0.0.0.0:7001",
        "MOMENTUM_PLANS_TARGETS": "10.0.0.1:7001, 10.0.0.2:7001",
        "MOMENTUM_STREAKS_TARGETS": "dns:///streaks.clinic.internal:7002",
        "MOMENTUM_ENTRANCES_TARGETS": "entrances.internal:7003",
    })
    assert settings.grpc_listen_address("plans") == "0.0.0.0:7001"
    # A test's free port replaces the configured one, on the configured interface.
    assert settings.grpc_listen_address("plans", 9999) == "0.0.0.0:9999"
    assert settings.grpc_target("plans") == "ipv4:10.0.0.1:7001,10.0.0.2:7001"
    assert settings.grpc_target("streaks") == "dns:///streaks.clinic.internal:7002"
    assert settings.grpc_target("entrances") == "entrances.internal:7003"
    # Telemetry's list is the gateway's session ring; calls of no session round-robin over it.
    ring = load_settings({"MOMENTUM_TELEMETRY_TARGETS": "10.0.0.2:7004,10.0.0.1:7004"})
    assert ring.telemetry_targets == ("10.0.0.1:7004", "10.0.0.2:7004")
    assert ring.grpc_target("telemetry") == "ipv4:10.0.0.1:7004,10.0.0.2:7004"


def test_a_ring_of_named_instances_dials_any_instance_through_its_own_target_for_calls_of_no_session():
    # A StatefulSet's pods are named, not addressed: the ring keeps the names, health and reads go to any instance.
    names = "telemetry-1.telemetry.momentum.svc.cluster.local:50054,telemetry-0.telemetry.momentum.svc.cluster.local:50054"
    settings = load_settings(
        {"MOMENTUM_TELEMETRY_TARGETS": names, "MOMENTUM_TELEMETRY_ANY_INSTANCE_TARGET": "dns:///telemetry:50054"}
    )
    assert settings.telemetry_targets[0] == "telemetry-0.telemetry.momentum.svc.cluster.local:50054"
    assert settings.grpc_target("telemetry") == "dns:///telemetry:50054"


def test_a_ring_of_named_instances_without_a_target_for_any_instance_is_refused_at_load():
    # Before: load passed and the gateway died at start-up building its telemetry channel from the names.
    with pytest.raises(SettingsError, match="MOMENTUM_TELEMETRY_ANY_INSTANCE_TARGET"):
        load_settings({"MOMENTUM_TELEMETRY_TARGETS": "telemetry-0.telemetry:50054,telemetry-1.telemetry:50054"})


@pytest.mark.parametrize(
    "name, value, says",
    [
        ("MOMENTUM_PLANS_TARGETS", "a.internal:1,b.internal:1", "dns:///"),
        ("MOMENTUM_PLANS_TARGETS", "10.0.0.1", "host:port"),
        ("MOMENTUM_STREAKS_GRPC_LISTEN", "0.0.0.0", "host:port"),
        ("MOMENTUM_AMQP_URLS", "http://node1:5672/", "amqp"),
        ("MOMENTUM_DB_SSLMODE", "sometimes", "MOMENTUM_DB_SSLMODE"),
        ("MOMENTUM_DB_PLANS_POOL_SIZE", "0", "MOMENTUM_DB_PLANS_POOL_SIZE"),
    ],
)
def test_a_malformed_address_is_refused_naming_the_variable(name, value, says):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value})
    assert name in str(error.value) and says in str(error.value)


def test_round_robin_with_retries_on_unavailable_and_health_checks_only_over_several_addresses():
    import json

    several = json.loads(service_config("ipv4:10.0.0.1:7001,10.0.0.2:7001"))
    assert several["loadBalancingConfig"] == [{"round_robin": {}}]
    assert several["methodConfig"][0]["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert several["healthCheckConfig"] == {"serviceName": ""}
    assert "healthCheckConfig" in json.loads(service_config("dns:///plans.internal:7001"))
    # One address: a NOT_SERVING lone instance (its broker away) must still answer reads.
    assert "healthCheckConfig" not in json.loads(service_config("127.0.0.1:50051"))


def test_broker_nodes_are_a_list_and_amqps_nodes_carry_the_ca():
    settings = load_settings({
        "MOMENTUM_AMQP_URLS": "amqps://u:p@n1:5671/momentum,amqps://u:p@n2:5671/momentum,amqp://u:p@n3:5672/momentum",
        "MOMENTUM_AMQP_CA": "/etc/momentum/ca.pem",
    })
    nodes = settings.broker.node_urls
    assert len(nodes) == 3 and settings.broker.url == nodes[0]
    assert nodes[0].endswith("?cafile=%2Fetc%2Fmomentum%2Fca.pem") and nodes[2].endswith("/momentum")
    single = load_settings({"MOMENTUM_AMQP_HOST": "rabbit", "MOMENTUM_AMQP_VHOST": "v"}).broker
    assert single.node_urls == ("amqp://guest:guest@rabbit:5672/v",)


def test_each_service_may_have_its_own_database_server_and_pool():
    settings = load_settings({
        "MOMENTUM_DB_HOST": "pg-main", "MOMENTUM_DB_POOL_SIZE": "4",
        "MOMENTUM_DB_TELEMETRY_HOST": "pg-telemetry", "MOMENTUM_DB_TELEMETRY_POOL_SIZE": "20",
        "MOMENTUM_PLANS_INSTANCES": "3", "MOMENTUM_STREAKS_INSTANCES": "2",
    })
    db = settings.database
    assert "@pg-main:5432/momentum" in db.app_url("plans")
    assert "@pg-telemetry:5432/momentum" in db.app_url("telemetry")
    assert "@pg-telemetry:5432/" in db.owner_url("telemetry") and "@pg-main:5432/" in db.owner_url()
    # pg-main serves plans x3, streaks x2 and entrances x1, each pool plus its overflow of 4.
    assert planned_connections(db, "plans") == (3 + 2 + 1) * 2 * 4
    assert planned_connections(db, "telemetry") == 1 * 2 * 20


def test_through_a_transaction_pooler_no_statement_is_cached_and_every_name_is_unique():
    options = driver_options(load_settings({"MOMENTUM_DB_TRANSACTION_POOLER": "true"}).database)
    assert options["statement_cache_size"] == 0 and options["prepared_statement_cache_size"] == 0
    name = options["prepared_statement_name_func"]
    assert name() != name()
    assert driver_options(load_settings({}).database) == {}


def test_database_tls_modes(tmp_path):
    assert driver_options(load_settings({"MOMENTUM_DB_SSLMODE": "require"}).database)["ssl"] == "require"
    with pytest.raises(SettingsError, match="MOMENTUM_DB_SSLROOTCERT"):
        load_settings({"MOMENTUM_DB_SSLMODE": "verify-full"})
    from tests.unit.scaling.certs import write_ca_and_leaf

    ca, _, _ = write_ca_and_leaf(tmp_path, "db.internal")
    context = driver_options(
        load_settings({"MOMENTUM_DB_SSLMODE": "verify-full", "MOMENTUM_DB_SSLROOTCERT": str(ca)}).database
    )["ssl"]
    assert isinstance(context, ssl.SSLContext) and context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_grpc_tls_options_go_together():
    with pytest.raises(SettingsError, match="MOMENTUM_GRPC_TLS_KEY"):
        load_settings({"MOMENTUM_GRPC_TLS_CERT": "/x.pem"})
    with pytest.raises(SettingsError, match="MOMENTUM_GRPC_TLS_CLIENT_CA"):
        load_settings({"MOMENTUM_GRPC_TLS_CLIENT_CA": "/ca.pem"})


def test_production_without_s3_keys_uses_the_credential_chain():
    local = load_settings({}).s3
    assert local.access_key and local.secret_key  # the local S3 server's keys
    from services.common.settings import CALLERS

    production = load_settings({
        "MOMENTUM_ENV": "production", "MOMENTUM_JWT_SECRET": "prod-" + "j" * 40, "MOMENTUM_DB_APP_PASSWORD": "prod-app",
        "MOMENTUM_TELEMETRY_TOKEN_KEYS": "p1:" + "t" * 40, "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY": "p1",
        **{f"MOMENTUM_SERVICE_KEY_{caller.upper()}": f"prod-{caller}-" + "k" * 40 for caller in CALLERS},
        "MOMENTUM_SESSION_KEY": "prod-session-" + "s" * 40,
    }).s3
    assert production.access_key is None and production.secret_key is None
