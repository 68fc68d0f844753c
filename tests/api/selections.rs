//! Opening a selection round 优秀志愿者评选 by hand: the committee gets the draft with every
//! eligible volunteer ranked by score (with its breakdown) and those the rules left out near the
//! line with why; a unit has one round a year, however many ask for it at once.

use crate::both_backends;
use crate::support::{
    Service, TestApp, activity_body, assert_error, confirm, create_activity, id_number, id_of,
    import, phone, settings, stdout, vledger,
};
use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    the_committee_opens_a_round_ranked_by_score_with_the_reasons_near_the_line,
    a_unit_has_one_round_a_year_however_many_open_it_at_once,
    the_scheduled_job_opens_every_round_once_across_two_instances,
);

pub(crate) fn last_year() -> i32 {
    (Utc::now() + chrono::Duration::hours(8)).year() - 1
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) struct Round {
    pub admin: String,
    pub committee: String,
    pub community: i64,
    /// By person number.
    pub volunteers: Vec<i64>,
}

/// Five volunteers of 花园社区 and last year's service: 23 h at a long activity, 2 h at a short
/// one. 1 serves the long one (rated 优秀), 2 both, 3 both but registered in September, 4 only the
/// short one.
pub(crate) async fn round(app: &TestApp) -> Round {
    let y = last_year();
    let s = app.scene().await;
    let (_, committee) = app
        .staff(&s.admin, "committee-a", "committee", s.street)
        .await;
    let mut csv = String::from("name,id_number,phone,community_id,registered_on\n");
    for n in 1..=4 {
        let on = if n == 3 {
            format!("{y}-09-01")
        } else {
            format!("{y}-03-01")
        };
        csv += &format!(
            "志愿者{n},{},{},{},{on}\n",
            id_number(n),
            phone(n),
            s.community
        );
    }
    let (status, report) = import(app, &s.admin, &csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let mut volunteers = vec![0];
    for n in 1..=4 {
        volunteers.push(
            crate::sql!(app, "SELECT id FROM volunteers WHERE phone = $1", phone(n)).unwrap(),
        );
    }
    let long = (local(y, 5, 10, 0, 30), local(y, 5, 10, 23, 30));
    let short = (local(y, 6, 10, 9, 0), local(y, 6, 10, 11, 0));
    for ((start, end), who, rated) in [(long, vec![1, 2, 3], Some(1)), (short, vec![2, 3, 4], None)]
    {
        let activity = id_of(
            &create_activity(app, &s.organizer, activity_body(s.community, start, end)).await,
        );
        let mut attendances = Vec::new();
        for n in &who {
            attendances.push(app.served(activity, volunteers[*n], start, Some(end)).await);
        }
        let evaluate: Vec<Value> = rated
            .map(|i: usize| json!({"attendance_id": attendances[i - 1], "rating": "excellent"}))
            .into_iter()
            .collect();
        let body = json!({"confirm": attendances, "evaluate": evaluate});
        let (status, answer) = confirm(app, &s.organizer, activity, body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    Round {
        admin: s.admin,
        committee,
        community: s.community,
        volunteers,
    }
}

/// The session of a committee member of another street, 西山街道.
pub(crate) async fn another_streets_committee(app: &TestApp, admin: &str) -> String {
    let outside = app
        .create_unit(admin, "西山街道", "street", app.district_id().await)
        .await;
    let (_, stranger) = app.staff(admin, "committee-b", "committee", outside).await;
    stranger
}

pub(crate) async fn open(app: &TestApp, token: &str, unit: i64, year: i32) -> (StatusCode, Value) {
    app.post(
        "/api/v1/selections",
        Some(token),
        json!({"unit_id": unit, "year": year}),
    )
    .await
}

async fn the_committee_opens_a_round_ranked_by_score_with_the_reasons_near_the_line(app: TestApp) {
    let r = round(&app).await;
    let (status, draft) = open(&app, &r.committee, r.community, last_year()).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["quota"], 1);
    assert_eq!(draft["input_digest"].as_str().unwrap().len(), 64);
    assert_eq!(draft["rules"]["min_hours"], 20);
    let c = draft["candidates"].as_array().unwrap();
    let line = |i: usize| {
        (
            c[i]["volunteer_id"].as_i64().unwrap(),
            c[i]["rank"].clone(),
            c[i]["score"].clone(),
            c[i]["within_quota"].clone(),
        )
    };
    // 2: 25 h + 2 activities × 2 = 29; 1: 23 h + 2 + 优秀 3 = 28.
    assert_eq!(
        line(0),
        (r.volunteers[2], json!(1), json!("29.00"), json!(true))
    );
    assert_eq!(
        line(1),
        (r.volunteers[1], json!(2), json!("28.00"), json!(false))
    );
    assert_eq!(
        c[0]["breakdown"],
        json!({"hours": "25.00", "activities": "4", "evaluations": "0", "backbone": "0"})
    );
    assert_eq!(c[1]["breakdown"]["evaluations"], "3");
    // 3 would have scored 29 but registered too late; 4 (2 h) is far below the line.
    assert_eq!(c.len(), 3, "{c:?}");
    assert_eq!(c[2]["volunteer_id"], r.volunteers[3]);
    assert_eq!(c[2]["rank"], Value::Null);
    assert_eq!(c[2]["exclusions"], json!(["registered_too_late"]));

    let id = id_of(&draft);
    let (status, again) = app
        .get(&format!("/api/v1/selections/{id}"), Some(&r.committee))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, draft);

    let stranger = another_streets_committee(&app, &r.admin).await;
    let refused = app
        .get(&format!("/api/v1/selections/{id}"), Some(&stranger))
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let refused = open(&app, &stranger, r.community, last_year()).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let district = app.district_id().await;
    let refused = open(&app, &r.admin, district, last_year()).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_unit");
}

async fn a_unit_has_one_round_a_year_however_many_open_it_at_once(app: TestApp) {
    let r = round(&app).await;
    let y = last_year();
    let answers =
        futures::future::join_all((0..4).map(|_| open(&app, &r.committee, r.community, y))).await;
    let created = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    for a in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(a, StatusCode::CONFLICT, "selection_exists");
    }
    let rounds = crate::sql!(
        &app,
        "SELECT COUNT(*) FROM selections WHERE unit_id = $1 AND year = $2",
        r.community,
        y
    );
    assert_eq!(rounds, Some(1));
}

async fn the_scheduled_job_opens_every_round_once_across_two_instances(app: TestApp) {
    let r = round(&app).await;
    // The street's round is opened by hand first; the job leaves it as it is.
    let street = crate::sql!(
        &app,
        "SELECT parent_id FROM units WHERE id = $1",
        r.community
    )
    .unwrap();
    let (status, by_hand) = open(&app, &r.committee, street, last_year()).await;
    assert_eq!(status, StatusCode::CREATED, "{by_hand}");

    let mut second = settings(&app.database_url);
    second.jobs = false;
    let second = Service::start(second, None).await;
    // 2 January of this year, after the default opening day.
    let at = local(last_year() + 1, 1, 2, 1, 0);
    let (a, b) = tokio::join!(
        vledger::app::jobs::selection(&app.state, at),
        vledger::app::jobs::selection(&second.app.state, at)
    );
    let runs: Vec<usize> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(runs, [1], "one instance opens the community's round");
    second.stop().await;
    let rounds = crate::sql!(
        &app,
        "SELECT COUNT(*) FROM selections WHERE year = $1",
        last_year()
    );
    assert_eq!(rounds, Some(2));
    let kept = crate::sql!(
        &app,
        "SELECT opened_by FROM selections WHERE unit_id = $1",
        street
    );
    assert!(kept.is_some(), "the round opened by hand is kept");
    let by_job = crate::sql!(
        &app,
        "SELECT COUNT(*) FROM selections WHERE unit_id = $1 AND opened_by IS NULL",
        r.community
    );
    assert_eq!(by_job, Some(1));

    let out = stdout(
        &vledger(
            &app.database_url,
            &["jobs", "run", "selection", "--at", &at.to_rfc3339()],
        )
        .await,
    );
    assert!(out.contains("skipped"), "{out}");
}
