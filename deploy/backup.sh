#!/usr/bin/env bash
# Back up blocbot: the database (pg_dump, custom format) and the kept files, into BACKUPS
# (default: deploy/backups), keeping KEEP_DAYS days of them (default 14).
#
#   deploy/backup.sh            # the compose set-up (deploy/compose.yaml), from any folder
#   PGHOST=db.example.vn PGUSER=blocbot PGDATABASE=blocbot FILES=/var/lib/blocbot/files \
#       BACKUPS=/var/backups/blocbot deploy/backup.sh    # a database and a folder reached directly
#
# PGPASSWORD or ~/.pgpass gives pg_dump the password. With BLOCBOT_FILES=s3://..., the files
# live in the bucket: keep its versioning on (or replicate it) and set SKIP_FILES=1. Each backup
# is written under a .part name and renamed once complete: a file without .part is whole.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
backups=${BACKUPS:-$here/backups}
keep=${KEEP_DAYS:-14}
stamp=$(date +%Y%m%d-%H%M%S)
database="$backups/blocbot-$stamp.dump"
files="$backups/files-$stamp.tar.gz"
mkdir -p "$backups"

# The database first, renamed as soon as it is whole: a failure with the files keeps it.
if [ -n "${PGHOST:-}" ]; then
    pg_dump --format=custom --no-owner --file="$database.part"
else
    compose=(docker compose -f "$here/compose.yaml")
    "${compose[@]}" exec -T postgres pg_dump -U blocbot --format=custom --no-owner blocbot \
        > "$database.part"
fi
mv "$database.part" "$database"
echo "database: $database"

if [ -z "${SKIP_FILES:-}" ]; then
    if [ -n "${PGHOST:-}" ]; then
        : "${FILES:?set FILES to the folder of BLOCBOT_FILES, or SKIP_FILES=1}"
        tar -C "$(dirname "$FILES")" -czf "$files.part" "$(basename "$FILES")"
    else
        # A container of its own on the files' volume: works while the replicas are down too.
        "${compose[@]}" run --rm -T --no-deps --entrypoint tar blocbot-1 \
            -C /var/lib/blocbot -czf - files > "$files.part"
    fi
    mv "$files.part" "$files"
    echo "files: $files"
fi

find "$backups" -maxdepth 1 \( -name 'blocbot-*.dump' -o -name 'files-*.tar.gz' \) \
    -mtime +"$keep" -delete
