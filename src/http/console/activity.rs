//! One activity in the console: its attendances 签到记录, a page at a time (all, those present,
//! those waiting for review; searched by volunteer number or name), refreshing themselves while
//! the page is open, and the organizer's review of them — confirm every checked-out attendance,
//! or confirm, adjust (minutes and a reason) or reject (a reason, perhaps marked fraudulent) one —
//! through the same use case and access check as `POST /api/v1/activities/{id}/confirmations`,
//! all or nothing. The attendances also download as a CSV file. The page also lists the
//! activity's sign-ups 报名 and opens or closes its recruitment, as the API does, and holds the
//! panel that checks volunteers in by their personal code ([`super::code_scans`]).

use super::code_scans::{CodeScanPanel, ScannedQuery};
use super::paging::{ListQuery, Pager};
use super::{StaffForm, StaffVisit, head, see_other, to_activity};
use crate::app::AppState;
use crate::app::ledger::{Evaluation, ReviewRequest, review_as_asked};
use crate::app::signups;
use crate::domain::attendance::AttendanceState;
use crate::domain::evaluation::Rating;
use crate::domain::ledger::Review;
use crate::domain::roles::Role;
use crate::domain::signup::SignupState;
use crate::domain::text::REASON;
use crate::error::codes::{INVALID_FIELD, INVALID_RATING};
use crate::error::{Error, Result};
use crate::http::access::run_activity;
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, csv_file, page};
use crate::store::activities::{Activity, AttendanceRow};
use crate::store::attendances::{AttendanceCounts, AttendanceFilter};
use crate::store::signups::SignupRow;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

/// Texts of the activity's page and its CSV file.
pub const TEXTS: &[Text] = &[
    ("att_total", "共", "All"),
    ("evaluate", "评价", "Rate"),
    ("evaluation_label", "服务评价（可选）", "Rating (optional)"),
    ("evaluation_comment", "评语（可选）", "Comment (optional)"),
    ("att_manual_entry", "补录时长", "Record hours by hand"),
    ("att_show", "显示", "Show"),
    ("att_show_all", "全部", "All"),
    (
        "att_show_present",
        "在场（未签退）",
        "Present (not checked out)",
    ),
    ("att_show_to_review", "待确认", "To confirm"),
    (
        "att_search_hint",
        "志愿者编号或姓名",
        "Volunteer number or name",
    ),
    ("csv_volunteer_no", "志愿者编号", "Volunteer number"),
    ("csv_name", "姓名", "Name"),
    ("csv_state", "状态", "State"),
    ("csv_checked_in", "签到时间", "Checked in"),
    ("csv_checked_out", "签退时间", "Checked out"),
    ("csv_minutes", "时长（分钟）", "Minutes"),
    ("csv_outside_fence", "签到位置异常", "Outside the area"),
    ("csv_review", "确认结果", "Review"),
    ("csv_review_reason", "原因", "Reason"),
    ("csv_without_signup", "未报名签到", "Without sign-up"),
    (
        "without_signup",
        "未报名签到（本活动需报名）",
        "checked in without signing up (sign-up required)",
    ),
    ("signups_heading", "报名情况", "Sign-ups"),
    (
        "signups_optional",
        "无需报名：志愿者可报名预留名额，也可直接签到。",
        "Sign-up optional: volunteers may keep a place or just come.",
    ),
    ("recruitment_open", "报名进行中", "Taking sign-ups"),
    ("recruitment_closed", "报名已截止", "Sign-ups closed"),
    ("close_recruitment", "截止报名", "Close sign-ups"),
    ("open_recruitment", "重新开放报名", "Reopen sign-ups"),
    ("signups_position", "序号", "No."),
    ("signups_checked_in", "签到", "Check-in"),
];

#[derive(Template)]
#[template(path = "console/activity.html")]
struct ActivityPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    activity: Activity,
    when: String,
    counts: AttendanceCounts,
    /// What the list shows: the filter's key and the search.
    shown: AttendanceView,
    /// The view's query string, kept by the review forms so that they return to it.
    view_query: String,
    rows: Vec<Row>,
    pager: Pager,
    notices: Notices,
    signups: Vec<SignupRow>,
    /// `(key, text)` of the texts the panel's camera script shows.
    code_scan_texts: Vec<(&'static str, &'static str)>,
}

impl ActivityPage {
    /// How many sign-ups hold a place.
    fn confirmed(&self) -> usize {
        self.signups
            .iter()
            .filter(|s| s.placed.state == SignupState::Confirmed)
            .count()
    }
}

/// `?show=all|present|to_review&q=…&page=N`: which attendances the page lists.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AttendanceView {
    show: String,
    q: String,
    page: Option<i64>,
}

impl AttendanceView {
    fn list(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            page: self.page,
        }
    }

    fn filter(&self) -> AttendanceFilter {
        match self.show.as_str() {
            "present" => AttendanceFilter::Present,
            "to_review" => AttendanceFilter::ToReview,
            _ => AttendanceFilter::All,
        }
    }

    /// The query string that shows this view again.
    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("show", self.show.as_str()),
            ("q", self.q.as_str()),
            ("page", &self.list().page().to_string()),
        ])
        .unwrap_or_default()
    }
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
    without_signup: bool,
    /// A text key of the review (`confirmed`, `adjusted`, `rejected`), none while it waits.
    review: Option<String>,
    /// Checked out or closed, not yet reviewed: the row's review forms show.
    reviewable: bool,
    /// Confirmed or adjusted: the row's rating form shows, with the latest rating's text key.
    ratable: bool,
    evaluation: Option<String>,
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
        without_signup: a.without_signup,
        reviewable: r.review.is_none() && a.state != AttendanceState::CheckedIn,
        ratable: matches!(r.review.as_deref(), Some("confirmed" | "adjusted")),
        evaluation: r.evaluation.map(|e| format!("rating_{e}")),
        review: r.review,
    }
}

/// What the page says above its lists, after a form.
#[derive(Default)]
pub struct Notices {
    /// Why the last review was refused; nothing was changed.
    pub refused: Option<String>,
    /// What the personal code panel did last.
    pub code_scan: CodeScanPanel,
}

/// The activity's page showing `shown`, answered with `status`.
async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    activity: Activity,
    shown: AttendanceView,
    status: StatusCode,
    notices: Notices,
) -> Result<Response> {
    let zone = state.settings.display_offset();
    let list = &shown.list();
    let mut found = state
        .store
        .attendances_page(
            activity.id,
            shown.filter(),
            list.search(),
            (list.limit(), list.offset()),
        )
        .await?;
    let path = format!("/console/activities/{}?show={}", activity.id, shown.show);
    let pager = list.pager(&path, &mut found);
    let rows = found.into_iter().map(|r| row(r, zone)).collect();
    let counts = state.store.attendance_counts(activity.id).await?;
    let signups = state.store.signups_of(activity.id).await?;
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
        counts,
        view_query: shown.query(),
        shown,
        rows,
        pager,
        notices,
        signups,
        code_scan_texts: CodeScanPanel::script_texts(lang),
    };
    page(status, &view)
}

/// `/console/activities/{id}`: for the organizers and admins of the activity's unit.
pub async fn activity_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
    Query(shown): Query<AttendanceView>,
    Query(scanned): Query<ScannedQuery>,
) -> Result<Response> {
    let activity = run_activity(&state, &session.caller, id, &Role::ORGANIZERS).await?;
    let panel = CodeScanPanel::after(&state.store, activity.id, scanned.scanned).await?;
    render(
        &state,
        (session, lang),
        activity,
        shown,
        StatusCode::OK,
        Notices {
            refused: None,
            code_scan: panel,
        },
    )
    .await
}

/// `/console/activities/{id}/attendances.csv`: every attendance of the activity, for a
/// spreadsheet.
pub async fn attendances_csv(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
) -> Result<Response> {
    let activity = run_activity(&state, &session.caller, id, &Role::ORGANIZERS).await?;
    let zone = state.settings.display_offset();
    let time = |t: Option<DateTime<Utc>>| {
        t.map_or_else(String::new, |t| {
            t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
        })
    };
    let rows = state.store.attendances_of(activity.id).await?;
    let header = [
        "csv_volunteer_no",
        "csv_name",
        "csv_state",
        "csv_checked_in",
        "csv_checked_out",
        "csv_minutes",
        "csv_outside_fence",
        "csv_review",
        "csv_review_reason",
        "csv_without_signup",
    ]
    .map(|key| lang.text(key));
    let lines = rows.into_iter().map(|r| {
        let a = r.attendance;
        [
            r.volunteer_no,
            r.name,
            lang.text(a.state.as_str()).to_owned(),
            time(Some(a.checked_in_at)),
            time(a.checked_out_at),
            a.credited_minutes
                .map_or_else(String::new, |m| m.to_string()),
            if a.outside_geofence { "1" } else { "" }.to_owned(),
            r.review
                .map_or_else(String::new, |k| lang.text(&k).to_owned()),
            r.review_reason.unwrap_or_default(),
            if a.without_signup { "1" } else { "" }.to_owned(),
        ]
    });
    csv_file(&format!("attendances-{id}.csv"), &header, lines)
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
    /// With `confirm`, `adjust` or `evaluate`: a rating 服务评价, empty for none.
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

impl ReviewForm {
    fn request(self) -> Result<ReviewRequest> {
        let which = || {
            self.attendance_id
                .ok_or_else(|| Error::invalid(INVALID_FIELD, "which attendance?"))
        };
        let evaluations = match self.rating.trim() {
            "" if self.action == "evaluate" => {
                return Err(Error::invalid(INVALID_RATING, "choose a rating"));
            }
            "" => Vec::new(),
            typed => vec![Evaluation {
                attendance_id: which()?,
                rating: Rating::parse(typed)
                    .ok_or_else(|| Error::invalid(INVALID_RATING, "choose a rating"))?,
                comment: Some(self.comment.clone()),
            }],
        };
        let one = |review: Option<Review>| -> Result<ReviewRequest> {
            Ok(ReviewRequest {
                reviews: match review {
                    Some(r) => vec![(which()?, r)],
                    None => Vec::new(),
                },
                confirm_all_checked_out: false,
                evaluations: evaluations.clone(),
            })
        };
        match self.action.as_str() {
            "confirm_all" => Ok(ReviewRequest {
                reviews: Vec::new(),
                confirm_all_checked_out: true,
                evaluations: Vec::new(),
            }),
            "confirm" => one(Some(Review::Confirm)),
            "evaluate" => one(None),
            "adjust" => one(Some(Review::Adjust {
                minutes: self
                    .minutes
                    .ok_or_else(|| Error::invalid(INVALID_FIELD, "how many minutes?"))?,
                reason: REASON.parse(&self.reason)?,
            })),
            "reject" => one(Some(Review::Reject {
                reason: REASON.parse(&self.reason)?,
                fraudulent: self.fraudulent.is_some(),
            })),
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
    Query(shown): Query<AttendanceView>,
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
    let back = format!("/console/activities/{id}?{}", shown.query());
    let refused = |_, e: &Error| Notices {
        refused: Some(e.to_string()),
        ..Notices::default()
    };
    let outcome = outcome.map(|_| back);
    answer_form(&state, (session, lang), (activity, shown), outcome, refused).await
}

/// Where a form of the page sends the browser: to the address `outcome` holds when the form did
/// its work, or back to the page (showing `shown`) with what `notices` says of its refusal.
pub async fn answer_form(
    state: &AppState,
    visit: (SignedIn, Lang),
    (activity, shown): (Activity, AttendanceView),
    outcome: Result<String>,
    notices: impl FnOnce(Lang, &Error) -> Notices,
) -> Result<Response> {
    match outcome {
        Ok(location) => Ok(see_other(location)),
        Err(e) if e.is_refusal() => {
            let notices = notices(visit.1, &e);
            render(state, visit, activity, shown, e.status(), notices).await
        }
        Err(e) => Err(e),
    }
}

/// The recruitment form: `open` is `true` to take sign-ups again, `false` to stop.
#[derive(Deserialize)]
pub struct RecruitmentForm {
    open: bool,
}

/// Opens or closes the activity's recruitment and returns to its page.
pub async fn recruitment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm { session, form, .. }: StaffForm<RecruitmentForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let activity = run_activity(&state, caller, id, &Role::ORGANIZERS).await?;
    signups::set_recruitment(&state, caller, &activity, form.open).await?;
    Ok(to_activity(id))
}
