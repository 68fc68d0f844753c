//! The use cases that the HTTP handlers, the scheduled jobs, the CLI and the demo share, and the
//! state they run on. Nothing here knows about HTTP: `http/` extracts a request, checks access and
//! calls in here.

pub mod account;
pub mod activities;
pub mod backbone;
pub mod backup;
pub mod check_in;
pub mod corrections;
pub mod import;
pub mod jobs;
pub mod ledger;
pub mod password_reset;
pub mod passwords;
pub mod personal_codes;
pub mod poster;
pub mod profiles;
pub mod registration;
pub mod rewards;
pub mod scan_batcher;
pub mod selection_review;
pub mod selections;
pub mod sessions;
pub mod signups;
pub mod social_workers;
pub mod staff;
pub mod targets;
pub mod throttle;
pub mod trainings;
pub mod units;
pub mod withdrawal;

use crate::config::Settings;
use crate::crypto::Keys;
use crate::store::Store;
use crate::store::ledger::LedgerRules;
use passwords::Passwords;
use scan_batcher::ScanBatcher;
use std::sync::Arc;
use throttle::{LoginThrottle, RegistrationThrottle};

/// What every use case may need: the store, the keys, the settings, the scan writer, the
/// password workers and the throttles.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: Arc<Keys>,
    pub settings: Arc<Settings>,
    /// The group-commit writer of scans.
    pub scans: ScanBatcher,
    pub passwords: Passwords,
    pub logins: LoginThrottle,
    pub registrations: RegistrationThrottle,
}

impl AppState {
    /// The state over an opened store; starts the scan writer, so it needs a Tokio runtime.
    pub fn start(store: Store, keys: Keys, settings: Settings) -> Self {
        AppState {
            scans: ScanBatcher::start(store.clone()),
            passwords: Passwords::start(settings.password_workers, settings.password_queue),
            logins: LoginThrottle::new(&settings),
            registrations: RegistrationThrottle::new(&settings),
            store,
            keys: Arc::new(keys),
            settings: Arc::new(settings),
        }
    }

    /// The settings the ledger applies: points per hour and the time zone of an activity's date.
    pub fn ledger_rules(&self) -> LedgerRules {
        LedgerRules {
            points_per_hour: self.settings.points_per_hour,
            offset: self.settings.display_offset(),
        }
    }
}
