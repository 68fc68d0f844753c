//! HTTP-level tests: one binary, every test on SQLite and on PostgreSQL.

mod support;

mod accounts;
mod activities;
mod assets;
mod browser;
mod certificates;
mod cli;
mod health;
mod ledger;
mod poster;
mod rewards;
mod scans;
mod trainings;
mod units;
mod volunteers;
