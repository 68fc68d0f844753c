//! The organizer's activities 我的活动: those waiting for confirmation (overdue first, then by
//! deadline, with the working days left), those under way, those coming up and those ended in the
//! last month, across every unit the caller organizes for.

use super::{StaffVisit, head};
use crate::app::AppState;
use crate::domain::ledger::{confirmation_deadline, working_days_left};
use crate::domain::roles::Role;
use crate::error::Result;
use crate::http::extract::SignedIn;
use crate::http::pages::texts::Lang;
use crate::http::render::page;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use std::collections::HashSet;

/// How far ahead upcoming activities are listed, how far back unconfirmed ones, and how far back
/// ended ones.
const AHEAD_DAYS: i64 = 90;
const BACK_DAYS: i64 = 400;
const ENDED_DAYS: i64 = 31;
/// At most this many activities a list.
const LIMIT: i64 = 500;

#[derive(Template)]
#[template(path = "console/activities.html")]
struct ActivitiesPage {
    head: crate::http::render::Head,
    lang: Lang,
    session: Option<SignedIn>,
    to_confirm: Vec<ToConfirm>,
    under_way: Vec<Scheduled>,
    upcoming: Vec<Scheduled>,
    ended: Vec<Scheduled>,
}

impl ActivitiesPage {
    /// The scheduled lists, each under its heading's text key.
    fn scheduled(&self) -> [(&'static str, &[Scheduled]); 3] {
        [
            ("under_way", &self.under_way),
            ("upcoming", &self.upcoming),
            ("ended_recently", &self.ended),
        ]
    }
}

struct ToConfirm {
    id: i64,
    title: String,
    ended: String,
    unreviewed: i64,
    deadline: NaiveDate,
    /// `None`: overdue.
    days_left: Option<i64>,
}

struct Scheduled {
    id: i64,
    title: String,
    when: String,
}

/// `03-05 09:00–11:30` in the display time zone.
fn span(starts: DateTime<Utc>, ends: DateTime<Utc>, zone: FixedOffset) -> String {
    format!(
        "{}–{}",
        starts.with_timezone(&zone).format("%m-%d %H:%M"),
        ends.with_timezone(&zone).format("%H:%M")
    )
}

pub async fn my_activities(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
) -> Result<Response> {
    let roots = session.caller.roots(&Role::ORGANIZERS);
    let s = &state.settings;
    let zone = s.display_offset();
    let now = Utc::now();
    let today = now.with_timezone(&zone).date_naive();

    let mut seen = HashSet::new();
    let (mut under_way, mut upcoming, mut ended) = (Vec::new(), Vec::new(), Vec::new());
    for root in &roots {
        let from = now - Duration::days(ENDED_DAYS);
        let activities = state
            .store
            .activities_within(root, from, now + Duration::days(AHEAD_DAYS), LIMIT)
            .await?;
        for a in activities.into_iter().filter(|a| seen.insert(a.id)) {
            let row = Scheduled {
                id: a.id,
                when: span(a.starts_at, a.ends_at, zone),
                title: a.title,
            };
            if a.ends_at <= now {
                ended.push(row);
            } else if a.starts_at <= now {
                under_way.push(row);
            } else {
                upcoming.push(row);
            }
        }
    }
    seen.clear();
    let mut to_confirm = Vec::new();
    for root in &roots {
        let pending = state
            .store
            .pending_reviews(root, now - Duration::days(BACK_DAYS), now)
            .await?;
        for p in pending.into_iter().filter(|p| seen.insert(p.id)) {
            let ended_on = p.ends_at.with_timezone(&zone).date_naive();
            let deadline =
                confirmation_deadline(ended_on, s.confirmation_working_days, &s.public_holidays);
            to_confirm.push(ToConfirm {
                id: p.id,
                title: p.title,
                ended: p
                    .ends_at
                    .with_timezone(&zone)
                    .format("%Y-%m-%d")
                    .to_string(),
                unreviewed: p.unreviewed,
                deadline,
                days_left: working_days_left(today, deadline, &s.public_holidays),
            });
        }
    }
    to_confirm.sort_by_key(|r| r.deadline);
    ended.reverse();
    let list = ActivitiesPage {
        head: head(lang),
        lang,
        session: Some(session),
        to_confirm,
        under_way,
        upcoming,
        ended,
    };
    page(StatusCode::OK, &list)
}
