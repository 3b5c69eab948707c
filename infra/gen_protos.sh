#!/usr/bin/env bash
# Generates Python code and type stubs beside every .proto (or into $1 for the drift check).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/protos}
PY=${PYTHON:-$ROOT/.venv/bin/python}
INCLUDE=$("$PY" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
cd "$ROOT/protos"
mapfile -t files < <(find momentum -name '*.proto' | sort)
"$PY" -m grpc_tools.protoc -I . -I "$INCLUDE" --python_out="$OUT" --pyi_out="$OUT" --grpc_python_out="$OUT" "${files[@]}"
# Every folder on the way is a package, so `import momentum.plans.v1.plans_pb2` resolves.
for f in "${files[@]}"; do
  d=$(dirname "$f")
  while [ "$d" != "." ]; do touch "$OUT/$d/__init__.py"; d=$(dirname "$d"); done
done
