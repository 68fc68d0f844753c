#!/usr/bin/env bash
# Nightly backup of the vledger database, kept for 30 days: run by ops/vledger-backup.service
# (started by its timer, or now with `systemctl start vledger-backup`) as the service's user, with
# its settings.
# `vledger backup` takes a consistent copy while the service runs (see README "Backup and
# restore"); on PostgreSQL it needs pg_dump of the server's major version. The secret key must be
# backed up separately, once: the ID numbers in a backup cannot be read without it.
set -euo pipefail
dest="${1:?backup folder}"
umask 077
mkdir -p "$dest"
file="$dest/vledger-$(date -u +%Y%m%dT%H%M%SZ).backup"
vledger backup "$file"
# A PostgreSQL backup (pg_dump's custom format) is compressed already; an SQLite copy is not.
case "${VLEDGER_DATABASE_URL:-sqlite:}" in
  sqlite:*) gzip "$file" ;;
esac
find "$dest" -name 'vledger-*.backup*' -mtime +30 -delete
