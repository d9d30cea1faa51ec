#!/bin/sh
# Runs once, when the PostgreSQL volume is empty (docker-entrypoint-initdb.d). One server, two
# owners: Temporal's databases belong to `temporal`, the records database to `lovflow`, so neither
# service can read or drop the other's data and each can be backed up and restored on its own.
set -eu

: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD must be set}"
: "${LOVFLOW_DB_PASSWORD:?LOVFLOW_DB_PASSWORD must be set}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set temporal_password="$TEMPORAL_DB_PASSWORD" \
    --set lovflow_password="$LOVFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE ROLE lovflow LOGIN PASSWORD :'lovflow_password';
-- Created here, not by temporal-sql-tool, so that `temporal` needs no CREATEDB right.
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE DATABASE lovflow OWNER lovflow;
-- Nobody else may connect to the records (PUBLIC has CONNECT by default).
REVOKE ALL ON DATABASE lovflow FROM PUBLIC;
REVOKE ALL ON DATABASE temporal FROM PUBLIC;
REVOKE ALL ON DATABASE temporal_visibility FROM PUBLIC;
SQL
