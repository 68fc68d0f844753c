//! The policy targets report against a hand count: a street with a community over its targets,
//! one under them and one without a population; volunteers brought over with the date they
//! first registered; service at 23:30 on 31 December (that year) and at 07:00 on 1 January (the
//! next, though it is still 31 December in UTC); roll-ups that divide sums by sums; the CSV.

use crate::both_backends;
use crate::support::{
    TestApp, activity_body, assert_error, confirm, create_activity, create_organisation, id_number,
    id_of, import, phone, set_population,
};
use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    the_report_matches_a_hand_count_of_last_year,
    the_csv_holds_the_same_rows,
    a_community_admin_reads_only_their_own_subtree,
    kept_counts_equal_a_count_from_scratch,
);

/// Last year, where the service shows its dates (UTC+8).
fn last_year() -> i32 {
    (Utc::now() + chrono::Duration::hours(8)).year() - 1
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// `y-m-d h:min` in China as UTC.
fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    china()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// The fixture's places and people.
struct Fixture {
    admin: String,
    organizer: String,
    district: i64,
    street: i64,
    /// Population 100: 12 registered last year, 1 this year; 4 served last year.
    garden: i64,
    /// Population 50: 2 registered, none served.
    bamboo: i64,
    /// No population for last year: 3 registered, 1 served.
    happy: i64,
    /// The volunteers of 花园社区 registered last year, in import order.
    garden_volunteers: Vec<i64>,
    happy_volunteers: Vec<i64>,
}

/// Imports `count` people from `first` into `community`, registered on `on`: their ids.
async fn bring_over(
    app: &TestApp,
    admin: &str,
    community: i64,
    first: u32,
    count: u32,
    on: &str,
) -> Vec<i64> {
    let mut csv = String::from("name,id_number,phone,community_id,registered_on\n");
    for n in first..first + count {
        csv += &format!("志愿者{n},{},{},{community},{on}\n", id_number(n), phone(n));
    }
    let (status, report) = import(app, admin, &csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], count, "{report}");
    let mut ids = Vec::new();
    for n in first..first + count {
        ids.push(crate::sql!(app, "SELECT id FROM volunteers WHERE phone = $1", phone(n)).unwrap());
    }
    ids
}

/// Serves `volunteers` at a new activity of `community` from `start` to `end` (local times)
/// and confirms them, rejecting `rejected` of them.
async fn serve(
    app: &TestApp,
    f: &Fixture,
    community: i64,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    volunteers: &[i64],
    rejected: &[i64],
) {
    let activity =
        id_of(&create_activity(app, &f.organizer, activity_body(community, start, end)).await);
    let mut attendances = Vec::new();
    for &v in volunteers {
        attendances.push((v, app.served(activity, v, start, Some(end)).await));
    }
    let confirmed: Vec<i64> = attendances
        .iter()
        .filter(|(v, _)| !rejected.contains(v))
        .map(|(_, a)| *a)
        .collect();
    let reject: Vec<Value> = attendances
        .iter()
        .filter(|(v, _)| rejected.contains(v))
        .map(|(_, a)| json!({"attendance_id": a, "reason": "未到场"}))
        .collect();
    let (status, body) = confirm(
        app,
        &f.organizer,
        activity,
        json!({"confirm": confirmed, "reject": reject}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn fixture(app: &TestApp) -> Fixture {
    let y = last_year();
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let street = app
        .create_unit(&admin, "东湖街道", "street", district)
        .await;
    let garden = app
        .create_unit(&admin, "花园社区", "community", street)
        .await;
    let bamboo = app
        .create_unit(&admin, "翠竹社区", "community", street)
        .await;
    let happy = app
        .create_unit(&admin, "幸福社区", "community", street)
        .await;
    let west = app
        .create_unit(&admin, "西山街道", "street", district)
        .await;
    let hill = app.create_unit(&admin, "山景社区", "community", west).await;
    for (unit, population) in [(garden, 100), (bamboo, 50), (hill, 20)] {
        let (status, body) = set_population(app, &admin, unit, y, json!(population)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // 幸福社区 has a population only for this year, not for last.
    set_population(app, &admin, happy, y + 1, json!(80)).await;
    for i in 0..5 {
        create_organisation(
            app,
            &admin,
            garden,
            &format!("花园志愿服务队{i}"),
            "volunteer_service",
        )
        .await;
        create_organisation(
            app,
            &admin,
            garden,
            &format!("花园协会{i}"),
            "community_social",
        )
        .await;
    }
    create_organisation(app, &admin, bamboo, "翠竹志愿服务队", "volunteer_service").await;
    let (_, organizer) = app.staff(&admin, "organizer-a", "organizer", street).await;
    let (worker, _) = app.staff(&admin, "worker-a", "social_worker", garden).await;
    crate::sql!(
        app,
        "UPDATE users SET qualification_level = 'intermediate', qualification_no = 'S2024001' WHERE id = $1",
        worker
    );
    let garden_volunteers = bring_over(app, &admin, garden, 1, 12, &format!("{y}-03-01")).await;
    bring_over(app, &admin, bamboo, 101, 2, &format!("{y}-05-01")).await;
    let happy_volunteers = bring_over(app, &admin, happy, 201, 3, &format!("{y}-12-31")).await;
    // Registered this year: not one of last year's volunteers.
    app.registered_by(&admin, 13, garden).await;
    let f = Fixture {
        admin,
        organizer,
        district,
        street,
        garden,
        bamboo,
        happy,
        garden_volunteers,
        happy_volunteers,
    };
    let g = &f.garden_volunteers;
    // An hour from 23:30 on 31 December counts in that year.
    serve(
        app,
        &f,
        garden,
        (local(y, 12, 31, 23, 30), local(y + 1, 1, 1, 0, 30)),
        &[g[0]],
        &[],
    )
    .await;
    serve(
        app,
        &f,
        garden,
        (local(y, 6, 15, 9, 0), local(y, 6, 15, 12, 0)),
        &[g[1], g[2], g[3], g[5]],
        &[g[5]],
    )
    .await;
    // 07:00 on 1 January is still 31 December in UTC, but it is the next year here.
    serve(
        app,
        &f,
        garden,
        (local(y + 1, 1, 1, 7, 0), local(y + 1, 1, 1, 9, 0)),
        &[g[4]],
        &[],
    )
    .await;
    serve(
        app,
        &f,
        happy,
        (local(y, 8, 1, 9, 0), local(y, 8, 1, 10, 0)),
        &[f.happy_volunteers[0]],
        &[],
    )
    .await;
    f
}

async fn report(app: &TestApp, token: &str, unit: i64, year: i32) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/api/v1/reports/targets?unit_id={unit}&year={year}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

fn row(rows: &[Value], unit: i64) -> &Value {
    rows.iter()
        .find(|r| r["unit_id"] == unit)
        .unwrap_or_else(|| panic!("no row for {unit} in {rows:?}"))
}

async fn the_report_matches_a_hand_count_of_last_year(app: TestApp) {
    let f = fixture(&app).await;
    let y = last_year();
    let rows = report(&app, &f.admin, f.street, y).await;
    assert_eq!(rows[0]["unit_id"], f.street, "the unit itself comes first");
    assert_eq!(rows.len(), 4);

    let garden = row(&rows, f.garden);
    assert_eq!(garden["registered"], 12);
    assert_eq!(garden["resident_population"], 100);
    assert_eq!(garden["registration_rate"], "12.00");
    // Three confirmed (one of them the hour at 23:30 on 31 December); one rejected.
    assert_eq!(garden["active"], 4);
    assert_eq!(garden["participation_rate"], "33.33");
    assert_eq!(garden["backbone"], 0);
    assert_eq!(garden["backbone_share"], "0.00");
    assert_eq!(garden["volunteer_orgs"], 5);
    assert_eq!(garden["social_orgs"], 10);
    assert_eq!(garden["professional_social_workers"], 1);
    assert_eq!(garden["staff"], 1);
    assert_eq!(garden["qualified_staff_share"], "100.00");
    assert_eq!(
        garden["met"],
        json!({"registration": true, "participation": true, "backbone": false,
               "volunteer_orgs": true, "social_orgs": true, "social_workers": true,
               "qualified_staff": true})
    );

    let bamboo = row(&rows, f.bamboo);
    assert_eq!(bamboo["registration_rate"], "4.00");
    assert_eq!(bamboo["active"], 0);
    assert_eq!(bamboo["participation_rate"], "0.00");
    assert_eq!(bamboo["met"]["registration"], false);
    assert_eq!(bamboo["met"]["volunteer_orgs"], false);
    assert_eq!(bamboo["met"]["social_workers"], false);
    assert_eq!(bamboo["qualified_staff_share"], Value::Null);

    // No population for the year: unknown, with the reason; never 0 % and never an error.
    let happy = row(&rows, f.happy);
    assert_eq!(happy["registered"], 3);
    assert_eq!(happy["resident_population"], Value::Null);
    assert_eq!(happy["registration_rate"], Value::Null);
    assert!(
        happy["registration_rate_note"]
            .as_str()
            .unwrap()
            .contains("population"),
        "{happy}"
    );
    assert_eq!(happy["met"]["registration"], Value::Null);
    assert_eq!(happy["communities_without_population"], 1);
    assert_eq!(happy["participation_rate"], "33.33");

    // The street: sums divided by sums; its registration rate leaves 幸福社区 out of both sides.
    let street = &rows[0];
    assert_eq!(street["registered"], 17);
    assert_eq!(street["resident_population"], 150);
    assert_eq!(street["registration_rate"], "9.33");
    assert_eq!(street["communities_without_population"], 1);
    assert_eq!(street["active"], 5);
    assert_eq!(street["participation_rate"], "29.41");
    assert_eq!(street["volunteer_orgs"], 6);
    assert_eq!(street["social_orgs"], 11);
    assert_eq!(street["professional_social_workers"], 1);
    assert_eq!(
        street["staff"], 2,
        "the organizer on the street and the social worker"
    );
    assert_eq!(street["qualified_staff_share"], "50.00");
    assert_eq!(street["met"]["registration"], false);
    assert_eq!(street["met"]["participation"], false);
    assert_eq!(street["met"]["volunteer_orgs"], false);
    assert_eq!(street["met"]["social_workers"], false);
    assert_eq!(street["previous_year"]["year"], y - 1);
    assert_eq!(street["previous_year"]["registered"], 0);

    // The district adds 山景社区: population 20, nobody registered.
    let district = report(&app, &f.admin, f.district, y).await;
    assert_eq!(district.len(), 7);
    assert_eq!(district[0]["registered"], 17);
    assert_eq!(district[0]["resident_population"], 170);
    assert_eq!(district[0]["registration_rate"], "8.24");
    assert_eq!(district[0]["communities"], 4);

    // This year: the volunteer registered now counts, and so does the service on 1 January.
    let now = report(&app, &f.admin, f.garden, y + 1).await;
    assert_eq!(now[0]["registered"], 13);
    assert_eq!(now[0]["active"], 1);
    assert_eq!(now[0]["resident_population"], Value::Null);
    assert_eq!(now[0]["previous_year"]["registration_rate"], "12.00");
    assert_eq!(now[0]["previous_year"]["participation_rate"], "33.33");

    let refused = app
        .get(
            &format!("/api/v1/reports/targets?unit_id={}&year=1800", f.street),
            Some(&f.admin),
        )
        .await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_year");
    let unknown = app
        .get(
            "/api/v1/reports/targets?unit_id=999999&year=2025",
            Some(&f.admin),
        )
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "not_found");
}

async fn the_csv_holds_the_same_rows(app: TestApp) {
    let f = fixture(&app).await;
    let y = last_year();
    let path = format!("/api/v1/reports/targets.csv?unit_id={}&year={y}", f.street);
    let (status, content_type, text) = app.fetch_text(&path, Some(&f.admin), "text/csv").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = text.strip_prefix('\u{feff}').expect("a BOM first");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].starts_with("unit_id,name,kind,registered,resident_population,registration_rate,active,participation_rate,backbone,backbone_share"));
    assert!(
        lines[1].starts_with(&format!(
            "{},东湖街道,street,17,150,9.33,5,29.41,0,0.00,",
            f.street
        )),
        "{}",
        lines[1]
    );
    let happy = lines
        .iter()
        .find(|l| l.starts_with(&format!("{},幸福社区", f.happy)))
        .unwrap();
    assert!(
        happy.starts_with(&format!("{},幸福社区,community,3,,,1,33.33,", f.happy)),
        "{happy}"
    );
}

async fn a_community_admin_reads_only_their_own_subtree(app: TestApp) {
    let f = fixture(&app).await;
    let (_, keeper) = app
        .staff(&f.admin, "keeper-b", "unit_admin", f.bamboo)
        .await;
    let own = report(&app, &keeper, f.bamboo, last_year()).await;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["registered"], 2);
    let street = app
        .get(
            &format!("/api/v1/reports/targets?unit_id={}", f.street),
            Some(&keeper),
        )
        .await;
    assert_error(&street, StatusCode::FORBIDDEN, "forbidden");
    let (_, volunteer) = app.volunteer(900, f.garden).await;
    let refused = app
        .get(
            &format!("/api/v1/reports/targets?unit_id={}", f.garden),
            Some(&volunteer),
        )
        .await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN, "{}", refused.1);
}

/// The counts kept with each registration, confirmation and designation equal the counts made
/// afresh from the volunteers, the yearly totals and the backbone history.
async fn kept_counts_equal_a_count_from_scratch(app: TestApp) {
    let f = fixture(&app).await;
    let (_, worker) = app
        .staff(&f.admin, "worker-b", "social_worker", f.street)
        .await;
    for (who, designated) in [
        (f.garden_volunteers[0], true),
        (f.happy_volunteers[1], true),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/backbone/designations",
                Some(&worker),
                json!({"volunteer_id": who, "designated": designated, "reason": "长期带队"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let kept = app.state.store.target_count_rows().await.unwrap();
    app.state
        .store
        .rebuild_target_counts(app.state.settings.display_offset())
        .await
        .unwrap();
    let rebuilt = app.state.store.target_count_rows().await.unwrap();
    assert_eq!(kept, rebuilt);
    assert!(!kept.is_empty());
}
