#!/usr/bin/env bash
# Postgres backup and point-in-time restore for Momentum: a base backup plus the WAL archive.
#
#   infra/backup.sh archive-command ARCHIVE      the archive_command line for postgresql.conf
#   infra/backup.sh base DEST                    a compressed base backup of the server PG* points at
#   infra/backup.sh restore BASE ARCHIVE DATA [TARGET_TIME]
#                                                a new data directory from BASE, replaying ARCHIVE's WAL up
#                                                to TARGET_TIME (an ISO time with zone), or to the end
#   infra/backup.sh verify DATA PORT             starts the restored cluster on PORT and waits for promotion
#
# The server being backed up runs with wal_level=replica, archive_mode=on and the archive_command this
# prints; `base` connects as a role with REPLICATION (PGHOST, PGPORT, PGUSER as for psql). docs/runbook.md
# walks through it; tests/integration/foundation/test_backup_restore.py runs it on a scratch cluster.
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
BIN=${PG_BIN:-$(pg_bin)}
die() { echo "[backup] $*" >&2; exit 1; }
# Postgres will not run as root; the data directory's owner runs the server tools.
run_as_owner() {
  local dir=$1; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$(stat -c %U "$dir")" -- "$@"; else "$@"; fi
}

command=${1:-}
case "$command" in
  archive-command)
    archive=${2:?usage: archive-command ARCHIVE}
    # Never overwrite a segment already archived: a second server pointed at the same archive by
    # mistake must fail loudly instead of corrupting the history.
    echo "test ! -f '$archive/%f' && cp '%p' '$archive/%f.part' && mv '$archive/%f.part' '$archive/%f'"
    ;;
  base)
    dest=${2:?usage: base DEST}
    [ ! -e "$dest" ] || [ -z "$(ls -A "$dest")" ] || die "$dest is not empty"
    mkdir -p "$dest"
    # -X fetch puts the WAL the backup needs inside it, so a base backup restores on its own too;
    # --checkpoint=fast starts at once instead of waiting for the next scheduled checkpoint.
    "$BIN/pg_basebackup" -D "$dest" -Ft -z -X fetch --checkpoint=fast --label "momentum $(date -u +%FT%TZ)" -w
    date -u +%FT%TZ > "$dest/finished_at"
    echo "[backup] base backup in $dest ($(du -sh "$dest" | cut -f1))"
    ;;
  restore)
    base=${2:?usage: restore BASE ARCHIVE DATA [TARGET_TIME]}; archive=${3:?}; data=${4:?}; target=${5:-}
    [ -s "$base/base.tar.gz" ] || die "no base.tar.gz in $base"
    [ ! -e "$data" ] || [ -z "$(ls -A "$data")" ] || die "$data is not empty: restore into a new directory"
    mkdir -p "$data"; chmod 700 "$data"
    tar -xzf "$base/base.tar.gz" -C "$data"
    # The archive holds the WAL from the backup on; pg_wal of the backup is only what it started with.
    {
      echo "restore_command = 'cp \"$archive/%f\" \"%p\"'"
      if [ -n "$target" ]; then
        echo "recovery_target_time = '$target'"
        echo "recovery_target_action = 'promote'"
      fi
    } >> "$data/postgresql.auto.conf"
    touch "$data/recovery.signal"
    if [ "$(id -u)" = 0 ]; then chown -R "${PG_OWNER:-postgres}" "$data"; fi
    echo "[backup] restored into $data${target:+ (up to $target)}; start it, then 'verify'"
    ;;
  verify)
    data=${2:?usage: verify DATA PORT}; port=${3:?}
    run_as_owner "$data" "$BIN/pg_ctl" -D "$data" -l "$data/restore.log" -w -t 120 \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c archive_mode=off" start >/dev/null
    for _ in $(seq 1 120); do
      if [ "$(psql -w -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; then
        echo "[backup] restored cluster promoted and open on 127.0.0.1:$port"; exit 0
      fi
      sleep 0.5
    done
    die "the restored cluster did not finish recovery; see $data/restore.log"
    ;;
  *)
    sed -n '2,12p' "$0"; exit 2
    ;;
esac
