//! A year of confirmed service for the demo: two activities a week in every community, and
//! volunteers whose activity follows a long tail — most serve rarely or not at all, a few serve
//! at almost every activity — so that reports and the selection have real shapes.

use crate::app::AppState;
use crate::domain::attendance::Window;
use crate::domain::ledger::Review;
use crate::store::Unit;
use crate::store::activities::{Activity, Scan, ScanOutcome};
use crate::store::ledger::LedgerRules;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

/// Share of a community's volunteers who serve at all in the year.
const ACTIVE_SHARE: f64 = 0.4;
/// The Pareto exponent of how many activities an active volunteer attends.
const TAIL: f64 = 1.2;

pub struct YearMade {
    pub activities: usize,
    pub entries: usize,
}

/// Activities attended by one active volunteer: at least one, heavy-tailed, at most `all`.
fn attended(rng: &mut StdRng, all: usize) -> usize {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (u.powf(-1.0 / TAIL).floor() as usize).clamp(1, all)
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
        entries: 0,
    };
    for (community, members) in communities.iter().zip(members) {
        let mut activities: Vec<Activity> = Vec::new();
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
                let fields = super::activities::fields(rng, community, window);
                activities.push(
                    store
                        .create_activity(community.id, &fields, &rng.r#gen::<[u8; 16]>(), actor)
                        .await?,
                );
            }
        }
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
        for (activity, volunteers) in activities.iter().zip(&attendees) {
            if volunteers.is_empty() {
                continue;
            }
            let window = activity.window();
            let scan = |volunteer_id, at| Scan {
                activity_id: activity.id,
                window,
                capacity: None,
                geofence: None,
                volunteer_id,
                at,
                position: None,
                grace,
            };
            let mut scans: Vec<Scan> = volunteers
                .iter()
                .map(|&v| {
                    scan(
                        v,
                        window.starts_at + Duration::minutes(rng.gen_range(-20..10)),
                    )
                })
                .collect();
            scans.extend(volunteers.iter().map(|&v| {
                scan(
                    v,
                    window.ends_at + Duration::minutes(rng.gen_range(-25..15)),
                )
            }));
            let outcomes = store.record_scans(&scans).await?;
            let mut reviews = Vec::new();
            for outcome in &outcomes[volunteers.len()..] {
                let ScanOutcome::Recorded { attendance, .. } = outcome else {
                    continue;
                };
                let review = match rng.gen_range(0..100) {
                    0 => Review::Reject {
                        reason: "现场未见本人".into(),
                        fraudulent: rng.gen_bool(0.2),
                    },
                    1..=4 => Review::Adjust {
                        minutes: (i64::from(attendance.credited_minutes.unwrap_or(0)) - 30).max(0),
                        reason: "中途离开".into(),
                    },
                    _ => Review::Confirm,
                };
                reviews.push((attendance.id, review));
            }
            let reviewed =
                crate::app::ledger::review_attendances(store, activity, &reviews, actor, &rules)
                    .await?;
            made.entries += reviewed.iter().filter(|r| r.entry_id.is_some()).count();
        }
    }
    Ok(made)
}
