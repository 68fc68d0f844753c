//! A year of confirmed service for the demo: two activities a week in every community, and
//! volunteers whose activity follows a long tail — most serve rarely or not at all, a few serve
//! at almost every activity — so that reports and the selection have real shapes.
//!
//! The scans and reviews are decided by the same rules as the live paths (the scan state machine,
//! the credited time, the ledger's sources and points) and written in bulk, many activities a
//! transaction; the kept totals are computed from the entries afterwards.

use crate::app::AppState;
use crate::domain::attendance::{
    AttendanceState, Current, ScanDecision, Window, credited_minutes, decide,
};
use crate::domain::ledger::{EntrySource, Review, service_points};
use crate::store::Unit;
use crate::store::bulk::{NewActivity, ReviewMade, ReviewedAttendance};
use crate::store::ledger::{LedgerRules, NewEntry};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

/// Share of a community's volunteers who serve at all in the year.
const ACTIVE_SHARE: f64 = 0.4;
/// The Pareto exponent of how many activities an active volunteer attends.
const TAIL: f64 = 1.2;
/// Attendances written per transaction (give or take a community's).
const ATTENDANCES_PER_TRANSACTION: usize = 100_000;

pub struct YearMade {
    pub activities: usize,
    pub attendances: usize,
    pub entries: usize,
}

/// Activities attended by one active volunteer: at least one, heavy-tailed, at most `all`.
fn attended(rng: &mut StdRng, all: usize) -> usize {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (u.powf(-1.0 / TAIL).floor() as usize).clamp(1, all)
}

/// What a reviewer of the demo decides about the attendance's `credited` minutes.
fn review(rng: &mut StdRng, credited: i64) -> Review {
    match rng.gen_range(0..100) {
        0 => Review::Reject {
            reason: "现场未见本人".into(),
            fraudulent: rng.gen_bool(0.2),
        },
        1..=4 => Review::Adjust {
            minutes: (credited - 30).max(0),
            reason: "中途离开".into(),
        },
        _ => Review::Confirm,
    }
}

/// Everything one review does, as `app::ledger::review_attendances` does it: the entry of the
/// credited minutes (none for a rejection) with the points it earns, and the audit entry.
fn reviewed(
    attendance: &ReviewedAttendance,
    review: Review,
    actor: i64,
    at: DateTime<Utc>,
    rules: &LedgerRules,
) -> anyhow::Result<ReviewMade> {
    let activity = attendance.activity;
    let credited = attendance.credited_minutes.unwrap_or(0);
    let scheduled = activity.window().scheduled_minutes();
    if let Review::Adjust { minutes, .. } = review {
        anyhow::ensure!(
            (0..=scheduled).contains(&minutes),
            "adjusted time is between 0 and the scheduled {scheduled} minutes"
        );
    }
    let minutes = review.minutes(credited);
    let entry = minutes.map(|minutes| {
        let source = EntrySource::of_reviewed(attendance.state);
        NewEntry {
            volunteer_id: attendance.volunteer_id,
            activity_id: Some(activity.id),
            attendance_id: None,
            unit_id: activity.unit_id,
            service_date: activity.starts_at.with_timezone(&rules.offset).date_naive(),
            minutes,
            source,
            corrects_id: None,
            reason: review.reason().map(str::to_owned),
            actor_id: actor,
            points: if source.earns_points() {
                service_points(minutes, rules.points_per_hour)
            } else {
                0
            },
        }
    });
    let audit_after = serde_json::json!({"review": review.name(), "reason": review.reason(), "minutes": minutes,
        "fraudulent": matches!(review, Review::Reject { fraudulent: true, .. })});
    Ok(ReviewMade {
        review,
        actor_id: actor,
        at,
        entry,
        audit_after,
    })
}

pub async fn build(
    state: &AppState,
    rng: &mut StdRng,
    communities: &[Unit],
    members: &[Vec<i64>],
    regulars: &[i64],
    actor: i64,
    year: i32,
) -> anyhow::Result<YearMade> {
    let store = &state.store;
    let rules = LedgerRules {
        points_per_hour: state.settings.points_per_hour,
        offset: state.settings.display_offset(),
    };
    let grace = state.settings.checkout_grace();
    let now = Utc::now();
    let jan1 =
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| anyhow::anyhow!("no year {year}"))?;
    let mut made = YearMade {
        activities: 0,
        attendances: 0,
        entries: 0,
    };
    let mut bulk = store.bulk().await?;
    let mut in_transaction = 0;
    for (community, members) in communities.iter().zip(members) {
        let mut planned = Vec::new();
        for week in 0..52 {
            for _ in 0..2 {
                let day = jan1 + Duration::days(7 * week + rng.gen_range(0..7));
                // 09:00 or 14:00 local time.
                let hour = [9, 14][rng.gen_range(0..2)];
                let starts_at = rules
                    .offset
                    .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
                    .unwrap()
                    .with_timezone(&Utc);
                let window = Window {
                    starts_at,
                    ends_at: starts_at + Duration::minutes(rng.gen_range(4..9) * 30),
                };
                if window.ends_at + grace >= now {
                    continue;
                }
                planned.push(NewActivity {
                    unit: community,
                    fields: super::activities::fields(rng, community, window),
                    qr_secret: rng.r#gen(),
                });
            }
        }
        let activities = bulk.activities(&planned, actor).await?;
        made.activities += activities.len();
        if activities.is_empty() {
            continue;
        }
        let mut attendees: Vec<Vec<i64>> = vec![Vec::new(); activities.len()];
        for &volunteer in members {
            let regular = regulars.contains(&volunteer);
            if regular || rng.gen_bool(ACTIVE_SHARE) {
                let k = attended(rng, activities.len());
                let k = if regular {
                    k.max(activities.len() / 4)
                } else {
                    k
                };
                for i in sample(rng, activities.len(), k) {
                    attendees[i].push(volunteer);
                }
            }
        }
        let reviewed_at = Utc::now();
        let mut rows = Vec::new();
        for (activity, volunteers) in activities.iter().zip(&attendees) {
            let window = activity.window();
            let arrivals: Vec<DateTime<Utc>> = volunteers
                .iter()
                .map(|_| window.starts_at + Duration::minutes(rng.gen_range(-20..10)))
                .collect();
            let departures: Vec<DateTime<Utc>> = volunteers
                .iter()
                .map(|_| window.ends_at + Duration::minutes(rng.gen_range(-25..15)))
                .collect();
            for ((&volunteer_id, &arrived), &left) in
                volunteers.iter().zip(&arrivals).zip(&departures)
            {
                if decide(None, window, grace, arrived) != ScanDecision::CheckIn {
                    continue;
                }
                let checked_in = Current {
                    state: AttendanceState::CheckedIn,
                    last_scan_at: arrived,
                };
                let mut attendance = ReviewedAttendance {
                    activity,
                    volunteer_id,
                    state: AttendanceState::CheckedIn,
                    checked_in_at: arrived,
                    checked_out_at: None,
                    credited_minutes: None,
                    review: None,
                };
                // A check-out the scan path would refuse leaves the attendance open, unreviewed.
                if decide(Some(checked_in), window, grace, left) == ScanDecision::CheckOut {
                    let credited = credited_minutes(arrived, left, window);
                    attendance.state = AttendanceState::CheckedOut;
                    attendance.checked_out_at = Some(left);
                    attendance.credited_minutes = Some(credited);
                    let review = review(rng, credited);
                    attendance.review =
                        Some(reviewed(&attendance, review, actor, reviewed_at, &rules)?);
                }
                rows.push(attendance);
            }
        }
        made.attendances += rows.len();
        made.entries += bulk.reviewed_attendances(&rows).await?;
        in_transaction += rows.len();
        if in_transaction >= ATTENDANCES_PER_TRANSACTION {
            bulk.commit().await?;
            bulk = store.bulk().await?;
            in_transaction = 0;
        }
    }
    bulk.commit().await?;
    Ok(made)
}
