//! Totals and balances always equal the sum of their entries, whatever sequence of scans, reviews
//! and corrections produced them.

use crate::both_backends;
use crate::support::{TestApp, id_of};
use chrono::{Datelike, Duration};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Connection;
use vledger::app::corrections::correct_entry;
use vledger::app::ledger::review_attendances;
use vledger::domain::ledger::{EntrySource, Review};
use vledger::store::ledger::LedgerRules;

both_backends!(totals_always_equal_the_sum_of_entries);

async fn totals_always_equal_the_sum_of_entries(app: TestApp) {
    let store = &app.state.store;
    let s = app.scene().await;
    let rules = LedgerRules {
        points_per_hour: 1,
        offset: app.state.settings.display_offset(),
    };
    let mut volunteers = Vec::new();
    for n in 1..=4 {
        volunteers.push(app.volunteer(n, s.community).await.0);
    }
    let (mut reviews, mut corrections) = (0, 0);
    for seed in 0..6u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut activities = Vec::new();
        for k in 0..3 {
            // Spread over two years, so that totals are kept per year.
            let days_ago = rng.gen_range(2..500) + k;
            let a = s
                .activity(
                    &app,
                    -Duration::days(days_ago),
                    -Duration::days(days_ago) + Duration::hours(3),
                    "static",
                )
                .await;
            activities.push(app.stored_activity(id_of(&a)).await);
        }
        for _ in 0..25 {
            let a = &activities[rng.gen_range(0..activities.len())];
            let v = volunteers[rng.gen_range(0..volunteers.len())];
            match rng.gen_range(0..4) {
                0 | 1 => {
                    let in_at = a.starts_at + Duration::minutes(rng.gen_range(-30..120));
                    let out_at = in_at + Duration::minutes(rng.gen_range(2..200));
                    store
                        .record_scans(&[app.scan_at(a, v, in_at), app.scan_at(a, v, out_at)])
                        .await
                        .unwrap();
                }
                2 => {
                    let open: Vec<i64> = store
                        .attendances_of(a.id)
                        .await
                        .unwrap()
                        .into_iter()
                        .filter(|r| {
                            r.review.is_none() && r.attendance.state.as_str() != "checked_in"
                        })
                        .map(|r| r.attendance.id)
                        .collect();
                    if let Some(&id) = open.first() {
                        let review = match rng.gen_range(0..3) {
                            0 => Review::Confirm,
                            1 => Review::Adjust {
                                minutes: rng.gen_range(0..=180),
                                reason: "调整".into(),
                            },
                            _ => Review::Reject {
                                reason: "不符".into(),
                                fraudulent: rng.gen_bool(0.3),
                            },
                        };
                        review_attendances(store, a, &[(id, review)], &[], s.organizer_id, &rules)
                            .await
                            .unwrap();
                        reviews += 1;
                    }
                }
                _ => {
                    let year = a.starts_at.with_timezone(&rules.offset).year();
                    let entries = store.volunteer_entries(v, year).await.unwrap();
                    if let Some(e) = entries
                        .iter()
                        .find(|e| e.entry.source != EntrySource::Correction)
                    {
                        let (entry, path) = store.entry(e.entry.id).await.unwrap().unwrap();
                        correct_entry(
                            store,
                            &entry,
                            &path,
                            rng.gen_range(0..=180),
                            "更正",
                            s.organizer_id,
                        )
                        .await
                        .unwrap();
                        corrections += 1;
                    }
                }
            }
        }
        check_totals(&app).await;
    }
    assert!(
        reviews > 5 && corrections > 5,
        "the sequences reviewed {reviews} and corrected {corrections}"
    );
}

/// (volunteer, year, kept minutes, summed minutes), (kept balance, summed points) and
/// (volunteer, month, kept minutes, summed minutes, kept activities, counted activities).
type Checks = (
    Vec<(i64, i64, i64, i64)>,
    Vec<(i64, i64)>,
    Vec<(i64, i64, i64, i64, i64, i64)>,
);

/// Yearly and monthly totals against the ledger itself, balances against the points ledger, and
/// the counts the targets report sums against a count from scratch.
async fn check_totals(app: &TestApp) {
    let (totals, points, months): Checks = if app.database_url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&app.database_url)
            .await
            .unwrap();
        (
            sqlx::query_as(TOTALS).fetch_all(&mut c).await.unwrap(),
            sqlx::query_as(POINTS).fetch_all(&mut c).await.unwrap(),
            sqlx::query_as(MONTHS).fetch_all(&mut c).await.unwrap(),
        )
    } else {
        let mut c = sqlx::PgConnection::connect(&app.database_url)
            .await
            .unwrap();
        (
            sqlx::query_as(TOTALS_PG).fetch_all(&mut c).await.unwrap(),
            sqlx::query_as(POINTS_PG).fetch_all(&mut c).await.unwrap(),
            sqlx::query_as(MONTHS_PG).fetch_all(&mut c).await.unwrap(),
        )
    };
    for (volunteer, year, kept, summed) in totals {
        assert_eq!(
            kept, summed,
            "volunteer {volunteer} year {year}: totals {kept} ≠ entries {summed}"
        );
    }
    for (kept, summed) in points {
        assert_eq!(
            kept, summed,
            "points balance {kept} ≠ points entries {summed}"
        );
    }
    for (volunteer, month, kept, summed, kept_activities, counted) in months {
        assert_eq!(
            (kept, kept_activities),
            (summed, counted),
            "volunteer {volunteer} month {month}: totals ≠ entries"
        );
    }
    let store = &app.state.store;
    let kept = store.target_count_rows().await.unwrap();
    store
        .rebuild_target_counts(app.state.settings.display_offset())
        .await
        .unwrap();
    assert_eq!(kept, store.target_count_rows().await.unwrap());
}

const TOTALS: &str = "SELECT t.volunteer_id, t.year, t.minutes, COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e
    WHERE e.volunteer_id = t.volunteer_id AND e.year = t.year), 0) FROM volunteer_year_totals t";

const TOTALS_PG: &str = "SELECT t.volunteer_id, t.year::bigint, t.minutes, COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e
    WHERE e.volunteer_id = t.volunteer_id AND e.year = t.year), 0)::bigint FROM volunteer_year_totals t";

const POINTS: &str = "SELECT b.balance, (SELECT SUM(p.points) FROM points_entries p WHERE p.volunteer_id = b.volunteer_id)
    FROM points_balances b";

const POINTS_PG: &str = "SELECT b.balance, (SELECT SUM(p.points) FROM points_entries p WHERE p.volunteer_id = b.volunteer_id)::bigint
    FROM points_balances b";

const MONTHS: &str = "SELECT t.volunteer_id, t.month, t.minutes,
    COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e WHERE e.volunteer_id = t.volunteer_id
        AND CAST(strftime('%Y%m', e.service_date) AS INTEGER) = t.month), 0),
    t.activities,
    (SELECT COUNT(DISTINCT e.activity_id) FROM ledger_entries e WHERE e.volunteer_id = t.volunteer_id
        AND CAST(strftime('%Y%m', e.service_date) AS INTEGER) = t.month)
    FROM volunteer_month_totals t";

const MONTHS_PG: &str = "SELECT t.volunteer_id, t.month::bigint, t.minutes::bigint,
    COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e WHERE e.volunteer_id = t.volunteer_id
        AND to_char(e.service_date, 'YYYYMM')::integer = t.month), 0)::bigint,
    t.activities::bigint,
    (SELECT COUNT(DISTINCT e.activity_id) FROM ledger_entries e WHERE e.volunteer_id = t.volunteer_id
        AND to_char(e.service_date, 'YYYYMM')::integer = t.month)::bigint
    FROM volunteer_month_totals t";
