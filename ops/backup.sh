#!/usr/bin/env bash
# Consistent backup of a vledger database, kept for 30 days.
#   ops/backup.sh sqlite:///var/lib/vledger/vledger.db /var/backups/vledger
#   ops/backup.sh postgres://vledger@db/vledger      /var/backups/vledger
# The secret key (VLEDGER_SECRET_KEY or vledger.key) must be backed up separately, once: the
# ID numbers in a backup cannot be read without it.
set -euo pipefail
url="${1:?database URL}"
dest="${2:?backup folder}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"
case "$url" in
  sqlite://*)
    file="${url#sqlite://}"
    # VACUUM INTO takes a transactionally consistent copy while the service keeps running.
    sqlite3 "$file" "VACUUM INTO '$dest/vledger-$stamp.db'"
    gzip "$dest/vledger-$stamp.db"
    ;;
  postgres://*|postgresql://*)
    pg_dump --format=custom --file="$dest/vledger-$stamp.dump" "$url"
    ;;
  *) echo "unsupported database URL: $url" >&2; exit 2 ;;
esac
find "$dest" -name 'vledger-*' -mtime +30 -delete
echo "backup written to $dest (vledger-$stamp)"
