#!/usr/bin/env bash
# Simulated hosts for `make cluster-test`: Linux network namespaces on a bridge of our own (10.77.0.0/24),
# a Postgres host (two project-local clusters behind PgBouncer in transaction pooling), an S3 host, three
# clustered RabbitMQ nodes, two application hosts and an edge host with the gateway.
#   cluster.sh test     clean stale hosts, build them, run tests/cluster/scenario.py, tear down (always)
#   cluster.sh up|down  build or tear down only; cluster.sh kill-rabbit N|start-rabbit N|kill-host H|start-app H
# Root only (ip netns). Never touches the machine's own Postgres or RabbitMQ (127.0.0.1:5432/5672): every
# node here listens on its namespace's address, with its own epmd, data directories and Erlang cookie.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${MOMENTUM_CLUSTER_STATE:-$ROOT/.run/cluster}
PY="$ROOT/.venv/bin/python"
PREFIX=mcl
BRIDGE=mclbr0
NET=10.77.0
declare -A IP=([pg]=$NET.10 [s3]=$NET.11 [rmq1]=$NET.21 [rmq2]=$NET.22 [rmq3]=$NET.23 [app1]=$NET.31 [app2]=$NET.32 [edge]=$NET.40)
HOSTS="pg s3 rmq1 rmq2 rmq3 app1 app2 edge"
SERVICES="plans streaks entrances telemetry"
declare -A GRPC_PORT=([plans]=50051 [streaks]=50052 [entrances]=50053 [telemetry]=50054)
AMQP_USER=momentum; AMQP_PASSWORD=momentum-cluster
RMQ_BIN=/usr/lib/rabbitmq/bin
log() { echo "[cluster] $(date +%H:%M:%S) $*" >&2; }
in_ns() { local host=$1; shift; ip netns exec "$PREFIX-$host" "$@"; }

# ---------------------------------------------------------------- hosts
clean() {
  # An earlier run killed mid-way leaves namespaces and processes: kill what runs in ours, then delete them.
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  done
  sleep 0.5
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-" || true); do ip netns del "$ns" || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
}

hosts_up() {
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local h
  for h in $HOSTS; do
    ip netns add "$PREFIX-$h"
    ip link add "$PREFIX-$h-h" type veth peer name "$PREFIX-$h-n"
    ip link set "$PREFIX-$h-n" netns "$PREFIX-$h"
    ip link set "$PREFIX-$h-h" master "$BRIDGE" up
    in_ns "$h" ip addr add "${IP[$h]}/24" dev "$PREFIX-$h-n"
    in_ns "$h" ip link set "$PREFIX-$h-n" up
    in_ns "$h" ip link set lo up
  done
  log "hosts on $BRIDGE: $(for h in $HOSTS; do printf '%s=%s ' "$h" "${IP[$h]}"; done)"
}

wait_tcp() {  # host port seconds
  local i; for i in $(seq 1 $(( $3 * 5 ))); do
    python3 "$ROOT/infra/probe.py" tcp "$1" "$2" >/dev/null 2>&1 && return 0; sleep 0.2
  done
  log "nothing answers on $1:$2 after $3 s"; return 1
}

# ---------------------------------------------------------------- Postgres host
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

pg_cluster() {  # name port database
  local dir="$STATE/$1" bin; bin=$(pg_bin)
  mkdir -p "$dir/sock"; chown -R postgres "$dir"; chmod 700 "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$dir/initdb.log"
  echo "host all all $NET.0/24 scram-sha-256" >> "$dir/data/pg_hba.conf"
  in_ns pg runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $2 -k $dir/sock -c listen_addresses=${IP[pg]},127.0.0.1 -c max_connections=120 -c fsync=off -c synchronous_commit=off" start >/dev/null
  # The superuser's password is for the scenario's probes over the bridge (the socket stays trust).
  local sql="ALTER ROLE postgres PASSWORD 'momentum-cluster-admin'; CREATE ROLE momentum_owner LOGIN CREATEDB PASSWORD 'momentum-local-owner';"
  local s; for s in $SERVICES; do
    sql+="CREATE ROLE momentum_$s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD 'momentum-local-app';"
  done
  in_ns pg runuser -u postgres -- psql -w -h "$dir/sock" -p "$2" -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "$sql" >/dev/null
  in_ns pg runuser -u postgres -- psql -w -h "$dir/sock" -p "$2" -U postgres -d postgres -qc "CREATE DATABASE $3 OWNER momentum_owner" >/dev/null
  log "Postgres cluster $1 on ${IP[pg]}:$2 (database $3)"
}

pgbouncer_up() {
  local dir="$STATE/pgbouncer"; mkdir -p "$dir"
  local users="" s
  for s in owner $SERVICES; do
    local pw=momentum-local-app; [ "$s" = owner ] && pw=momentum-local-owner
    users+="\"momentum_$s\" \"$pw\""$'\n'
  done
  printf '%s' "$users" > "$dir/userlist.txt"
  # Transaction pooling: a server connection is lent for one transaction. The tenant setting is
  # transaction-local (set_config(..., true)), so nothing of one clinic's session reaches the next.
  cat > "$dir/pgbouncer.ini" <<EOF
[databases]
momentum = host=127.0.0.1 port=5432 dbname=momentum
momentum_telemetry = host=127.0.0.1 port=5433 dbname=momentum_telemetry
[pgbouncer]
listen_addr = ${IP[pg]}
listen_port = 6432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
server_reset_query = DEALLOCATE ALL
server_reset_query_always = 1
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  chown -R postgres "$dir"
  in_ns pg runuser -u postgres -- pgbouncer -d "$dir/pgbouncer.ini"
  wait_tcp "${IP[pg]}" 6432 20
  log "PgBouncer (transaction pooling) on ${IP[pg]}:6432"
}

# ---------------------------------------------------------------- S3 host
s3_up() {
  in_ns s3 setsid "$ROOT/.venv/bin/moto_server" -H "${IP[s3]}" -p 9000 >"$STATE/s3.log" 2>&1 < /dev/null &
  wait_tcp "${IP[s3]}" 9000 30
  log "S3 (moto) on ${IP[s3]}:9000"
}

# ---------------------------------------------------------------- RabbitMQ hosts
rabbit_env() {  # n
  local dir="$STATE/rmq$1"
  echo "HOME=$dir RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf RABBITMQ_USE_LONGNAME=true" \
       "RABBITMQ_NODENAME=rabbit@${IP[rmq$1]} RABBITMQ_NODE_IP_ADDRESS=${IP[rmq$1]} RABBITMQ_NODE_PORT=5672" \
       "RABBITMQ_DIST_PORT=25672 RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log" \
       "RABBITMQ_CONFIG_FILE=$dir/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_PID_FILE=$dir/pid"
}

rabbitmqctl_on() {  # n args...
  local n=$1; shift
  # shellcheck disable=SC2046
  in_ns "rmq$n" env $(rabbit_env "$n") "$RMQ_BIN/rabbitmqctl" -q -n "rabbit@${IP[rmq$n]}" "$@"
}

start_rabbit() {  # n
  local dir="$STATE/rmq$1"
  mkdir -p "$dir/log" "$dir/mnesia"
  [ -f "$dir/.erlang.cookie" ] || { cp "$STATE/erlang.cookie" "$dir/.erlang.cookie"; chmod 400 "$dir/.erlang.cookie"; }
  : > "$dir/rabbitmq-env.conf"
  echo "[]." > "$dir/enabled_plugins"
  # Peers from the configuration (the first node forms the cluster, the others join it as they boot) and the
  # user and vhost made on first boot: no CLI round trips, which take seconds each on a busy machine.
  cat > "$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 5672
loopback_users = none
log.console = false
log.file.level = warning
default_user = $AMQP_USER
default_pass = $AMQP_PASSWORD
default_vhost = momentum
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
cluster_formation.peer_discovery_backend = classic_config
cluster_formation.classic_config.nodes.1 = rabbit@${IP[rmq1]}
cluster_formation.classic_config.nodes.2 = rabbit@${IP[rmq2]}
cluster_formation.classic_config.nodes.3 = rabbit@${IP[rmq3]}
EOF
  # shellcheck disable=SC2046
  in_ns "rmq$1" env $(rabbit_env "$1") setsid "$RMQ_BIN/rabbitmq-server" >"$dir/server.out" 2>&1 < /dev/null &
  wait_amqp "$1" 180
}

wait_amqp() {  # n seconds: the node takes a login on the momentum vhost (it has booted and joined)
  local i; for i in $(seq 1 $(( $2 * 2 ))); do
    "$PY" "$ROOT/infra/probe.py" amqp "amqp://$AMQP_USER:$AMQP_PASSWORD@${IP[rmq$1]}:5672/momentum" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "rmq$1 takes no AMQP login after $2 s"; return 1
}

rabbits_up() {
  mkdir -p "$STATE"
  od -An -N20 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F > "$STATE/erlang.cookie"
  # The first node alone forms the cluster (and its user and vhost); the other two then join it as they boot.
  start_rabbit 1
  local pids="" n
  for n in 2 3; do start_rabbit "$n" & pids+="$! "; done
  # shellcheck disable=SC2086
  wait $pids  # only these: the S3 server is a background job of this shell too
  log "RabbitMQ cluster: $(rabbitmqctl_on 1 cluster_status --formatter json | "$PY" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["running_nodes"]))')"
}

kill_rabbit() {  # n: kill -9 its beam (the Erlang VM), nothing graceful
  local pid; pid=$(cat "$STATE/rmq$1/pid" 2>/dev/null || true)
  [ -n "$pid" ] || pid=$(ip netns pids "$PREFIX-rmq$1" | while read -r p; do grep -q beam "/proc/$p/comm" 2>/dev/null && echo "$p"; done | head -1)
  kill -9 "$pid"
  log "killed the beam of rmq$1 (pid $pid)"
}

# ---------------------------------------------------------------- application and edge hosts
amqp_urls() {  # host index: each host starts at a different node
  local first=$1 urls="" i n
  for i in 0 1 2; do n=$(( (first + i) % 3 + 1 )); urls+="amqp://$AMQP_USER:$AMQP_PASSWORD@${IP[rmq$n]}:5672/momentum,"; done
  echo "${urls%,}"
}

common_env() {  # host-index
  local s targets=""
  echo "MOMENTUM_ENV=test MOMENTUM_LOG_FORMAT=json MOMENTUM_LOG_LEVEL=INFO PYTHONUNBUFFERED=1 PYTHONPATH=$ROOT:$ROOT/protos"
  echo "MOMENTUM_DB_HOST=${IP[pg]} MOMENTUM_DB_PORT=6432 MOMENTUM_DB_NAME=momentum MOMENTUM_DB_TRANSACTION_POOLER=true"
  echo "MOMENTUM_DB_TELEMETRY_NAME=momentum_telemetry MOMENTUM_DB_POOL_SIZE=3 MOMENTUM_DB_TELEMETRY_POOL_SIZE=4"
  echo "MOMENTUM_AMQP_URLS=$(amqp_urls "$1") MOMENTUM_S3_ENDPOINT=http://${IP[s3]}:9000"
  echo "MOMENTUM_OUTBOX_POLL_SECONDS=0.2 ENTRANCE_FINALIZE_DELAY=2 ENTRANCE_SWEEP_INTERVAL=1 ENTRANCE_SWEEP_GRACE=1"
  echo "MOMENTUM_FLAG_CACHE_SECONDS=0.5 MOMENTUM_TELEMETRY_SILENCE_SECONDS=4 MOMENTUM_AMQP_RETRY_LADDER=1,2,5"
  for s in plans streaks entrances; do
    echo "MOMENTUM_$(echo $s | tr a-z A-Z)_TARGETS=${IP[app1]}:${GRPC_PORT[$s]},${IP[app2]}:${GRPC_PORT[$s]} MOMENTUM_$(echo $s | tr a-z A-Z)_INSTANCES=2"
  done
  echo "MOMENTUM_TELEMETRY_TARGETS=${IP[app1]}:${GRPC_PORT[telemetry]},${IP[app2]}:${GRPC_PORT[telemetry]} MOMENTUM_TELEMETRY_INSTANCES=2"
}

start_app() {  # app1|app2: one instance of every service
  local host=$1 index=${1#app} s
  mkdir -p "$STATE/logs"
  for s in $SERVICES; do
    # shellcheck disable=SC2046
    in_ns "$host" env $(common_env "$index") "MOMENTUM_$(echo $s | tr a-z A-Z)_GRPC_LISTEN=${IP[$host]}:${GRPC_PORT[$s]}" \
      setsid "$PY" -m "services.$s" >>"$STATE/logs/$host-$s.log" 2>&1 < /dev/null &
  done
  for s in $SERVICES; do wait_tcp "${IP[$host]}" "${GRPC_PORT[$s]}" 60; done
  log "$host: $SERVICES listening on ${IP[$host]}"
}

start_edge() {
  # shellcheck disable=SC2046
  in_ns edge env $(common_env 0) MOMENTUM_GATEWAY_HOST="${IP[edge]}" MOMENTUM_GATEWAY_PORT=8080 \
    setsid "$PY" -m services.gateway >>"$STATE/logs/edge-gateway.log" 2>&1 < /dev/null &
  wait_tcp "${IP[edge]}" 8080 60
  log "edge: gateway on http://${IP[edge]}:8080"
}

kill_host() {  # every process of one host, at once, with SIGKILL
  local pids; pids=$(ip netns pids "$PREFIX-$1" | tr '\n' ' ')
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -9 $pids
  log "killed every process of $1: $pids"
}

migrate() {
  # Migrations speak to the servers directly (DDL and Alembic's session-level work stay off the pooler).
  # shellcheck disable=SC2046
  env $(common_env 0) MOMENTUM_DB_PORT=5432 MOMENTUM_DB_TELEMETRY_PORT=5433 MOMENTUM_DB_TRANSACTION_POOLER=false \
    "$ROOT/.venv/bin/momentum" migrate >/dev/null
  log "migrated (plans, streaks, entrances on :5432; telemetry on its own cluster :5433); replay bucket set up"
}

up() {
  clean
  rm -rf "$STATE"; mkdir -p "$STATE"
  hosts_up
  pg_cluster pg-main 5432 momentum
  pg_cluster pg-telemetry 5433 momentum_telemetry
  pgbouncer_up
  s3_up
  rabbits_up
  migrate
}

env_file() {  # what the scenario needs to reach and drive the hosts
  {
    common_env 0 | tr ' ' '\n'
    echo "MOMENTUM_CLUSTER_GATEWAY=http://${IP[edge]}:8080"
    echo "MOMENTUM_CLUSTER_PG=${IP[pg]}"
    echo "MOMENTUM_CLUSTER_STATE=$STATE"
    echo "MOMENTUM_CLUSTER_SCRIPT=$ROOT/infra/cluster.sh"
  } > "$STATE/cluster.env"
}

case "${1:-}" in
  up) up; env_file ;;
  env) env_file ;;
  down) clean; log "torn down" ;;
  kill-rabbit) kill_rabbit "$2" ;;
  start-rabbit) start_rabbit "$2"; log "rmq$2 back: $(rabbitmqctl_on "$2" cluster_status --formatter json | "$PY" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["running_nodes"]))')" ;;
  kill-host) kill_host "$2" ;;
  queues) rabbitmqctl_on "${2:-1}" list_queues -p momentum name messages consumers type --formatter json ;;
  running-nodes) rabbitmqctl_on "$2" cluster_status --formatter json | "$PY" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["running_nodes"]))' ;;
  start-app) start_app "$2" ;;
  start-edge) start_edge ;;
  test)
    [ "$(id -u)" = 0 ] || { echo "cluster.sh test needs root (ip netns)" >&2; exit 2; }
    command -v pgbouncer >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
    trap 'status=$?; clean; log "torn down"; exit $status' EXIT
    trap 'exit 130' INT TERM
    up; env_file
    set -a; source "$STATE/cluster.env"; set +a
    cd "$ROOT" && timeout "${MOMENTUM_CLUSTER_TIMEOUT:-420}" "$PY" -m tests.cluster.scenario
    ;;
  *) echo "usage: $0 test|up|down|kill-rabbit N|start-rabbit N|kill-host HOST|start-app HOST|start-edge" >&2; exit 2 ;;
esac
