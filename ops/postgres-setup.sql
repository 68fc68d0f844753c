-- One-time PostgreSQL setup for vledger (run as a superuser: psql -f ops/postgres-setup.sql).
-- The service creates its tables itself at start (migrations are embedded in the binary).
CREATE ROLE vledger LOGIN PASSWORD 'change-me';
CREATE DATABASE vledger OWNER vledger ENCODING 'UTF8' TEMPLATE template0;
\connect vledger
ALTER SCHEMA public OWNER TO vledger;
