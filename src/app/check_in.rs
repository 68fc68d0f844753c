//! Checking in and out with an activity's QR code: the URL its code holds now, and what a
//! volunteer's scan of it records (written by [`super::scan_batcher`]). Scans of a volunteer's
//! personal code ([`super::personal_codes`]) are recorded the same way.

use super::AppState;
use crate::domain::attendance::valid_position;
use crate::domain::qr::{self, QrError, QrMode};
use crate::error::codes::{ACTIVITY_CANCELLED, ACTIVITY_FULL, INVALID_QR, OUTSIDE_WINDOW};
use crate::error::{Error, Result};
use crate::store::activities::{Activity, AttendanceSnapshot, Scan, ScanOutcome};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What an activity's code holds at a moment.
pub struct CodeUrl {
    pub url: String,
    /// When this URL stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// The URL for an activity's code at `now`: the static one, or the current rotating one.
pub fn code_url(state: &AppState, activity: &Activity, now: DateTime<Utc>) -> CodeUrl {
    let step = (activity.qr_mode == QrMode::Rotating).then(|| qr::rotation_step(now));
    let code = qr::code(&state.keys.qr, &activity.qr_secret, activity.id, step);
    // A static code checks out until the grace period after the end.
    let expires_at = step.map_or(
        activity.ends_at + state.settings.checkout_grace(),
        qr::step_expires_at,
    );
    CodeUrl {
        url: format!("{}/s/{code}", state.settings.public_url()),
        expires_at,
    }
}

/// A recorded scan: the attendance it leaves, of which activity.
pub struct Recorded {
    pub activity: Arc<Activity>,
    pub attendance: AttendanceSnapshot,
    /// False when the scan repeated one made a moment ago and nothing changed.
    pub changed: bool,
}

fn invalid_qr(e: QrError) -> Error {
    Error::denied(
        INVALID_QR,
        match e {
            QrError::Invalid => "this is not a valid check-in code of this service",
            QrError::Expired => {
                "this code has expired: scan the code on the organizer's screen again"
            }
        },
    )
}

/// The activity whose genuine, current code `scanned` is (a code's URL, or just its code) at
/// `now`; 403 `invalid_qr` for anything else, before anything about the activity is used.
pub async fn scanned_activity(
    state: &AppState,
    scanned: &str,
    now: DateTime<Utc>,
) -> Result<Arc<Activity>> {
    let code = qr::parse(scanned).map_err(invalid_qr)?;
    let activity = state
        .scans
        .activity(&state.store, code.activity_id)
        .await?
        .ok_or_else(|| invalid_qr(QrError::Invalid))?;
    code.verify(&state.keys.qr, &activity.qr_secret, activity.qr_mode, now)
        .map_err(invalid_qr)?;
    Ok(activity)
}

/// Records a volunteer's scan of `scanned` (a code's URL, or just its code) at `now`: the first
/// checks in, a later one checks out, a repeat within a minute changes nothing. `position` is
/// evidence only: a missing or unusable one never blocks the scan.
pub async fn scan(
    state: &AppState,
    volunteer_id: i64,
    scanned: &str,
    position: Option<(f64, f64)>,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let activity = scanned_activity(state, scanned, now).await?;
    let scanner = Scanner {
        position,
        recorded_by: None,
    };
    record(state, activity, volunteer_id, scanner, now).await
}

/// Where a scan was made, and by whom when it was not the volunteer.
pub struct Scanner {
    /// The phone's position, when it gave one.
    pub position: Option<(f64, f64)>,
    /// The staff account that scanned the volunteer's personal code.
    pub recorded_by: Option<i64>,
}

/// Records a scan of `activity` for the volunteer at `now`, through the scan writer, under the
/// activity's rules: its window, its places and its sign-ups.
pub async fn record(
    state: &AppState,
    activity: Arc<Activity>,
    volunteer_id: i64,
    scanner: Scanner,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    if activity.is_cancelled() {
        return Err(Error::conflict(
            ACTIVITY_CANCELLED,
            "this activity has been cancelled",
        ));
    }
    let outcome = state
        .scans
        .record(Scan {
            activity_id: activity.id,
            window: activity.window(),
            capacity: activity.capacity,
            signup_required: activity.signup_required,
            geofence: activity.geofence(),
            volunteer_id,
            at: now,
            position: scanner
                .position
                .filter(|&(lat, lon)| valid_position(lat, lon)),
            grace: state.settings.checkout_grace(),
            recorded_by: scanner.recorded_by,
        })
        .await?;
    match outcome {
        ScanOutcome::Recorded {
            attendance,
            changed,
        } => Ok(Recorded {
            activity,
            attendance,
            changed,
        }),
        ScanOutcome::OutsideWindow => Err(Error::conflict(
            OUTSIDE_WINDOW,
            "check-in opens 30 minutes before the start and closes at the end",
        )),
        ScanOutcome::Full => Err(Error::conflict(
            ACTIVITY_FULL,
            "this activity has no places left",
        )),
    }
}
