#!/usr/bin/env bash
# The image's recipe, run for real. replay_build_stage.py replays the Dockerfile's build and web stages here: their
# COPYs into a scratch context and their RUNs (deploy/build-venv.sh from PyPI by hashes; npm ci, npm run build) build
# a venv at $1 and the web app. That venv alone, from a directory outside the tree, migrates a scratch database, sets up a scratch bucket, runs the four
# services and the gateway against the local stack (.run/stack.env) and answers /livez, /readyz, the web app and
# metrics. Everything it made (processes, database, vhost) is removed on exit. Run by deploy/check.sh --install.
set -euo pipefail
VENV=${1:?usage: smoke_venv.sh VENV_DIR}
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
NAME=${MOMENTUM_TEST_DB:-momentum_deploy_smoke}

echo "[smoke] the Dockerfile's build and web stages, replayed into $VENV"
start=$(date +%s)
context=$(mktemp -d)
"$ROOT/.venv/bin/python" "$HERE/replay_build_stage.py" "$context" "$VENV"
echo "[smoke] venv and web app built in $(( $(date +%s) - start )) s: $(du -sh "$VENV" | cut -f1), pip left: $([ -e "$VENV/bin/pip" ] && echo yes || echo no)"

# shellcheck disable=SC1091
source "$ROOT/.run/stack.env"
export MOMENTUM_DB_NAME=$NAME MOMENTUM_AMQP_VHOST=$NAME MOMENTUM_S3_REPLAY_BUCKET=${NAME//_/-} MOMENTUM_WEB_DIST=$context/src/web/dist
PY="$VENV/bin/python"
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for service in plans streaks entrances telemetry; do
  upper=${service^^}; port=$(free_port)
  export "MOMENTUM_${upper}_GRPC_LISTEN=127.0.0.1:$port" "MOMENTUM_${upper}_METRICS_PORT=$(free_port)"
  [ "$service" = telemetry ] && export MOMENTUM_TELEMETRY_TARGETS=127.0.0.1:$port || export "MOMENTUM_${upper}_TARGETS=127.0.0.1:$port"
done
export MOMENTUM_GATEWAY_HOST=127.0.0.1 MOMENTUM_GATEWAY_PORT=$(free_port)
GATEWAY=http://127.0.0.1:$MOMENTUM_GATEWAY_PORT

pids=()
logs=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A process still connecting to the broker finishes its start before it sees SIGTERM: give it 20 s, then KILL.
  for _ in $(seq 1 40); do
    alive=""; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=yes; done
    [ -z "$alive" ] && break; sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  (cd /tmp && "$PY" - <<'EOF' || true
import asyncio, os, asyncpg
async def drop():
    conn = await asyncpg.connect(host=os.environ["MOMENTUM_DB_HOST"], port=int(os.environ["MOMENTUM_DB_PORT"]),
                                 user="momentum_owner", password=os.environ["MOMENTUM_DB_OWNER_PASSWORD"], database="momentum")
    await conn.execute(f'DROP DATABASE IF EXISTS "{os.environ["MOMENTUM_DB_NAME"]}" WITH (FORCE)')
    await conn.close()
asyncio.run(drop())
EOF
  )
  rabbitmqctl -q delete_vhost "$NAME" >/dev/null 2>&1 || true
  rm -rf "$logs" "$context"
}
trap cleanup EXIT

cd /tmp  # nothing of the tree on sys.path: only what the venv installed
"$PY" - <<'EOF'
import asyncio, os, asyncpg
async def create():
    conn = await asyncpg.connect(host=os.environ["MOMENTUM_DB_HOST"], port=int(os.environ["MOMENTUM_DB_PORT"]),
                                 user="momentum_owner", password=os.environ["MOMENTUM_DB_OWNER_PASSWORD"], database="momentum")
    await conn.execute(f'DROP DATABASE IF EXISTS "{os.environ["MOMENTUM_DB_NAME"]}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{os.environ["MOMENTUM_DB_NAME"]}"')
    await conn.close()
asyncio.run(create())
EOF
rabbitmqctl -q add_vhost "$NAME" >/dev/null 2>&1 || true
rabbitmqctl -q set_permissions -p "$NAME" "${MOMENTUM_AMQP_USER:-guest}" '.*' '.*' '.*' >/dev/null

echo "[smoke] $VENV/bin/momentum migrate (database $NAME, bucket $MOMENTUM_S3_REPLAY_BUCKET)"
/usr/bin/time -f "[smoke] migrate: %e s, %M KiB resident at most" "$VENV/bin/momentum" migrate

for service in plans streaks entrances telemetry gateway; do
  "$PY" -m "services.$service" >"$logs/$service.log" 2>&1 &
  pids+=($!)
done
ready="" deadline=$((SECONDS + 90))
while [ $SECONDS -lt $deadline ]; do
  if curl -fsS -m 10 "$GATEWAY/readyz" >/dev/null 2>&1; then ready=yes; break; fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "[smoke] /readyz not 200 after 90 s:" >&2; curl -sS -m 10 "$GATEWAY/readyz" >&2 || true
  tail -n 15 "$logs"/*.log >&2; exit 1
fi
curl -fsS -m 10 "$GATEWAY/livez" >/dev/null
curl -fsS -m 10 "$GATEWAY/" | grep -q '<div id="root">' || { echo "[smoke] / is not the web app" >&2; exit 1; }
curl -fsS -m 10 "$GATEWAY/metrics" | grep -q '^momentum_http_requests_total' || { echo "[smoke] gateway metrics missing" >&2; exit 1; }
curl -fsS -m 10 "http://127.0.0.1:$MOMENTUM_PLANS_METRICS_PORT/" | grep -q '^momentum_' || { echo "[smoke] plans metrics missing" >&2; exit 1; }
echo "[smoke] from the venv alone: migrated; plans, streaks, entrances, telemetry and the gateway up; /readyz 200, /livez 200, / the web app, metrics served"
for i in "${!pids[@]}"; do
  echo "[smoke]   $(ps -o rss= -p "${pids[$i]}" | awk '{printf "%d MiB", $1/1024}') resident: $(ps -o args= -p "${pids[$i]}" | awk '{print $3}')"
done
