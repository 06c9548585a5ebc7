#!/usr/bin/env bash
# Creates Throughline's database and its two roles. The postgres image runs
# this once, when it initialises an empty data directory
# (/docker-entrypoint-initdb.d); run it by hand against any other server
# (README, "Running with PostgreSQL and Redis"). Safe to run twice.
#
#   owner role (THROUGHLINE_OWNER)  owns the database and every table; runs migrations
#                                   (DATABASE_OWNER_URL). Table owners are exempt from RLS.
#   application role (THROUGHLINE_APP_ROLE, the app's DATABASE_APP_ROLE)
#                                   what web, worker and beat connect as (DATABASE_URL): owns
#                                   nothing, cannot bypass row-level security, reads and writes
#                                   rows only (districts/rls.py grants that after every migrate).
#
# Needs THROUGHLINE_OWNER_PASSWORD and THROUGHLINE_APP_PASSWORD; connects as
# POSTGRES_USER to POSTGRES_DB (libpq's PGHOST/PGPORT apply).
set -euo pipefail

: "${THROUGHLINE_OWNER_PASSWORD:?set THROUGHLINE_OWNER_PASSWORD}"
: "${THROUGHLINE_APP_PASSWORD:?set THROUGHLINE_APP_PASSWORD}"
for role in "${THROUGHLINE_OWNER:-throughline_owner}" "${THROUGHLINE_APP_ROLE:-throughline_app}"; do
    if [ "$role" = "${POSTGRES_USER:-postgres}" ]; then
        echo "init-roles.sh: $role is the superuser this script connects as; choose other role names" >&2
        exit 1
    fi
done

psql --no-psqlrc -v ON_ERROR_STOP=1 \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    --set=db="${THROUGHLINE_DB:-throughline}" \
    --set=owner="${THROUGHLINE_OWNER:-throughline_owner}" \
    --set=owner_password="$THROUGHLINE_OWNER_PASSWORD" \
    --set=app_role="${THROUGHLINE_APP_ROLE:-throughline_app}" \
    --set=app_password="$THROUGHLINE_APP_PASSWORD" <<'SQL'
-- Safe to run again: missing roles and database are created, existing roles
-- get the given password and lose any power to bypass row-level security.
SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I', :'app_role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE :"app_role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app_role";

\connect :"db"
-- Only the owner creates objects. Tables the owner creates are readable and
-- writable by the application role at once; row-level security still applies.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
SQL
