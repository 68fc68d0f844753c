//! Scanning an activity's code 扫码签到: who may scan, which codes are genuine, a full activity,
//! and many scans at once.

use crate::both_backends;
use crate::support::{
    TestApp, activity_body, assert_error, assert_scanned, attendances, create_activity, id_of,
    open_activity, qr_url, scan, this_minute, time, with,
};
use chrono::{Duration, Utc};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use vledger::domain::qr;

both_backends!(
    the_first_scan_checks_in_and_a_repeat_answers_the_same_state,
    only_a_logged_in_volunteer_can_scan,
    forged_altered_foreign_and_garbage_codes_are_invalid_qr,
    a_rotating_code_is_accepted_for_its_step_and_the_next_only,
    a_full_activity_refuses_another_volunteer,
    simultaneous_scans_of_one_volunteer_make_one_attendance,
    fifty_volunteers_scanning_at_once_are_all_checked_in
);

/// The current rotation step, at least a few seconds before it ends.
async fn fresh_step() -> i64 {
    let now = Utc::now();
    let into_step = now.timestamp().rem_euclid(qr::ROTATION_SECS);
    if into_step >= qr::ROTATION_SECS - 3 {
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    }
    qr::rotation_step(Utc::now())
}

fn code_url(app: &TestApp, code: &str) -> String {
    format!("{}/s/{code}", app.state.settings.public_url())
}

async fn the_first_scan_checks_in_and_a_repeat_answers_the_same_state(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, token) = app.volunteer(1, s.community).await;
    let id = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, id).await;

    let before = Utc::now();
    let first = scan(&app, Some(&token), &url).await;
    let attendance = assert_scanned(&first, "checked_in", true);
    let body = &first.1;
    assert_eq!(body["activity_id"], id);
    assert_eq!(body["activity_title"], "敬老院义务理发");
    let checked_in_at = time(&body["checked_in_at"]);
    assert!(checked_in_at >= before - Duration::seconds(1) && checked_in_at <= Utc::now());
    assert_eq!(body["checked_out_at"], Value::Null);
    assert_eq!(body["credited_minutes"], Value::Null);
    assert_eq!(body["hours"], Value::Null);
    assert_eq!(body["outside_geofence"], false);

    let repeat = scan(&app, Some(&token), &url).await;
    assert_eq!(assert_scanned(&repeat, "checked_in", false), attendance);
    assert_eq!(repeat.1["checked_in_at"], body["checked_in_at"]);

    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], attendance);
    assert_eq!(list[0]["volunteer_id"], volunteer_id);
    assert_eq!(list[0]["name"], "志愿者1");
    assert_eq!(list[0]["state"], "checked_in");
    assert!(list[0]["volunteer_no"].is_string());
}

async fn only_a_logged_in_volunteer_can_scan(app: TestApp) {
    let s = app.scene().await;
    let id = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, id).await;
    for staff in [&s.organizer, &s.admin] {
        assert_error(
            &scan(&app, Some(staff), &url).await,
            StatusCode::FORBIDDEN,
            "not_a_volunteer",
        );
    }
    assert_error(
        &scan(&app, None, &url).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        &scan(&app, Some("not-a-token"), &url).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_eq!(
        attendances(&app, &s.organizer, id).await,
        Vec::<Value>::new()
    );
}

async fn forged_altered_foreign_and_garbage_codes_are_invalid_qr(app: TestApp) {
    let s = app.scene().await;
    let (_, token) = app.volunteer(1, s.community).await;
    let a = open_activity(&app, &s, "static").await;
    let b = open_activity(&app, &s, "static").await;
    let url_a = qr_url(&app, &s.organizer, a).await;
    let url_b = qr_url(&app, &s.organizer, b).await;
    let (head_a, signature_a) = url_a.rsplit_once('/').unwrap().1.split_once('.').unwrap();
    let head_b = url_b.rsplit_once('/').unwrap().1.split_once('.').unwrap().0;
    assert_ne!(head_a, head_b);

    let mut forged = url_a.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let moved = code_url(&app, &format!("{head_b}.{signature_a}"));
    let secret_b = app.stored_activity(b).await.qr_secret;
    let foreign = code_url(&app, &qr::code(&app.state.keys.qr, &secret_b, a, None));
    let unknown = code_url(
        &app,
        &qr::code(&app.state.keys.qr, &secret_b, 987_654, None),
    );
    let now_step = qr::rotation_step(Utc::now());
    let secret_a = app.stored_activity(a).await.qr_secret;
    let wrong_mode = code_url(
        &app,
        &qr::code(&app.state.keys.qr, &secret_a, a, Some(now_step)),
    );
    for url in [
        forged.as_str(),
        moved.as_str(),
        foreign.as_str(),
        unknown.as_str(),
        wrong_mode.as_str(),
        "hello",
        "",
        "https://evil.example/s/zz",
        "敬老院\u{0}",
    ] {
        assert_error(
            &scan(&app, Some(&token), url).await,
            StatusCode::FORBIDDEN,
            "invalid_qr",
        );
    }
    assert_eq!(
        attendances(&app, &s.organizer, a).await,
        Vec::<Value>::new()
    );
    assert_eq!(
        attendances(&app, &s.organizer, b).await,
        Vec::<Value>::new()
    );
    assert_scanned(&scan(&app, Some(&token), &url_a).await, "checked_in", true);
}

async fn a_full_activity_refuses_another_volunteer(app: TestApp) {
    let s = app.scene().await;
    let (_, first) = app.volunteer(1, s.community).await;
    let (_, second) = app.volunteer(2, s.community).await;
    let now = this_minute();
    let body = activity_body(
        s.community,
        now - Duration::minutes(10),
        now + Duration::hours(2),
    );
    let id = id_of(&create_activity(&app, &s.organizer, with(body, "capacity", json!(1))).await);
    let url = qr_url(&app, &s.organizer, id).await;
    let attendance = assert_scanned(&scan(&app, Some(&first), &url).await, "checked_in", true);
    assert_error(
        &scan(&app, Some(&second), &url).await,
        StatusCode::CONFLICT,
        "activity_full",
    );
    assert_eq!(
        assert_scanned(&scan(&app, Some(&first), &url).await, "checked_in", false),
        attendance
    );
    assert_eq!(attendances(&app, &s.organizer, id).await.len(), 1);
}

async fn a_rotating_code_is_accepted_for_its_step_and_the_next_only(app: TestApp) {
    let s = app.scene().await;
    let (_, first) = app.volunteer(1, s.community).await;
    let (_, second) = app.volunteer(2, s.community).await;
    let (_, third) = app.volunteer(3, s.community).await;
    let id = open_activity(&app, &s, "rotating").await;
    let secret = app.stored_activity(id).await.qr_secret;
    let at_step =
        |step: i64| code_url(&app, &qr::code(&app.state.keys.qr, &secret, id, Some(step)));

    let url = qr_url(&app, &s.organizer, id).await;
    assert_scanned(&scan(&app, Some(&first), &url).await, "checked_in", true);

    let step = fresh_step().await;
    let stale = at_step(step - 2);
    assert_error(
        &scan(&app, Some(&second), &stale).await,
        StatusCode::FORBIDDEN,
        "invalid_qr",
    );
    let fixed = code_url(&app, &qr::code(&app.state.keys.qr, &secret, id, None));
    assert_error(
        &scan(&app, Some(&second), &fixed).await,
        StatusCode::FORBIDDEN,
        "invalid_qr",
    );
    let previous = at_step(step - 1);
    assert_scanned(
        &scan(&app, Some(&second), &previous).await,
        "checked_in",
        true,
    );
    let ahead = at_step(step + 1);
    assert_error(
        &scan(&app, Some(&third), &ahead).await,
        StatusCode::FORBIDDEN,
        "invalid_qr",
    );
    assert_eq!(attendances(&app, &s.organizer, id).await.len(), 2);
}

async fn simultaneous_scans_of_one_volunteer_make_one_attendance(app: TestApp) {
    let s = app.scene().await;
    let (_, token) = app.volunteer(1, s.community).await;
    let id = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, id).await;
    let answers = join_all((0..20).map(|_| scan(&app, Some(&token), &url))).await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "checked_in", "{body}");
    }
    let changed = answers.iter().filter(|(_, b)| b["changed"] == true).count();
    assert_eq!(changed, 1, "{answers:?}");
    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(
        answers
            .iter()
            .all(|(_, b)| b["attendance_id"] == list[0]["id"])
    );
}

async fn fifty_volunteers_scanning_at_once_are_all_checked_in(app: TestApp) {
    let s = app.scene().await;
    let mut volunteers = Vec::new();
    for n in 1..=50 {
        volunteers.push(app.quick_volunteer(&s.admin, n, s.community).await);
    }
    let id = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, id).await;
    let answers = join_all(
        volunteers
            .iter()
            .map(|(_, token)| scan(&app, Some(token), &url)),
    )
    .await;
    let mut ids: Vec<i64> = answers
        .iter()
        .map(|answer| assert_scanned(answer, "checked_in", true))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50);
    let list = attendances(&app, &s.organizer, id).await;
    let mut listed: Vec<i64> = list
        .iter()
        .map(|r| r["volunteer_id"].as_i64().unwrap())
        .collect();
    listed.sort();
    let mut expected: Vec<i64> = volunteers.iter().map(|(id, _)| *id).collect();
    expected.sort();
    assert_eq!(listed, expected);
}
