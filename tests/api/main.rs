//! HTTP-level tests: one binary, every test on SQLite and on PostgreSQL.

mod support;

mod activities;
mod activity_codes;
mod assets;
mod browser;
mod certificates;
mod check_outs;
mod cli;
mod community_records;
mod confirmations;
mod health;
mod id_numbers;
mod ledger;
mod ledger_totals;
mod login;
mod login_throttling;
mod password_flood;
mod poster;
mod recording_trainings;
mod redemptions;
mod registration;
mod registration_by_staff;
mod registration_limits;
mod rewards;
mod scans;
mod staff_accounts;
mod staff_logins_and_phones;
mod store;
mod trainings;
mod units;
mod verification;
mod volunteer_import;
mod volunteer_profiles;
