#!/usr/bin/env bash
# Validates the deployable artifacts offline, with no Docker engine, cluster or systemd running:
#   deploy/check.sh            hadolint on the Dockerfile; both kustomizations built (kubectl kustomize, offline) and every
#                              object validated against the Kubernetes schemas of 1.30 and 1.37, strictly
#                              (kubernetes-validate); telemetry's pod identity (check_pod_identity.py); systemd-analyze
#                              verify and security of every unit in a scratch root
#   deploy/check.sh --install  also the image's build stage, replayed here into a scratch venv (PyPI, by hashes), then
#                              that venv, outside the tree, migrates a scratch database and runs the four services and
#                              the gateway against the local stack (deploy/smoke_venv.sh)
# hadolint, kubectl (its kustomize) and kubernetes-validate come from PyPI with the dev extras (make venv); systemd-analyze
# from Debian's systemd. tests/unit/structure/test_deploy_artifacts.py checks what these tools cannot (entry points,
# probes, the ring, secrets, each process's configuration in production).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
BIN="$ROOT/.venv/bin"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "[deploy] hadolint deploy/Dockerfile"
"$BIN/hadolint" "$HERE/Dockerfile"

for kustomization in migrate app; do
  "$BIN/kubectl" kustomize "$HERE/k8s/$kustomization" > "$work/$kustomization.yaml"
  for version in 1.30.0 1.37.0; do
    "$BIN/kubernetes-validate" --strict --quiet -k "$version" "$work/$kustomization.yaml"
  done
  echo "[deploy] k8s/$kustomization: $(grep -c '^kind:' "$work/$kustomization.yaml") objects valid against Kubernetes 1.30 and 1.37 (strict)"
done

# systemd-analyze resolves units, specifiers and ExecStart binaries inside --root: the system's own units (for
# sysinit.target and the like), ours, and stand-ins at the paths a VM install puts the venv (build-venv.sh).
if ! command -v systemd-analyze >/dev/null; then
  echo "[deploy] installing Debian's systemd for systemd-analyze (nothing is started)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
fi
root="$work/root"
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd" "$root/opt/momentum/venv/bin" "$root/usr/bin"
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$HERE"/systemd/*.service "$HERE"/systemd/*.target "$root/etc/systemd/system/"
cp /usr/bin/env "$root/usr/bin/"
for binary in python momentum; do printf '#!/bin/sh\n' > "$root/opt/momentum/venv/bin/$binary"; chmod +x "$root/opt/momentum/venv/bin/$binary"; done
units=(momentum.target momentum-migrate.service momentum@plans.service momentum@streaks.service
       momentum@entrances.service momentum@gateway.service momentum-telemetry@0.service momentum-telemetry@1.service)
# verify exits 0 on an unknown key or a bad value (it only warns): anything it prints is a failure.
problems=$(cd "$root/etc/systemd/system" && systemd-analyze verify --root="$root" --man=no "${units[@]}" 2>&1 || echo "(exit $?)")
if [ -n "$problems" ]; then echo "$problems" >&2; echo "[deploy] systemd-analyze verify failed" >&2; exit 1; fi
# --threshold is on the 0-100 scale of the 0.0-10.0 exposure printed: 20 is "2.0, OK".
for unit in momentum-migrate.service momentum@plans.service momentum-telemetry@0.service; do
  systemd-analyze security --offline=true --root="$root" --threshold=20 "$unit" >/dev/null \
    || { systemd-analyze security --offline=true --root="$root" "$unit" | tail -1 >&2; exit 1; }
done
echo "[deploy] systemd: ${#units[@]} units verify, exposure of each at most 2.0 of 10 (systemd-analyze security)"

# Telemetry's identity: the pod's /etc/hosts as the kubelet writes it, in private mount and network namespaces (root:
# unshare), so neither the machine's /etc/hosts nor a port another process holds is touched.
"$BIN/python" "$HERE/check_pod_identity.py" hosts "$work/hosts"
as_root unshare --mount --net sh -c \
  "ip link set lo up && mount --bind '$work/hosts' /etc/hosts && exec '$BIN/python' '$HERE/check_pod_identity.py' bind"

if [ "${1:-}" = "--install" ]; then
  bash "$HERE/smoke_venv.sh" "$work/venv"
fi
echo "[deploy] deployable artifacts check out"
