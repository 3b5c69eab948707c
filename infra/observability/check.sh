#!/usr/bin/env bash
# Checks the alert rules (promtool check + the unit tests of alerts.test.yml) and the dashboards' JSON.
# promtool comes from Debian's prometheus package, unpacked into .local/ (no Prometheus server is
# installed or started); a promtool already on PATH is used as it is.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
PROMTOOL=$(command -v promtool || true)
if [ -z "$PROMTOOL" ]; then
  PROMTOOL="$ROOT/.local/prometheus/usr/bin/promtool"
  if [ ! -x "$PROMTOOL" ]; then
    echo "[observability] unpacking promtool from Debian's prometheus package"
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    (cd "$work" && { apt-get download prometheus >/dev/null 2>&1 || { as_root apt-get update -qq && apt-get download prometheus >/dev/null; }; })
    mkdir -p "$ROOT/.local/prometheus"
    dpkg-deb -x "$work"/prometheus_*.deb "$ROOT/.local/prometheus"
  fi
fi
cd "$HERE"
"$PROMTOOL" check rules alerts.yml
"$PROMTOOL" test rules alerts.test.yml
for dashboard in grafana/*.json; do
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["panels"] and d["uid"], sys.argv[1]' "$dashboard"
done
echo "[observability] alert rules, their tests and $(ls grafana/*.json | wc -l) dashboard(s) check out"
