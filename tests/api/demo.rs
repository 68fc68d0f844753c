//! The demo district written in bulk keeps the ledger's rules: its totals, monthly totals and
//! balances equal the sums over its entries, its targets' counts equal a rebuild of them, and
//! every column of the targets report has data.

use crate::both_backends;
use crate::support::Db;
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use vledger::demo::{DEMO_ADMIN, DEMO_PASSWORD};

both_backends!(without_jobs: demo_year_keeps_totals_equal_to_the_ledger_and_fills_the_targets_report);

const YEAR: i32 = 2025;

async fn demo_year_keeps_totals_equal_to_the_ledger_and_fills_the_targets_report(app: TestApp) {
    let summary = vledger::demo::build(&app.state, 2000, YEAR, 11)
        .await
        .unwrap();
    let mut db = Db::open(&app).await;
    let sqlite = app.database_url.starts_with("sqlite:");

    for table in ["ledger_entries", "points_entries", "volunteer_month_totals"] {
        assert!(db.count(table).await > 1000, "{table}: {summary}");
    }
    for review in ["confirmed", "adjusted", "rejected"] {
        let sql = format!("SELECT COUNT(*) FROM attendances WHERE review = '{review}'");
        let n = db.number(&sql, &[]).await;
        assert!(n > 0, "no attendance {review}");
    }
    let settings = &app.state.settings;
    let checks = ledger_checks(
        sqlite,
        settings.display_utc_offset_minutes,
        settings.points_per_hour,
    );
    for (what, sql) in checks {
        assert_eq!(db.number(&sql, &[]).await, 0, "{what}");
    }

    let store = &app.state.store;
    let kept = store.target_count_rows().await.unwrap();
    store
        .rebuild_target_counts(app.state.settings.display_offset())
        .await
        .unwrap();
    assert_eq!(kept, store.target_count_rows().await.unwrap());

    let backbone = db
        .number("SELECT COUNT(*) FROM backbone_status WHERE backbone", &[])
        .await;
    let said = summary
        .split_once(" backbone volunteers on ")
        .and_then(|(before, _)| before.rsplit(' ').next())
        .unwrap_or_else(|| panic!("{summary}"));
    assert_eq!(said, backbone.to_string(), "{summary}");
    assert!(backbone > 0, "{summary}");

    let admin = app.login(DEMO_ADMIN, DEMO_PASSWORD).await;
    let district = app.district_id().await;
    let path = format!("/api/v1/reports/targets?unit_id={district}&year={YEAR}");
    let (status, rows) = app.get(&path, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    let rows = rows.as_array().unwrap();
    let whole = &rows[0];
    for column in [
        "registered",
        "resident_population",
        "active",
        "backbone",
        "volunteer_orgs",
        "social_orgs",
        "professional_social_workers",
        "staff",
        "qualified_staff",
    ] {
        assert!(whole[column].as_i64().unwrap() > 0, "{column}: {whole}");
    }
    for rate in [
        "registration_rate",
        "participation_rate",
        "backbone_share",
        "qualified_staff_share",
    ] {
        assert!(whole[rate].is_string(), "{rate}: {whole}");
    }
    assert_eq!(whole["backbone"], backbone, "{whole}");
    let shares: std::collections::BTreeSet<String> = rows
        .iter()
        .filter(|r| r["kind"] == "street")
        .map(|r| r["qualified_staff_share"].to_string())
        .collect();
    assert!(shares.len() > 1, "the streets' qualified staff: {shares:?}");
    assert!(
        rows.iter()
            .any(|r: &Value| r["kind"] == "community" && r["professional_social_workers"] == 0)
            && rows
                .iter()
                .any(|r| r["kind"] == "community"
                    && r["professional_social_workers"].as_i64() > Some(0)),
        "some communities have social workers and some not"
    );
}

/// `(what must hold, a count of the rows where it does not)`, for the database in use.
fn ledger_checks(
    sqlite: bool,
    offset_minutes: i32,
    points_per_hour: i64,
) -> Vec<(&'static str, String)> {
    let (month, year, local_date) = if sqlite {
        (
            "CAST(strftime('%Y%m', e.service_date) AS INTEGER)",
            "CAST(strftime('%Y', e.service_date) AS INTEGER)",
            format!("date(x.starts_at, '{offset_minutes:+} minutes')"),
        )
    } else {
        (
            "CAST(to_char(e.service_date, 'YYYYMM') AS INTEGER)",
            "CAST(to_char(e.service_date, 'YYYY') AS INTEGER)",
            format!(
                "CAST((x.starts_at AT TIME ZONE 'UTC') + make_interval(mins => {offset_minutes}) AS DATE)"
            ),
        )
    };
    vec![
        (
            "yearly totals are the sums of the year's entries",
            "SELECT COUNT(*) FROM volunteer_year_totals t WHERE
                 t.minutes <> COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e
                     WHERE e.volunteer_id = t.volunteer_id AND e.year = t.year), 0)
                 OR t.activities <> (SELECT COUNT(DISTINCT e.activity_id) FROM ledger_entries e
                     WHERE e.volunteer_id = t.volunteer_id AND e.year = t.year)
                 OR t.points <> COALESCE((SELECT SUM(p.points) FROM points_entries p
                     JOIN ledger_entries e ON e.id = p.ledger_entry_id
                     WHERE e.volunteer_id = t.volunteer_id AND e.year = t.year), 0)"
                .into(),
        ),
        (
            "every year with entries has its totals",
            "SELECT COUNT(*) FROM (SELECT DISTINCT volunteer_id, year FROM ledger_entries) e
             WHERE NOT EXISTS (SELECT 1 FROM volunteer_year_totals t
                 WHERE t.volunteer_id = e.volunteer_id AND t.year = e.year)"
                .into(),
        ),
        (
            "monthly totals are the sums of the month's entries",
            format!(
                "SELECT COUNT(*) FROM volunteer_month_totals t WHERE
                     t.minutes <> COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e
                         WHERE e.volunteer_id = t.volunteer_id AND {month} = t.month), 0)
                     OR t.activities <> (SELECT COUNT(DISTINCT e.activity_id) FROM ledger_entries e
                         WHERE e.volunteer_id = t.volunteer_id AND {month} = t.month)"
            ),
        ),
        (
            "every month with entries has its totals",
            format!(
                "SELECT COUNT(*) FROM (SELECT DISTINCT e.volunteer_id, {month} AS month
                     FROM ledger_entries e) e
                 WHERE NOT EXISTS (SELECT 1 FROM volunteer_month_totals t
                     WHERE t.volunteer_id = e.volunteer_id AND t.month = e.month)"
            ),
        ),
        (
            "balances are the sums of the points entries",
            "SELECT COUNT(*) FROM points_balances b WHERE b.balance <>
                 (SELECT SUM(p.points) FROM points_entries p WHERE p.volunteer_id = b.volunteer_id)"
                .into(),
        ),
        (
            "every volunteer with points has a balance",
            "SELECT COUNT(DISTINCT p.volunteer_id) FROM points_entries p
             WHERE NOT EXISTS (SELECT 1 FROM points_balances b WHERE b.volunteer_id = p.volunteer_id)"
                .into(),
        ),
        (
            "a scanned entry earns points_per_hour a full hour",
            format!(
                "SELECT COUNT(*) FROM ledger_entries e WHERE e.source = 'qr'
                 AND COALESCE((SELECT SUM(p.points) FROM points_entries p
                     WHERE p.ledger_entry_id = e.id), 0) <> e.minutes * {points_per_hour} / 60"
            ),
        ),
        (
            "entries are dated on the activity's local day, in its year",
            format!(
                "SELECT COUNT(*) FROM ledger_entries e JOIN activities x ON x.id = e.activity_id
                 WHERE e.service_date <> {local_date} OR e.year <> {year}"
            ),
        ),
        (
            "confirmed and adjusted attendances have one entry, rejected ones none",
            "SELECT COUNT(*) FROM attendances a WHERE (a.review IS NULL OR a.review = 'rejected')
                 = EXISTS (SELECT 1 FROM ledger_entries e WHERE e.attendance_id = a.id)"
                .into(),
        ),
        (
            "a confirmed entry credits the attendance's time, clipped to the window",
            "SELECT COUNT(*) FROM ledger_entries e JOIN attendances a ON a.id = e.attendance_id
             WHERE e.source <> 'qr' OR a.state <> 'checked_out'
                 OR (a.review = 'confirmed' AND e.minutes <> a.credited_minutes)
                 OR e.minutes > a.credited_minutes"
                .into(),
        ),
        (
            "only checked-out attendances are reviewed",
            "SELECT COUNT(*) FROM attendances WHERE review IS NOT NULL AND state <> 'checked_out'"
                .into(),
        ),
        (
            "a volunteer's social worker serves the volunteer's community",
            "SELECT COUNT(*) FROM volunteer_social_workers a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.user_id = a.social_worker_id
                 AND g.role = 'social_worker' AND g.unit_id = v.community_id)"
                .into(),
        ),
        (
            "every volunteer of a community with social workers has one",
            "SELECT COUNT(*) FROM volunteers v
             WHERE EXISTS (SELECT 1 FROM grants g WHERE g.role = 'social_worker'
                 AND g.unit_id = v.community_id)
             AND NOT EXISTS (SELECT 1 FROM volunteer_social_workers a WHERE a.volunteer_id = v.id)"
                .into(),
        ),
    ]
}
