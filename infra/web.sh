#!/usr/bin/env bash
# The clinic web app in web/: Node from Debian when missing, `npm ci`, build, checks, and the browser the tests drive.
#   infra/web.sh build      npm ci when the lockfile changed, then npm run build (types generated from the gateway)
#   infra/web.sh build-if-stale   build only when web/dist is older than a source file
#   infra/web.sh check      npm run typecheck and npx vitest run
#   infra/web.sh chromium   Debian's chromium at /usr/bin/chromium, for the browser tests (no browser download)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WEB="$ROOT/web"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

node_ready() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "[web] installing Node.js from Debian packages"
    apt_install nodejs npm
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then
    echo "[web] Node $major is too old: Vite 8 and vitest 4 need Node 20 or newer" >&2
    exit 1
  fi
}

deps_ready() {
  node_ready
  # npm ci only when the lockfile is newer than what it last installed.
  if [ ! -f "$WEB/node_modules/.package-lock.json" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
    echo "[web] npm ci"
    (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

stale() {
  [ -f "$WEB/dist/index.html" ] || return 0
  # The gateway's schema shapes only the types, which `check` verifies; the built files do not depend on it.
  [ -n "$(find "$WEB/src" "$WEB/index.html" "$WEB/package-lock.json" "$WEB/vite.config.ts" "$WEB/public" "$WEB/scripts" \
      -newer "$WEB/dist/index.html" -type f ! -name 'schema.d.ts' -print -quit)" ]
}

build() {
  deps_ready
  echo "[web] npm run build"
  (cd "$WEB" && MOMENTUM_PYTHON="$ROOT/.venv/bin/python" npm run build --silent)
}

case "${1:-build}" in
  build) build ;;
  build-if-stale) if stale; then build; else echo "[web] web/dist is up to date"; fi ;;
  check)
    deps_ready
    (cd "$WEB" && MOMENTUM_PYTHON="$ROOT/.venv/bin/python" npm run typecheck --silent && npx vitest run)
    ;;
  chromium)
    [ -x /usr/bin/chromium ] || { echo "[web] installing Debian's chromium"; apt_install chromium; }
    ;;
  *) echo "usage: infra/web.sh build|build-if-stale|check|chromium" >&2; exit 2 ;;
esac
