//! HTTP-level tests: one binary, every test on SQLite and on PostgreSQL.

mod support;

mod accounts;
mod activities;
mod cli;
mod health;
mod scans;
mod units;
mod volunteers;
