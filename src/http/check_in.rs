//! Check-in from a volunteer's phone: `POST /api/v1/scans` records the scan of an activity's QR
//! code. (`GET /s/{code}`, the page a scanned code opens, is in `pages.rs`.)

use super::extract::Json;
use crate::app::AppState;
use crate::app::check_in::{self, Recorded};
use crate::domain::hours::hours;
use crate::domain::roles::Caller;
use crate::error::codes::{
    ACTIVITY_CANCELLED, ACTIVITY_FULL, INVALID_QR, NOT_A_VOLUNTEER, OUTSIDE_WINDOW,
};
use crate::error::{Error, ErrorBody, Result};
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
    /// Checked in without a confirmed sign-up where sign-up is required (recorded, not refused).
    without_signup: bool,
    /// False when the scan repeated one made a moment ago and nothing changed.
    changed: bool,
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
    let position = body.lat.zip(body.lon);
    let recorded = check_in::scan(&state, caller.user_id, &body.url, position, Utc::now()).await?;
    Ok(Json(answer(recorded)))
}

fn answer(r: Recorded) -> ScanAnswer {
    let a = r.attendance;
    ScanAnswer {
        state: a.state.as_str().to_owned(),
        attendance_id: a.id,
        activity_id: r.activity.id,
        activity_title: r.activity.title.clone(),
        checked_in_at: a.checked_in_at,
        checked_out_at: a.checked_out_at,
        credited_minutes: a.credited_minutes,
        hours: a.credited_minutes.map(|m| hours(i64::from(m))),
        outside_geofence: a.outside_geofence,
        without_signup: a.without_signup,
        changed: r.changed,
    }
}
