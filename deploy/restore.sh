#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and a fresh instance directory.
# Documented in docs/backups.md.
#
#   deploy/restore.sh BACKUP INTO_DATABASE_URL INTO_INSTANCE_PATH [INTO_ATTACHMENT_DIR]
#
# BACKUP is one timestamped directory of backup.sh. The database must exist and hold no table
# (createdb participation_restored); the attachment directory (default INTO_INSTANCE_PATH/attachments)
# and INTO_INSTANCE_PATH/open-data must be absent or empty. Nothing is overwritten: pointing the
# script at the live database or instance by mistake stops it before it writes.
set -euo pipefail

fail() { echo "restore: $*" >&2; exit 1; }
[[ $# -ge 3 && $# -le 4 ]] || fail "usage: restore.sh BACKUP INTO_DATABASE_URL INTO_INSTANCE_PATH [INTO_ATTACHMENT_DIR]"
for tool in pg_restore psql tar sha256sum; do
  command -v "$tool" >/dev/null || fail "missing required tool: $tool (Debian: postgresql-client, tar, coreutils)"
done

backup=$1
db_url=$(sed -E 's#^postgres(ql)?\+[a-z0-9]+://#postgresql://#' <<<"$2")
instance=$3
attachments=${4:-$instance/attachments}
[[ $db_url =~ ^postgres(ql)?:// ]] || fail "$2 is not a PostgreSQL address"
[[ -f $backup/SHA256SUMS && $backup != *.partial ]] || fail "$backup is not a complete backup"

# The files are those that backup.sh wrote.
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || fail "$backup does not match its SHA256SUMS"

tables=$(psql "$db_url" -XAtqc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[[ $tables -eq 0 ]] || fail "the database holds $tables tables: restore into an empty database"
for directory in "$attachments" "$instance/open-data"; do
  [[ ! -d $directory || -z $(ls -A "$directory") ]] || fail "$directory is not empty"
done

# One transaction: a failed restore leaves the database empty, not half restored.
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$db_url" \
  "$backup/database.dump"
mkdir -p "$attachments" "$instance/open-data"
tar --extract --file="$backup/attachments.tar" --directory="$attachments"
tar --extract --file="$backup/open-data.tar" --directory="$instance/open-data"
echo "restored $backup into the database and $instance"
