//! HTTP-level tests: one binary, every test on SQLite and on PostgreSQL.

mod support;

mod accounts;
mod activities;
mod browser;
mod cli;
mod health;
mod poster;
mod scans;
mod units;
mod volunteers;
