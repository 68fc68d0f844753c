//! What every HTTP test stands on: a real service over a real database, started the way
//! `vledger serve` starts it, and the people, places and activities the stories begin with.

mod database;
mod people;
mod service;

pub use database::{Backend, Database, fresh_database};
pub use people::{applicant, id_number, phone};
pub use service::{Service, TestApp, settings};
use vledger::config::Settings;

pub const SECRET_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
pub const ADMIN_LOGIN: &str = "district-admin";
pub const PASSWORD: &str = "correct-horse-1";

/// Runs each named `async fn(app: TestApp)` twice, as the tests `NAME::sqlite` and
/// `NAME::postgres`. `without_jobs:` first runs them with the scheduled jobs off.
#[macro_export]
macro_rules! both_backends {
    (without_jobs: $($name:ident),+ $(,)?) => {
        $crate::both_backends!(@adjust $crate::support::without_jobs; $($name),+);
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

/// For tests of what the forgotten check-outs job does: a scheduled run, at every fifth minute
/// of the clock, would race the test's own run of the job.
pub fn without_jobs(settings: &mut Settings) {
    settings.jobs = false;
}
