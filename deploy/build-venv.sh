#!/bin/sh
# Builds Momentum's runtime virtualenv at $1: the packages of deploy/requirements-runtime.lock (versions and hashes,
# wheels only) and a wheel of this tree. The image's build stage, a VM install and deploy/check.sh all run it.
set -eu
VENV=${1:?usage: build-venv.sh VENV_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "the lock is for Python 3.11"'
"$PYTHON" -m venv "$VENV"
PIP="$VENV/bin/python -m pip --disable-pip-version-check --no-cache-dir -q"
# Wheels only: nothing is compiled, so no build stage needs a compiler and every file's hash is the lock's.
$PIP install --require-hashes --only-binary=:all: -r "$ROOT/deploy/requirements-runtime.lock"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# From a copy, so the tree is left as it was; the venv's own setuptools builds the pure-Python wheel.
mkdir "$work/src" && cp -R "$ROOT/pyproject.toml" "$ROOT/services" "$ROOT/protos" "$work/src/"
$PIP wheel --no-deps --no-build-isolation -w "$work" "$work/src"
$PIP install --no-deps "$work"/momentum-*.whl
# What only installing needed: the runtime has no package manager to fetch anything with.
$PIP uninstall -y pip setuptools
