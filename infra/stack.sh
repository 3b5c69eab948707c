#!/usr/bin/env bash
# Installs (when missing) and starts Postgres, RabbitMQ and a local S3 endpoint for Momentum.
# Safe to run twice. Writes the addresses it settled on to .run/stack.env; remembers in
# .run/started/ what it started itself, so `stop` stops only that.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/.run"; LOCAL="$ROOT/.local"
PY="$ROOT/.venv/bin/python"
mkdir -p "$RUN/logs" "$RUN/started" "$LOCAL"

PG_PORT_LOCAL=${MOMENTUM_LOCAL_PG_PORT:-54329}
S3_PORT=${MOMENTUM_S3_PORT:-9000}
AMQP_PORT=${MOMENTUM_AMQP_PORT:-5672}
OWNER_PASSWORD=${MOMENTUM_DB_OWNER_PASSWORD:-momentum-local-owner}
APP_PASSWORD=${MOMENTUM_DB_APP_PASSWORD:-momentum-local-app}
SERVICES="plans streaks entrances telemetry"
SERVICE_ROLES="momentum_plans momentum_streaks momentum_entrances momentum_telemetry"
CALLERS="gateway $SERVICES"
SECRETS="$RUN/secrets"

# One secret per name, made once and kept in .run/secrets/<name> (mode 600): the environment wins,
# then the kept file, else a new random one. Reruns keep the same values, so nothing running breaks.
secret() {
  local name=$1 value
  value=$(printenv "$name" || true)
  if [ -z "$value" ]; then
    if [ ! -s "$SECRETS/$name" ]; then
      (umask 077; mkdir -p "$SECRETS"; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$SECRETS/$name")
    fi
    value=$(cat "$SECRETS/$name")
  fi
  printf '%s' "$value"
}
upper() { printf '%s' "$1" | tr '[:lower:]' '[:upper:]'; }
db_password_var() { echo "MOMENTUM_DB_$(upper "$1")_PASSWORD"; }
service_key_var() { echo "MOMENTUM_SERVICE_KEY_$(upper "$1")"; }

log() { echo "[stack] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_ready=""
apt_install() {
  if [ -z "$apt_ready" ]; then as_root apt-get update -qq; apt_ready=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ---------------------------------------------------------------- Postgres
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

ensure_postgres() {
  if [ -z "$(pg_bin)" ] || ! command -v psql >/dev/null; then
    log "installing PostgreSQL from Debian packages"; apt_install postgresql postgresql-client
  fi
  local host=127.0.0.1
  # The default cluster is used only when its superuser gets in over TCP without a password.
  # MOMENTUM_PG_LOCAL=1 forces the project-local cluster (how CI proves that path still works).
  if [ "${MOMENTUM_PG_LOCAL:-0}" != 1 ] && PGCONNECT_TIMEOUT=3 psql -w -h "$host" -p 5432 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    PG_PORT=5432; PG_ADMIN="host=$host port=5432 user=postgres dbname=postgres"
    log "using the PostgreSQL already running on $host:5432"
  else
    PG_PORT=$PG_PORT_LOCAL; start_local_postgres
    # The superuser comes in over the socket; TCP asks every role for its password.
    PG_ADMIN="host=$LOCAL/pgsock port=$PG_PORT user=postgres dbname=postgres"
  fi
  provision_postgres
}

start_local_postgres() {
  local data="$LOCAL/pgdata" bin; bin=$(pg_bin)
  local owner=postgres; [ "$(id -u)" = 0 ] || owner=$(id -un)
  run_as() { if [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi; }
  if [ ! -s "$data/PG_VERSION" ]; then
    log "initialising a project-local PostgreSQL cluster in $data"
    mkdir -p "$data"; chown "$owner" "$data" "$LOCAL" 2>/dev/null || true; chmod 700 "$data"
    run_as "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$RUN/logs/initdb.log"
  fi
  if run_as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "project-local PostgreSQL already running on 127.0.0.1:$PG_PORT"; return
  fi
  mkdir -p "$LOCAL/pgsock"; chown "$owner" "$LOCAL/pgsock" 2>/dev/null || true
  touch "$RUN/logs/postgres.log"; chown "$owner" "$RUN/logs/postgres.log" 2>/dev/null || true
  run_as "$bin/pg_ctl" -D "$data" -l "$RUN/logs/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $LOCAL/pgsock -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  echo "$data" > "$RUN/started/postgres"
  log "started project-local PostgreSQL on 127.0.0.1:$PG_PORT"
}

provision_postgres() {
  local sql="" service role password
  sql+="DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='momentum_owner') THEN
    CREATE ROLE momentum_owner LOGIN CREATEDB PASSWORD '$OWNER_PASSWORD';
  END IF;"
  # Each service role gets its own password (created, or updated when an older stack shared one):
  # a leaked streaks password does not open plans' data.
  for service in $SERVICES; do
    role="momentum_$service"; password=$(secret "$(db_password_var "$service")")
    sql+="
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$role') THEN
    CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '$password';
  ELSE
    ALTER ROLE $role PASSWORD '$password';
  END IF;"
  done
  sql+="
END \$\$;"
  psql -w "$PG_ADMIN" -v ON_ERROR_STOP=1 -qc "$sql" >/dev/null
  if [ "$(psql -w "$PG_ADMIN" -Atqc "select 1 from pg_database where datname='momentum'")" != 1 ]; then
    psql -w "$PG_ADMIN" -qc "CREATE DATABASE momentum OWNER momentum_owner" >/dev/null
  fi
}

# ---------------------------------------------------------------- RabbitMQ
amqp_up() {
  # Without the project's venv (stack.sh run by hand before `make venv`) a TCP answer has to do.
  if [ -x "$PY" ]; then "$PY" "$ROOT/infra/probe.py" amqp "amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
  else python3 "$ROOT/infra/probe.py" tcp 127.0.0.1 "$AMQP_PORT"; fi
}
wait_amqp() { local i; for i in $(seq 1 "$1"); do amqp_up && return 0; sleep 1; done; return 1; }

start_rabbitmq_node() {
  # The machine's own service script when there is one (it runs the node as the rabbitmq user, with
  # the machine's configuration); otherwise a detached node bound to loopback.
  if [ -x /etc/init.d/rabbitmq-server ] && [ "$AMQP_PORT" = 5672 ]; then
    as_root /etc/init.d/rabbitmq-server start >/dev/null 2>&1 || true
  else
    # Bind AMQP, clustering and epmd to loopback: nothing of ours listens on other interfaces.
    as_root env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$AMQP_PORT" \
      ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=25672 \
      RABBITMQ_SERVER_START_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
      rabbitmq-server -detached >/dev/null 2>&1 || true
  fi
}

ensure_rabbitmq() {
  if amqp_up; then
    log "using the RabbitMQ already running on 127.0.0.1:$AMQP_PORT"
  else
    if ! command -v rabbitmq-server >/dev/null; then
      log "installing RabbitMQ from Debian packages"; apt_install rabbitmq-server
    fi
    if ! amqp_up; then
      # A node that runs with its application stopped (a broker-restart test killed midway, an
      # operator's stop_app) refuses AMQP but must not be started twice: start its application.
      if as_root rabbitmqctl -q ping >/dev/null 2>&1; then
        log "RabbitMQ node is running with its application stopped: starting the application"
        as_root timeout 120 rabbitmqctl -q start_app >/dev/null 2>&1 || true
      else
        log "starting RabbitMQ"
        start_rabbitmq_node
        echo rabbitmq > "$RUN/started/rabbitmq"
      fi
      if ! wait_amqp 90; then
        # Wedged (the node answers nothing useful): stop it and start it once more.
        log "RabbitMQ did not answer in 90 s: restarting the node once"
        as_root timeout 60 rabbitmqctl -q stop >/dev/null 2>&1 || true
        sleep 2; start_rabbitmq_node
        wait_amqp 120 || {
          log "RabbitMQ did not come up"
          tail -n 30 /var/log/rabbitmq/*.log 2>/dev/null | sed 's/^/[stack]   /' >&2 || true
          exit 1
        }
      fi
    fi
  fi
  local vhost
  for vhost in momentum momentum_test; do
    as_root rabbitmqctl -q add_vhost "$vhost" >/dev/null 2>&1 || true
    as_root rabbitmqctl -q set_permissions -p "$vhost" guest ".*" ".*" ".*" >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------- S3 (moto server)
ensure_s3() {
  if "$PY" "$ROOT/infra/probe.py" http "http://127.0.0.1:$S3_PORT/"; then
    log "using the S3 endpoint already answering on 127.0.0.1:$S3_PORT"; return
  fi
  log "starting moto's S3 server on 127.0.0.1:$S3_PORT"
  nohup "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$RUN/logs/s3.log" 2>&1 &
  echo $! > "$RUN/started/s3"
  local i; for i in $(seq 1 60); do
    "$PY" "$ROOT/infra/probe.py" http "http://127.0.0.1:$S3_PORT/" && return; sleep 0.5
  done
  log "the S3 endpoint did not come up (see $RUN/logs/s3.log)"; exit 1
}

write_env() {
  # The file holds passwords and keys: readable by this user only.
  touch "$RUN/stack.env"; chmod 600 "$RUN/stack.env"
  cat > "$RUN/stack.env" <<ENV
export MOMENTUM_DB_HOST=127.0.0.1
export MOMENTUM_DB_PORT=$PG_PORT
export MOMENTUM_DB_OWNER_PASSWORD=$OWNER_PASSWORD
export MOMENTUM_DB_APP_PASSWORD=$APP_PASSWORD
export MOMENTUM_DB_ADMIN_DSN="$PG_ADMIN"
export MOMENTUM_AMQP_HOST=127.0.0.1
export MOMENTUM_AMQP_PORT=$AMQP_PORT
export MOMENTUM_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
ENV
  local service caller
  for service in $SERVICES; do
    echo "export $(db_password_var "$service")=$(secret "$(db_password_var "$service")")" >> "$RUN/stack.env"
  done
  for caller in $CALLERS; do
    echo "export $(service_key_var "$caller")=$(secret "$(service_key_var "$caller")")" >> "$RUN/stack.env"
  done
  # Seals browser session cookies; every gateway of this stack reads the same one.
  echo "export MOMENTUM_SESSION_KEY=$(secret MOMENTUM_SESSION_KEY)" >> "$RUN/stack.env"
}

# MOMENTUM_STACK_KEEP="s3 rabbitmq postgres" (any of them) leaves those running: `make test` passes what was
# already started before it, so it stops only what it started itself.
keep() { [[ " ${MOMENTUM_STACK_KEEP:-} " == *" $1 "* ]]; }

stop() {
  if [ -f "$RUN/started/s3" ] && ! keep s3; then kill "$(cat "$RUN/started/s3")" 2>/dev/null || true; rm -f "$RUN/started/s3"; log "stopped S3"; fi
  if [ -f "$RUN/started/rabbitmq" ] && ! keep rabbitmq; then as_root rabbitmqctl -q stop >/dev/null 2>&1 || true; rm -f "$RUN/started/rabbitmq"; log "stopped RabbitMQ"; fi
  if [ -f "$RUN/started/postgres" ] && ! keep postgres; then
    local owner=postgres; [ "$(id -u)" = 0 ] || owner=$(id -un)
    if [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$(pg_bin)/pg_ctl" -D "$(cat "$RUN/started/postgres")" stop -m fast >/dev/null || true
    else "$(pg_bin)/pg_ctl" -D "$(cat "$RUN/started/postgres")" stop -m fast >/dev/null || true; fi
    rm -f "$RUN/started/postgres"; log "stopped project-local PostgreSQL"
  fi
}

case "${1:-up}" in
  up) ensure_postgres; ensure_rabbitmq; ensure_s3; write_env; log "stack ready (.run/stack.env)";;
  down) stop;;
  # Roles and passwords only, against MOMENTUM_DB_ADMIN_DSN (tests prove the passwords on a throwaway cluster).
  provision) PG_ADMIN=${MOMENTUM_DB_ADMIN_DSN:?MOMENTUM_DB_ADMIN_DSN names the cluster}; provision_postgres
    for service in $SERVICES; do echo "$(db_password_var "$service")=$(secret "$(db_password_var "$service")")"; done;;
  *) echo "usage: $0 up|down|provision" >&2; exit 2;;
esac
