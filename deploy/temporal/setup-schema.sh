#!/bin/sh
# One-shot (temporalio/admin-tools): create Temporal's two PostgreSQL databases and bring
# their schemas to the version this image ships. Safe to run on every `docker compose up`:
# an existing database is kept, `setup-schema -v 0.0` leaves a versioned schema alone and
# `update-schema` applies only the versions a database lacks.
set -eu

: "${SQL_HOST:?SQL_HOST names the PostgreSQL host}"
: "${SQL_PORT:=5432}"
: "${SQL_USER:?SQL_USER names the PostgreSQL user}"
: "${SQL_PASSWORD:?SQL_PASSWORD is the PostgreSQL password}"
export SQL_PASSWORD
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql_tool() {
    temporal-sql-tool --plugin postgres12 --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
    database=${pair%%:*}
    schema=${pair#*:}
    if sql_tool --db "$database" create; then
        echo "created database $database"
    else
        echo "database $database already exists; keeping it"
    fi
    sql_tool --db "$database" setup-schema -v 0.0
    sql_tool --db "$database" update-schema -d "$SCHEMA_ROOT/$schema/versioned"
done
echo "Temporal schemas are up to date"
