#!/usr/bin/env bash
# Sourced by services.sh: whether the pid file of a service names that service, alive.
#
# A pid file names a running service only if that pid is alive AND is our `python -m services.<name>`: after a
# SIGKILL (or a reboot) the pid may be gone or reused by an unrelated process, which must never count as
# "already running", nor be signalled by `stop`. With <python>, the process must also run that interpreter:
# another checkout's `services.plans` on the same machine is not ours either.
# usage: service_running <pid dir> <name> [<python>]
service_running() {
  local file="$1/$2" pid cmdline
  [ -f "$file" ] || return 1
  pid=$(cat "$file" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline " == *"-m services.$2 "* ]] || return 1
  [ -z "${3:-}" ] || [[ "$cmdline" == "$3 "* ]]
}
