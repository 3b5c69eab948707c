#!/usr/bin/env bash
# Starts every Momentum service and the gateway in the background (logs and pids under .run/),
# waits until each reports healthy; `stop` stops only what this script started.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/.run"; PY="$ROOT/.venv/bin/python"
SERVICES=${MOMENTUM_SERVICES:-"plans streaks entrances telemetry"}
mkdir -p "$RUN/logs" "$RUN/pids"
# shellcheck disable=SC1091
[ -f "$RUN/stack.env" ] && source "$RUN/stack.env"
export MOMENTUM_AMQP_VHOST=${MOMENTUM_AMQP_VHOST:-momentum}

# shellcheck source=infra/pids.sh
source "$ROOT/infra/pids.sh"
running() { service_running "$RUN/pids" "$1" "$PY"; }

start_one() {
  local name=$1
  if running "$name"; then echo "[services] $name already running (pid $(cat "$RUN/pids/$name"))"; return; fi
  if [ -f "$RUN/pids/$name" ]; then
    echo "[services] $name had died (stale pid $(cat "$RUN/pids/$name")); starting it again"; rm -f "$RUN/pids/$name"
  fi
  [ -f "$ROOT/services/$name/__main__.py" ] || { echo "[services] $name has no entry point yet; skipped"; return; }
  # The service writes its log itself, rotated at MOMENTUM_LOG_MAX_BYTES into MOMENTUM_LOG_BACKUPS copies
  # (<name>.log.1 ...). Its stdout/stderr keep only what comes before logging is set up (an import error, a
  # crash of the interpreter), truncated at every start.
  MOMENTUM_LOG_FILE="$RUN/logs/$name.log" nohup "$PY" -m "services.$name" >"$RUN/logs/$name.out" 2>&1 &
  echo $! > "$RUN/pids/$name"
  echo "[services] started $name (pid $!, log .run/logs/$name.log)"
}

wait_healthy() {
  local i
  for i in $(seq 1 60); do
    if "$PY" "$ROOT/infra/probe.py" http "http://127.0.0.1:${MOMENTUM_GATEWAY_PORT:-8080}/healthz" \
       && curl -fsS "http://127.0.0.1:${MOMENTUM_GATEWAY_PORT:-8080}/healthz" >/dev/null 2>&1; then
      return 0
    fi
    for name in $SERVICES gateway; do
      if [ -f "$RUN/pids/$name" ] && ! running "$name"; then
        echo "[services] $name exited; last lines of .run/logs/$name.log and $name.out:"
        tail -n 20 "$RUN/logs/$name.log" 2>/dev/null; tail -n 20 "$RUN/logs/$name.out" 2>/dev/null; return 1
      fi
    done
    sleep 0.5
  done
  echo "[services] not healthy after 30 s:"; curl -sS "http://127.0.0.1:${MOMENTUM_GATEWAY_PORT:-8080}/healthz" || true; return 1
}

stop_all() {
  local name pid order=""
  # Reverse start order: telemetry hands its sessions' frames to S3 while plans still answers.
  for name in $SERVICES; do order="$name $order"; done
  for name in gateway $order; do
    if running "$name"; then
      pid=$(cat "$RUN/pids/$name"); kill -TERM "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      echo "[services] stopped $name"
    fi
    rm -f "$RUN/pids/$name"
  done
}

case "${1:-start}" in
  start)
    for name in $SERVICES; do start_one "$name"; done
    start_one gateway
    wait_healthy
    echo
    echo "Momentum is up."
    echo "  gateway:  http://127.0.0.1:${MOMENTUM_GATEWAY_PORT:-8080}  (docs: /docs, live: /livez, ready: /readyz, metrics: /metrics)"
    echo "  logs:     $RUN/logs/"
    ;;
  stop) stop_all;;
  *) echo "usage: $0 start|stop" >&2; exit 2;;
esac
