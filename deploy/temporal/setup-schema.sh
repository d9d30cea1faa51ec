#!/bin/sh
# Temporal's schema on PostgreSQL, as temporalio/samples-server (compose/) does it with
# temporal-sql-tool from the admin-tools image; runs before every start of the server.
#
# First start: the databases are empty (created by deploy/postgres/init-databases.sh), so
# `update-schema` fails on the missing schema_version table and the schema is set up from 0.0.
# Later starts, including after an image upgrade: `update-schema` applies only the versions
# that are missing, which is how Temporal's schema is upgraded.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

echo "Väntar på PostgreSQL (waiting for PostgreSQL) på ${POSTGRES_SEEDS}:${DB_PORT}"
nc -z -w 30 "$POSTGRES_SEEDS" "$DB_PORT"

sql_tool() {
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" \
        -p "$DB_PORT" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
    db="${pair%%:*}"
    dir="$SCHEMA_ROOT/${pair##*:}/versioned"
    if sql_tool --db "$db" update-schema -d "$dir"; then
        echo "$db: schema up to date"
    else
        echo "$db: no schema yet, setting it up"
        sql_tool --db "$db" setup-schema -v 0.0
        sql_tool --db "$db" update-schema -d "$dir"
    fi
done
echo "Temporal schema klart (done)"
