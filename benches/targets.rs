//! The targets report and the backbone job on a large district, beside the raw scans they avoid
//! in the same run: the district-wide report and a street's, through the application and over
//! real HTTP on loopback; the backbone rule applied on two days of the demo year (mid-year, when
//! many statuses change, and at its end); and the database counting volunteers per community and
//! active volunteers by scanning, as the report would without its kept counts.
//!
//!     VLEDGER_DATABASE_URL=sqlite://demo.db vledger demo --volunteers 1000000
//!     VLEDGER_DATABASE_URL=sqlite://demo.db cargo bench --bench targets -- [--runs 30]
//!
//! It opens the database as `vledger serve` would (the same settings and key) and changes the
//! backbone statuses as the daily job would on those days.

mod support;

use chrono::{NaiveDate, TimeZone};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;
use support::{pairs, runs, timed};
use vledger::config::Settings;
use vledger::demo::{DEMO_ADMIN, DEMO_PASSWORD};

fn row(what: &str, (p50, p95, max): (f64, f64, f64)) {
    println!("{what:<64} {p50:>8.1} {p95:>8.1} {max:>8.1}");
}

#[tokio::main]
async fn main() {
    let runs = runs("targets");
    let settings = Settings::load().expect("settings");
    let url = settings.database_url.clone();
    let state = vledger::service::open(settings)
        .await
        .expect("the demo database");
    let store = &state.store;
    let volunteers = pairs(&url, "SELECT COUNT(*), CAST(0 AS BIGINT) FROM volunteers").await[0].0;
    let year = pairs(
        &url,
        "SELECT CAST(COALESCE(MAX(year), 2025) AS BIGINT), CAST(0 AS BIGINT) FROM ledger_entries",
    )
    .await[0]
        .0 as i32;
    let district = store
        .root_unit()
        .await
        .unwrap()
        .expect("run `vledger demo` first");
    let street = pairs(
        &url,
        &format!(
            "SELECT MIN(id), CAST(0 AS BIGINT) FROM units WHERE parent_id = {}",
            district.id
        ),
    )
    .await[0]
        .0;
    let street = store.unit(street).await.unwrap().unwrap();
    println!("{volunteers} volunteers; year {year}; {runs} runs each");

    // The backbone job, on two days of the year.
    let rule = state.settings.backbone_rule();
    let offset = state.settings.display_offset();
    for day in [
        NaiveDate::from_ymd_opt(year, 6, 30).unwrap(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
    ] {
        let at = offset
            .from_local_datetime(&day.and_hms_opt(2, 0, 0).unwrap())
            .unwrap();
        let t = Instant::now();
        let run = vledger::app::backbone::apply_rule(store, &rule, at)
            .await
            .unwrap();
        println!(
            "backbone job on {day}: {:.2} s ({} meet the rule, {} became backbone, {} ceased)",
            t.elapsed().as_secs_f64(),
            run.meeting,
            run.became_backbone,
            run.ceased
        );
    }

    println!("{:<64} {:>8} {:>8} {:>8}", "", "p50 ms", "p95 ms", "max ms");
    for unit in [&district, &street] {
        let rows = vledger::app::targets::report(store, unit, year)
            .await
            .unwrap();
        let what = format!(
            "report of {} ({} rows), in the application",
            unit.name,
            rows.len()
        );
        row(
            &what,
            timed(runs, || async {
                vledger::app::targets::report(store, unit, year)
                    .await
                    .unwrap();
            })
            .await,
        );
    }

    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let session =
        vledger::app::sessions::log_in(&state, DEMO_ADMIN, DEMO_PASSWORD.into(), loopback)
            .await
            .expect("the demo's admin logs in");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, vledger::http::app(state.clone())).into_future());
    let client = reqwest::Client::new();
    for path in [
        format!(
            "/api/v1/reports/targets?unit_id={}&year={year}",
            district.id
        ),
        format!(
            "/api/v1/reports/targets.csv?unit_id={}&year={year}",
            district.id
        ),
    ] {
        let request = || {
            client
                .get(format!("{base}{path}"))
                .bearer_auth(&session.token)
        };
        row(
            &format!("GET {path}"),
            timed(runs, || async {
                let r = request().send().await.unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap();
            })
            .await,
        );
    }

    // What the kept counts save: the same figures by scanning volunteers and yearly totals.
    let scans = runs.min(5);
    row(
        "raw: registered volunteers per community, by scanning",
        timed(scans, || async {
            pairs(
                &url,
                "SELECT community_id, COUNT(*) FROM volunteers GROUP BY community_id",
            )
            .await;
        })
        .await,
    );
    let active = format!(
        "SELECT v.community_id, COUNT(*) FROM volunteer_year_totals t JOIN volunteers v ON v.id = t.volunteer_id
         WHERE t.year = {year} AND t.minutes > 0 GROUP BY v.community_id"
    );
    row(
        "raw: active volunteers per community, by scanning",
        timed(scans, || async {
            pairs(&url, &active).await;
        })
        .await,
    );
}
