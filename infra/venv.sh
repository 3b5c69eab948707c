#!/usr/bin/env bash
# Creates .venv with Python 3.11+ and installs Momentum from requirements.lock (versions and hashes).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
PYTHON=${PYTHON:-python3}
if ! command -v "$PYTHON" >/dev/null || ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "[venv] installing Python 3 from Debian packages"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-dev >/dev/null
  PYTHON=python3
fi
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
command -v curl >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
[ -x "$ROOT/.venv/bin/python" ] || "$PYTHON" -m venv "$ROOT/.venv"
"$ROOT/.venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip setuptools wheel
# Every dependency, direct or not, at the version and hash the lock file names (`make lock` writes it);
# then Momentum itself, editable, with nothing more resolved.
"$ROOT/.venv/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$ROOT/requirements.lock"
"$ROOT/.venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$ROOT"
echo "[venv] ready: $ROOT/.venv"
