//! Scans from a volunteer's phone: `POST /api/v1/scans` records one; `GET /s/{code}` is the page
//! a scanned QR code opens.

use super::extract::Json;
use crate::app::AppState;
use crate::domain::attendance::valid_position;
use crate::domain::hours::hours;
use crate::domain::qr::{self, QrError};
use crate::domain::roles::Caller;
use crate::error::codes::{
    ACTIVITY_CANCELLED, ACTIVITY_FULL, INVALID_QR, NOT_A_VOLUNTEER, OUTSIDE_WINDOW,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::activities::{AttendanceSnapshot, Scan, ScanOutcome};
use axum::extract::State;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scan))
}

#[derive(Deserialize, ToSchema)]
pub struct ScanBody {
    /// The scanned text: the full URL, or just its code.
    url: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ScanAnswer {
    /// `checked_in`, `checked_out` or `auto_closed`.
    state: String,
    attendance_id: i64,
    activity_id: i64,
    activity_title: String,
    checked_in_at: DateTime<Utc>,
    checked_out_at: Option<DateTime<Utc>>,
    credited_minutes: Option<i32>,
    /// Credited time in hours, two places (`"2.50"`), once checked out.
    #[schema(value_type = Option<String>)]
    hours: Option<Decimal>,
    /// The phone's position was outside the activity's geofence (recorded, not refused).
    outside_geofence: bool,
    /// False when the scan repeated one made a moment ago and nothing changed.
    changed: bool,
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

/// Records a scan: the first checks in, a later one checks out, a repeat within a minute changes
/// nothing and answers the same state.
#[utoipa::path(post, path = "/api/v1/scans", tag = "scans", request_body = ScanBody,
    responses((status = 200, body = ScanAnswer), (status = 401, body = ErrorBody),
              (status = 403, description = [INVALID_QR, NOT_A_VOLUNTEER].join(", "), body = ErrorBody),
              (status = 409, description = [OUTSIDE_WINDOW, ACTIVITY_CANCELLED, ACTIVITY_FULL].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn scan(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ScanBody>,
) -> Result<Json<ScanAnswer>> {
    if !caller.is_volunteer {
        return Err(Error::denied(
            NOT_A_VOLUNTEER,
            "only a registered volunteer can check in",
        ));
    }
    let now = Utc::now();
    let code = qr::parse(&body.url).map_err(invalid_qr)?;
    let activity = state
        .scans
        .activity(state.store.as_ref(), code.activity_id)
        .await?
        .ok_or_else(|| invalid_qr(QrError::Invalid))?;
    code.verify(&state.keys.qr, &activity.qr_secret, activity.qr_mode, now)
        .map_err(invalid_qr)?;
    if activity.is_cancelled() {
        return Err(Error::conflict(
            ACTIVITY_CANCELLED,
            "this activity has been cancelled",
        ));
    }
    // A position is evidence only: a missing or unusable one never blocks the scan.
    let position = match (body.lat, body.lon) {
        (Some(lat), Some(lon)) if valid_position(lat, lon) => Some((lat, lon)),
        _ => None,
    };
    let outcome = state
        .scans
        .record(Scan {
            activity_id: activity.id,
            window: activity.window(),
            capacity: activity.capacity,
            geofence: activity.geofence(),
            volunteer_id: caller.user_id,
            at: now,
            position,
            grace: state.settings.checkout_grace(),
        })
        .await?;
    match outcome {
        ScanOutcome::Recorded {
            attendance,
            changed,
        } => Ok(Json(answer(
            attendance,
            changed,
            activity.id,
            activity.title.clone(),
        ))),
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

fn answer(
    a: AttendanceSnapshot,
    changed: bool,
    activity_id: i64,
    activity_title: String,
) -> ScanAnswer {
    ScanAnswer {
        state: a.state.as_str().to_owned(),
        attendance_id: a.id,
        activity_id,
        activity_title,
        checked_in_at: a.checked_in_at,
        checked_out_at: a.checked_out_at,
        credited_minutes: a.credited_minutes,
        hours: a.credited_minutes.map(|m| hours(i64::from(m))),
        outside_geofence: a.outside_geofence,
        changed,
    }
}
