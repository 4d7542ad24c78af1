#!/usr/bin/env bash
# Back up the platform: the PostgreSQL database (pg_dump custom format) and the instance files
# (consultation attachments, open-data dumps), into a new timestamped directory, then remove the
# backups older than the retention. Documented in docs/backups.md; run by
# deploy/systemd/participation-backup.timer.
#
# Environment (the application's environment file, plus the two BACKUP_ settings):
#   DATABASE_URL       the application's database (postgresql://, postgres:// or postgresql+psycopg://)
#   INSTANCE_PATH      the instance directory (open-data/ lives in it)
#   ATTACHMENT_DIR     where attachments are stored (default: $INSTANCE_PATH/attachments)
#   BACKUP_DIR         where backups are written (default: /var/backups/participation)
#   BACKUP_KEEP_DAYS   backups older than this many days are removed (default: 14; 0 keeps all)
#
# Output: $BACKUP_DIR/<UTC timestamp>/ with database.dump, attachments.tar, open-data.tar,
# MANIFEST (versions, revision, row counts) and SHA256SUMS. The directory is written as
# <timestamp>.partial and renamed when complete: a directory without .partial is a whole backup.
set -euo pipefail

fail() { echo "backup: $*" >&2; exit 1; }
for tool in pg_dump pg_restore psql tar sha256sum; do
  command -v "$tool" >/dev/null || fail "missing required tool: $tool (Debian: postgresql-client, tar, coreutils)"
done

: "${DATABASE_URL:?backup: DATABASE_URL is not set}"
: "${INSTANCE_PATH:?backup: INSTANCE_PATH is not set}"
ATTACHMENT_DIR=${ATTACHMENT_DIR:-$INSTANCE_PATH/attachments}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/participation}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
[[ $BACKUP_KEEP_DAYS =~ ^[0-9]+$ ]] || fail "BACKUP_KEEP_DAYS must be a whole number of days"

# libpq knows postgresql:// and postgres://, not SQLAlchemy's driver suffix.
DB_URL=$(sed -E 's#^postgres(ql)?\+[a-z0-9]+://#postgresql://#' <<<"$DATABASE_URL")
[[ $DB_URL =~ ^postgres(ql)?:// ]] || fail "DATABASE_URL is not a PostgreSQL address"

# pg_dump refuses a server newer than itself; say so plainly before it does.
client_major=$(pg_dump --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
server_major=$(psql "$DB_URL" -XAtqc "SHOW server_version_num" | cut -c1-2)
[[ $client_major -ge $server_major ]] ||
  fail "pg_dump $client_major is older than the server ($server_major): install postgresql-client-$server_major"

umask 077 # personal data: signatories, accounts, the audit log
mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/$stamp"
partial="$target.partial"
[[ ! -e $target && ! -e $partial ]] || fail "$target already exists"
mkdir "$partial"
trap 'rm -rf "$partial"' ERR

# The database first: one consistent snapshot. Files are taken after it, so every attachment row
# of the dump has its file (a file is written before its row commits, deleted after).
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial/database.dump" "$DB_URL"
pg_restore --list "$partial/database.dump" >/dev/null # readable, not truncated

archive() { # name, directory: a tar of the directory's contents (empty when it does not exist)
  if [[ -d $2 ]]; then
    tar --create --file="$partial/$1.tar" --directory="$2" .
  else
    tar --create --file="$partial/$1.tar" --files-from=/dev/null
  fi
}
archive attachments "$ATTACHMENT_DIR"
archive open-data "$INSTANCE_PATH/open-data"

{
  echo "created: $stamp"
  echo "pg_dump: $(pg_dump --version)"
  echo "server: $(psql "$DB_URL" -XAtqc 'SHOW server_version')"
  echo "migration: $(psql "$DB_URL" -XAtqc 'SELECT version_num FROM alembic_version' 2>/dev/null || echo none)"
  echo "rows:"
  psql "$DB_URL" -XAtq -F ' ' -c "
    SELECT format('  %s %s', c.relname,
                  (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' ORDER BY c.relname"
} >"$partial/MANIFEST"
(cd "$partial" && sha256sum database.dump attachments.tar open-data.tar MANIFEST >SHA256SUMS)

mv "$partial" "$target"
trap - ERR
echo "backup written to $target"

# Retention: whole backups older than BACKUP_KEEP_DAYS, and partial ones left by a crash.
if [[ $BACKUP_KEEP_DAYS -gt 0 ]]; then
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
    -regex '.*/[0-9]{8}T[0-9]{6}Z(\.partial)?' -mtime "+$((BACKUP_KEEP_DAYS - 1))" \
    ! -path "$target" -print -exec rm -rf {} +
fi
