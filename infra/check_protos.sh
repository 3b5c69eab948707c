#!/usr/bin/env bash
# Fails when the committed generated code differs from what the .proto files generate now.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
bash "$ROOT/infra/gen_protos.sh" "$TMP"
status=0
while IFS= read -r f; do
  rel=${f#"$TMP/"}
  if ! cmp -s "$f" "$ROOT/protos/$rel"; then echo "generated code is stale: protos/$rel (run: make protos)"; status=1; fi
done < <(find "$TMP" -type f \( -name '*_pb2*.py' -o -name '*.pyi' \))
while IFS= read -r f; do
  rel=${f#"$ROOT/protos/"}
  [ -f "$TMP/$rel" ] || { echo "generated file without a .proto: protos/$rel"; status=1; }
done < <(find "$ROOT/protos" -type f \( -name '*_pb2*.py' -o -name '*_pb2.pyi' \))
[ $status = 0 ] && echo "protos-check: generated code is up to date"
exit $status
