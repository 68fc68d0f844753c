//! HTTP-level tests: one binary, every test on SQLite and on PostgreSQL.

mod support;

mod activities;
mod activity_codes;
mod assets;
mod backup;
mod browser;
mod certificates;
mod check_outs;
mod cli;
mod community_records;
mod confirmations;
mod health;
mod id_numbers;
mod instances;
mod jobs;
mod ledger;
mod ledger_totals;
mod login;
mod phones;
mod poster;
mod public_pages;
mod recording_trainings;
mod redemptions;
mod registration;
mod registration_by_staff;
mod rewards;
mod scans;
mod security_headers;
mod staff_accounts;
mod store;
mod trainings;
mod units;
mod verification;
mod volunteer_import;
mod volunteer_profiles;
