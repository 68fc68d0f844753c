//! What every HTTP test stands on: a real service over a real database, started the way
//! `vledger serve` starts it, and the people, places and activities the stories begin with.

mod activities;
mod certificates;
mod commands;
mod console;
mod database;
mod json;
mod ledger;
mod people;
mod qr;
mod rewards;
mod service;
mod tables;
mod trainings;
mod units;
mod volunteers;

pub use activities::{
    activity_at, activity_body, assert_scanned, attendances, create_activity, finished_activity,
    open_activity, qr_url, scan, this_minute,
};
pub use certificates::{issue, issued, today, verify};
pub use commands::{failure, stdout, vledger, vledger_with_key};
pub use console::{browser, console_login, console_page, csrf_token, post_fields, post_form};
pub use database::{Backend, Database, fresh_database};
pub use json::{assert_error, assert_error_parts, id_of, time, with};
pub use ledger::{confirm, hours};
pub use people::Scene;
pub use qr::{decode_page_qr, decode_qr};
pub use rewards::{create_partner, create_reward, give_points, redeem, reward_body};
pub use service::{Service, TestApp, send, settings};
pub use tables::Db;
pub use trainings::{my_trainings, record, training_body, trainings_of_unit};
pub use units::{
    audit_entries, create_organisation, ids, organisations, set_population, sorted, unit_detail,
};
use vledger::config::Settings;
pub use volunteers::{
    STANDARD_ID, applicant, assert_hides_id_number, id_number, import, is_volunteer_no, phone,
    refused, register, row_errors, volunteers_of,
};

pub const SECRET_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
pub const ADMIN_LOGIN: &str = "district-admin";
pub const PASSWORD: &str = "correct-horse-1";

/// Runs each named `async fn(app: TestApp)` twice, as the tests `NAME::sqlite` and
/// `NAME::postgres`. `without_jobs:` first runs them with the scheduled jobs off;
/// `settings(|s| …):` first changes the settings with the closure.
#[macro_export]
macro_rules! both_backends {
    (without_jobs: $($name:ident),+ $(,)?) => {
        $crate::both_backends!(@adjust $crate::support::without_jobs; $($name),+);
    };
    (settings($adjust:expr): $($name:ident),+ $(,)?) => {
        $crate::both_backends!(@adjust $adjust; $($name),+);
    };
    ($($name:ident),+ $(,)?) => {
        $crate::both_backends!(@adjust |_| {}; $($name),+);
    };
    (@adjust $adjust:expr; $($name:ident),+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                use $crate::support::{Backend, run};
                run(Backend::Sqlite, $adjust, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                use $crate::support::{Backend, run};
                run(Backend::Postgres, $adjust, super::$name).await
            }
        }
    )+};
}

/// Runs `test` against a service on a fresh database of `backend` (skipped when PostgreSQL is
/// unreachable outside CI), then stops the service as SIGTERM would.
pub async fn run<F: Future<Output = ()>>(
    backend: Backend,
    adjust: fn(&mut Settings),
    test: impl FnOnce(TestApp) -> F,
) {
    let Some((url, database)) = fresh_database(backend).await else {
        return;
    };
    let mut settings = settings(&url);
    adjust(&mut settings);
    let service = Service::start(settings, Some(database)).await;
    test(service.app.clone()).await;
    service.stop().await;
}

/// For tests that leave a check-in the forgotten check-outs job would close: a scheduled run, at
/// every fifth minute of the clock, would race them.
pub fn without_jobs(settings: &mut Settings) {
    settings.jobs = false;
}
