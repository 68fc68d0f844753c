//! What a volunteer may report missing 纠错: the recent activities of their own community and the
//! units above it, and those elsewhere they checked in to, without a record of theirs — and the
//! report names its activity when they read it back.

use crate::both_backends;
use crate::support::{
    TestApp, activity_body, confirm, create_activity, finished_activity, id_of, with,
};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(the_activities_a_volunteer_may_report_missing);

/// The titles of the activities `token`'s volunteer may report missing.
async fn unrecorded(app: &TestApp, token: &str) -> Vec<String> {
    let (status, list) = app
        .get("/api/v1/volunteers/me/unrecorded-activities", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_activities_a_volunteer_may_report_missing(app: TestApp) {
    let s = app.scene().await;
    let (_, elsewhere) = app
        .street_and_community(&s.admin, "西湖街道", "荷花社区")
        .await;
    let (v, token) = app.volunteer(1, s.community).await;
    let titled = |unit: i64, title: &str, hours_ago: i64| {
        let starts = Utc::now() - Duration::hours(hours_ago);
        let body = activity_body(unit, starts, starts + Duration::hours(2));
        with(body, "title", json!(title))
    };
    // At home, without any scan: it may be missing.
    let (home, _) = finished_activity(&app, &s).await;
    // Elsewhere, checked in but never confirmed; and elsewhere without them.
    let visited =
        id_of(&create_activity(&app, &s.admin, titled(elsewhere, "荷花社区义诊", 30)).await);
    let start = Utc::now() - Duration::hours(30);
    app.served(visited, v, start, Some(start + Duration::hours(2)))
        .await;
    create_activity(&app, &s.admin, titled(elsewhere, "荷花社区巡河", 20)).await;
    // At home, recorded already; and one still to come.
    let recorded =
        id_of(&create_activity(&app, &s.organizer, titled(s.community, "社区环境整治", 50)).await);
    let start = Utc::now() - Duration::hours(50);
    let attendance = app
        .served(recorded, v, start, Some(start + Duration::hours(2)))
        .await;
    let (status, _) = confirm(
        &app,
        &s.organizer,
        recorded,
        json!({"confirm": [attendance]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    create_activity(&app, &s.organizer, titled(s.community, "下周义诊", -100)).await;

    assert_eq!(
        unrecorded(&app, &token).await,
        ["敬老院义务理发", "荷花社区义诊"]
    );
    let (status, report) = app
        .post(
            "/api/v1/volunteers/me/reports",
            Some(&token),
            json!({"activity_id": home, "kind": "missing", "minutes_claimed": 180, "message": "手机没电没能扫码"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let (_, mine) = app.get("/api/v1/volunteers/me/reports", Some(&token)).await;
    assert_eq!(mine[0]["activity_title"], "敬老院义务理发");
    // Staff of the volunteer's community read the list too; a volunteer reads only their own.
    let path = format!("/api/v1/volunteers/{v}/unrecorded-activities");
    assert_eq!(app.get(&path, Some(&s.organizer)).await.0, StatusCode::OK);
    let (_, other) = app.volunteer(2, s.community).await;
    assert_eq!(app.get(&path, Some(&other)).await.0, StatusCode::FORBIDDEN);
}
