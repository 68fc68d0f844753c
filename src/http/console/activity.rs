//! One activity in the console: its attendances 签到记录 and the organizer's review of them —
//! confirm every checked-out attendance, or confirm, adjust (minutes and a reason) or reject (a
//! reason, perhaps marked fraudulent) one — through the same use case and access check as
//! `POST /api/v1/activities/{id}/confirmations`, all or nothing.

use super::{StaffForm, StaffVisit, head, to_activity};
use crate::app::AppState;
use crate::app::ledger::{ReviewRequest, review_as_asked};
use crate::domain::attendance::AttendanceState;
use crate::domain::ledger::Review;
use crate::domain::roles::Role;
use crate::domain::text::REASON;
use crate::error::codes::INVALID_FIELD;
use crate::error::{Error, Result};
use crate::http::access::run_activity;
use crate::http::extract::{Path, SignedIn};
use crate::http::pages::texts::Lang;
use crate::http::render::{Head, page};
use crate::store::activities::{Activity, AttendanceRow};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "console/activity.html")]
struct ActivityPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    activity: Activity,
    when: String,
    rows: Vec<Row>,
    /// Why the last review was refused; nothing was changed.
    refused: Option<String>,
}

struct Row {
    id: i64,
    name: String,
    volunteer_no: String,
    /// A text key: `checked_in`, `checked_out`, `auto_closed`.
    state: &'static str,
    times: String,
    minutes: Option<i32>,
    outside_geofence: bool,
    /// A text key of the review (`confirmed`, `adjusted`, `rejected`), none while it waits.
    review: Option<String>,
    /// Checked out or closed, not yet reviewed: the row's review forms show.
    reviewable: bool,
}

fn clock(t: DateTime<Utc>, zone: FixedOffset) -> String {
    t.with_timezone(&zone).format("%H:%M").to_string()
}

fn row(r: AttendanceRow, zone: FixedOffset) -> Row {
    let a = r.attendance;
    let out = a
        .checked_out_at
        .map_or_else(String::new, |t| clock(t, zone));
    Row {
        id: a.id,
        name: r.name,
        volunteer_no: r.volunteer_no,
        state: a.state.as_str(),
        times: format!("{}–{out}", clock(a.checked_in_at, zone)),
        minutes: a.credited_minutes,
        outside_geofence: a.outside_geofence,
        reviewable: r.review.is_none() && a.state != AttendanceState::CheckedIn,
        review: r.review,
    }
}

/// The activity's page, answered with `status`.
async fn render(
    state: &AppState,
    session: SignedIn,
    activity: Activity,
    lang: Lang,
    status: StatusCode,
    refused: Option<String>,
) -> Result<Response> {
    let zone = state.settings.display_offset();
    let rows = state
        .store
        .attendances_of(activity.id)
        .await?
        .into_iter()
        .map(|r| row(r, zone))
        .collect();
    let when = format!(
        "{}–{}",
        activity
            .starts_at
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M"),
        clock(activity.ends_at, zone)
    );
    let view = ActivityPage {
        head: head(lang),
        lang,
        session: Some(session),
        activity,
        when,
        rows,
        refused,
    };
    page(status, &view)
}

/// `/console/activities/{id}`: for the organizers and admins of the activity's unit.
pub async fn activity_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
) -> Result<Response> {
    let activity = run_activity(&state, &session.caller, id, &Role::ORGANIZERS).await?;
    render(&state, session, activity, lang, StatusCode::OK, None).await
}

/// A review form: `action` is `confirm_all`, `confirm`, `adjust` or `reject`.
#[derive(Deserialize)]
pub struct ReviewForm {
    action: String,
    attendance_id: Option<i64>,
    minutes: Option<i64>,
    #[serde(default)]
    reason: String,
    /// A checkbox: present when ticked.
    fraudulent: Option<String>,
}

impl ReviewForm {
    fn request(self) -> Result<ReviewRequest> {
        let one = |review| -> Result<ReviewRequest> {
            let id = self
                .attendance_id
                .ok_or_else(|| Error::invalid(INVALID_FIELD, "which attendance?"))?;
            Ok(ReviewRequest {
                reviews: vec![(id, review)],
                confirm_all_checked_out: false,
            })
        };
        match self.action.as_str() {
            "confirm_all" => Ok(ReviewRequest {
                reviews: Vec::new(),
                confirm_all_checked_out: true,
            }),
            "confirm" => one(Review::Confirm),
            "adjust" => one(Review::Adjust {
                minutes: self
                    .minutes
                    .ok_or_else(|| Error::invalid(INVALID_FIELD, "how many minutes?"))?,
                reason: REASON.parse(&self.reason)?,
            }),
            "reject" => one(Review::Reject {
                reason: REASON.parse(&self.reason)?,
                fraudulent: self.fraudulent.is_some(),
            }),
            other => Err(Error::invalid(
                INVALID_FIELD,
                format!("unknown action {other:?}"),
            )),
        }
    }
}

/// Applies one review form; back to the page when done, or the page again saying why nothing
/// was changed.
pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<ReviewForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let activity = run_activity(&state, caller, id, &Role::ORGANIZERS).await?;
    let rules = state.ledger_rules();
    let outcome = async {
        let asked = form.request()?;
        review_as_asked(&state.store, &activity, asked, caller.user_id, &rules).await
    }
    .await;
    match outcome {
        Ok(_) => Ok(to_activity(id)),
        Err(e @ (Error::Invalid { .. } | Error::Conflict { .. } | Error::NotFound(_))) => {
            render(
                &state,
                session,
                activity,
                lang,
                e.status(),
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
