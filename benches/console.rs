//! Console pages over real HTTP on loopback against a large district, beside the store's own
//! queries for the same rows in the same run: the volunteer list of the street with the most
//! volunteers (first page, a deep page, and searches by name, number and phone), and an activity
//! with 2,000 attendances (its first page, a filtered deep page, a search, and its CSV file).
//!
//!     VLEDGER_DATABASE_URL=sqlite://demo.db vledger demo --volunteers 1000000
//!     VLEDGER_DATABASE_URL=sqlite://demo.db cargo bench --bench console -- [--runs 30]
//!
//! It opens the database as `vledger serve` would (the same settings and key), logs in as the
//! demo's district admin and adds one activity with 2,000 attendances to the database each run.

use chrono::{Duration, Utc};
use std::net::{IpAddr, Ipv4Addr};
use vledger::app::AppState;
use vledger::config::Settings;
use vledger::demo::{DEMO_ADMIN, DEMO_PASSWORD};
use vledger::domain::attendance::Window;
use vledger::domain::qr::QrMode;
use vledger::store::activities::{ActivityFields, Scan};
use vledger::store::attendances::AttendanceFilter;

mod support;

use support::{pairs, runs, timed};

const ATTENDANCES: usize = 2000;

/// An activity under way in `community` with `ATTENDANCES` of the street's volunteers checked
/// in and out.
async fn crowded_activity(state: &AppState, community: i64, volunteers: &[i64]) -> i64 {
    let now = Utc::now();
    let window = Window {
        starts_at: now - Duration::hours(2),
        ends_at: now + Duration::hours(1),
    };
    let fields = ActivityFields {
        title: "基准测试：2000人的活动".into(),
        place: "社区广场".into(),
        content: "控制台基准测试".into(),
        category: "社区服务".into(),
        organiser: "社区".into(),
        person_in_charge: "负责人".into(),
        window,
        capacity: None,
        geofence: None,
        qr_mode: QrMode::Static,
        signup_required: false,
    };
    let activity = state
        .store
        .create_activity(community, &fields, b"bench secret", 1)
        .await
        .unwrap();
    let scan = |volunteer_id, at| Scan {
        activity_id: activity.id,
        window,
        capacity: None,
        signup_required: false,
        geofence: None,
        volunteer_id,
        at,
        position: None,
        grace: state.settings.checkout_grace(),
        recorded_by: None,
    };
    for chunk in volunteers.chunks(500) {
        let ins: Vec<Scan> = chunk
            .iter()
            .map(|&v| scan(v, now - Duration::minutes(100)))
            .collect();
        state.store.record_scans(&ins).await.unwrap();
        let outs: Vec<Scan> = chunk.iter().map(|&v| scan(v, now)).collect();
        state.store.record_scans(&outs).await.unwrap();
    }
    activity.id
}

#[tokio::main]
async fn main() {
    let runs = runs("console");
    let settings = Settings::load().expect("settings");
    let url = settings.database_url.clone();
    let state = vledger::service::open(settings)
        .await
        .expect("the demo database");
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let session =
        vledger::app::sessions::log_in(&state, DEMO_ADMIN, DEMO_PASSWORD.into(), loopback)
            .await
            .expect("the demo's admin logs in (run `vledger demo` first)");

    let total = pairs(&url, "SELECT COUNT(*), CAST(0 AS BIGINT) FROM volunteers").await[0].0;
    let (street, in_street) = pairs(
        &url,
        "SELECT c.parent_id, COUNT(*) FROM volunteers v JOIN units c ON c.id = v.community_id
         GROUP BY c.parent_id ORDER BY 2 DESC LIMIT 1",
    )
    .await[0];
    let street_path = state.store.unit(street).await.unwrap().unwrap().path;
    let sample: Vec<(i64, i64)> = pairs(
        &url,
        &format!(
            "SELECT v.id, v.community_id FROM volunteers v JOIN units c ON c.id = v.community_id
             WHERE c.parent_id = {street} ORDER BY v.id LIMIT {ATTENDANCES}"
        ),
    )
    .await;
    let community = sample[0].1;
    let ids: Vec<i64> = sample.iter().map(|&(v, _)| v).collect();
    let one = state
        .store
        .volunteer(ids[ATTENDANCES / 2])
        .await
        .unwrap()
        .unwrap();
    let activity = crowded_activity(&state, community, &ids).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, vledger::http::app(state.clone())).into_future());
    let client = reqwest::Client::new();
    let cookie = format!("vledger_session={}", session.token);

    println!(
        "{} volunteers in the database; street {street} has {in_street}; activity {activity} has {ATTENDANCES} attendances; {runs} runs each",
        total
    );
    println!(
        "{:<58} {:>8} {:>8} {:>8} {:>9}",
        "page", "p50 ms", "p95 ms", "max ms", "bytes"
    );
    let number_prefix = &one.volunteer_no[..6];
    let surname: String = one.name.chars().take(1).collect();
    let pages = [
        format!("/console/volunteers?unit_id={street}"),
        format!("/console/volunteers?unit_id={street}&page=200"),
        format!("/console/volunteers?unit_id={street}&q={surname}"),
        format!("/console/volunteers?unit_id={street}&q={number_prefix}"),
        format!("/console/volunteers?unit_id={street}&q={}", one.phone),
        format!("/console/activities/{activity}"),
        format!("/console/activities/{activity}?show=to_review&page=30"),
        format!("/console/activities/{activity}?q={surname}"),
        format!("/console/activities/{activity}/attendances.csv"),
    ];
    for page in &pages {
        let bytes = std::cell::Cell::new(0);
        let (p50, p95, max) = timed(runs, || {
            let request = client
                .get(format!("{base}{page}"))
                .header("cookie", &cookie);
            let bytes = &bytes;
            async move {
                let r = request.send().await.unwrap();
                assert_eq!(r.status(), 200, "{page}");
                bytes.set(r.bytes().await.unwrap().len());
            }
        })
        .await;
        println!(
            "{page:<58} {p50:>8.1} {p95:>8.1} {max:>8.1} {:>9}",
            bytes.get()
        );
    }

    // The store's own reads for the same first pages, without HTTP or rendering.
    let year = chrono::Datelike::year(&Utc::now());
    let roots = [street_path];
    let store = &state.store;
    let (p50, p95, max) = timed(runs, || async {
        store
            .search_volunteers(&roots, None, year, 51, 0)
            .await
            .unwrap();
    })
    .await;
    println!(
        "{:<58} {p50:>8.1} {p95:>8.1} {max:>8.1}",
        "store: the street's first 51 volunteers"
    );
    let (p50, p95, max) = timed(runs, || async {
        store
            .attendances_page(activity, AttendanceFilter::All, None, (51, 0))
            .await
            .unwrap();
    })
    .await;
    println!(
        "{:<58} {p50:>8.1} {p95:>8.1} {max:>8.1}",
        "store: the activity's first 51 attendances"
    );
}
