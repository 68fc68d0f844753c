//! HTTP-level tests: one binary, every test on SQLite and on PostgreSQL.

mod support;

mod accounts;
mod cli;
mod health;
mod units;
mod volunteers;
