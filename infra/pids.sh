#!/usr/bin/env bash
# Sourced by services.sh: whether the pid file of a service names that service, alive.
#
# A pid file names a running service only if that pid is alive AND is our `python -m services.<name>`: after a
# SIGKILL (or a reboot) the pid may be gone or reused by an unrelated process, which must never count as
# "already running", nor be signalled by `stop`.
# usage: service_running <pid dir> <name>
service_running() {
  local file="$1/$2" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-m services\.$2\( \|$\)"
}
