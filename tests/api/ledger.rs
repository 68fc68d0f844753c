//! The ledger 志愿服务记录: manual entries, corrections, reported missing records, and entries
//! the database refuses to change.

use crate::both_backends;
use crate::support::{TestApp, assert_error, confirm, finished_activity, hours, id_of};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

both_backends!(
    manual_entries_need_a_reason_and_earn_no_points,
    manual_entries_reach_only_attendees_and_the_organizers_own_volunteers,
    a_correction_references_its_entry_and_moves_the_totals,
    a_reported_missing_record_is_corrected_and_the_volunteer_sees_it,
    a_declined_report_says_why,
    the_database_refuses_to_change_ledger_entries
);

async fn manual_entries_need_a_reason_and_earn_no_points(app: TestApp) {
    let s = app.scene().await;
    let (activity, _) = finished_activity(&app, &s).await;
    let (v, token) = app.volunteer(1, s.community).await;
    let path = format!("/api/v1/activities/{activity}/manual-entries");
    assert_error(
        &app.post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_id": v, "minutes": 120, "reason": " "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    );
    assert_error(
        &app.post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_id": v, "minutes": 181, "reason": "手机没电"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_minutes",
    );
    let (status, entry) = app
        .post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_id": v, "minutes": 120, "reason": "手机没电"}),
        )
        .await;
    assert_eq!(
        (status, entry["source"].as_str()),
        (StatusCode::CREATED, Some("manual")),
        "{entry}"
    );
    assert_error(
        &app.post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_id": v, "minutes": 60, "reason": "again"}),
        )
        .await,
        StatusCode::CONFLICT,
        "already_recorded",
    );
    let mine = hours(&app, &token, "me").await;
    assert_eq!(
        (mine["total_hours"].as_str(), mine["points"].as_i64()),
        (Some("2.00"), Some(0))
    );
    assert_error(
        &app.post(
            &path,
            Some(&token),
            json!({"volunteer_id": v, "minutes": 60, "reason": "self"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}

async fn manual_entries_reach_only_attendees_and_the_organizers_own_volunteers(app: TestApp) {
    let s = app.scene().await;
    let (activity, start) = finished_activity(&app, &s).await;
    let (_, west) = app
        .street_and_community(&s.admin, "西山街道", "幸福社区")
        .await;
    let stranger = app.registered_by(&s.admin, 2, west).await;
    let attendee = app.registered_by(&s.admin, 3, west).await;
    app.checked_in_at(activity, attendee, start).await;
    let path = format!("/api/v1/activities/{activity}/manual-entries");
    let credit = |volunteer_id: i64| {
        let body = json!({"volunteer_id": volunteer_id, "minutes": 60, "reason": "手机没电"});
        app.post(&path, Some(&s.organizer), body)
    };
    let for_stranger = credit(stranger).await;
    assert_eq!(
        for_stranger,
        credit(999_999).await,
        "the same as an unknown id"
    );
    assert_error(&for_stranger, StatusCode::NOT_FOUND, "not_found");
    let (status, entry) = credit(attendee).await;
    assert_eq!(
        (status, entry["volunteer_id"].as_i64()),
        (StatusCode::CREATED, Some(attendee)),
        "{entry}"
    );
    let theirs = hours(&app, &s.admin, &stranger.to_string()).await;
    assert_eq!(theirs["total_hours"], "0.00");
}

async fn a_correction_references_its_entry_and_moves_the_totals(app: TestApp) {
    let (s, activity, (_, token), id) = app.served_volunteer().await;
    let (_, body) = confirm(&app, &s.organizer, activity, json!({"confirm": [id]})).await;
    let entry = body["reviewed"][0]["entry_id"].as_i64().unwrap();
    let (status, correction) = app
        .post(
            &format!("/api/v1/ledger/{entry}/corrections"),
            Some(&s.organizer),
            json!({"minutes": 100, "reason": "提前离开"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{correction}");
    assert_eq!(
        (
            correction["corrects_id"].as_i64(),
            correction["minutes"].as_i64()
        ),
        (Some(entry), Some(-80))
    );
    let mine = hours(&app, &token, "me").await;
    assert_eq!(mine["total_hours"], "1.67");
    assert_eq!(mine["activities"], 1);
    assert_eq!(
        mine["points"], 3,
        "corrections change hours, not points already earned"
    );
    assert_error(
        &app.post(
            &format!("/api/v1/ledger/{}/corrections", id_of(&correction)),
            Some(&s.organizer),
            json!({"minutes": 10, "reason": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_entry",
    );
    assert_error(
        &app.post(
            &format!("/api/v1/ledger/{entry}/corrections"),
            Some(&token),
            json!({"minutes": 500, "reason": "我自己改"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}

async fn a_reported_missing_record_is_corrected_and_the_volunteer_sees_it(app: TestApp) {
    let s = app.scene().await;
    let (activity, _) = finished_activity(&app, &s).await;
    let (_, token) = app.volunteer(1, s.community).await;
    let (status, report) = app.post("/api/v1/volunteers/me/reports", Some(&token), json!({
        "activity_id": activity, "kind": "missing", "minutes_claimed": 150, "message": "我参加了但手机没电没能扫码"
    })).await;
    assert_eq!(
        (status, report["status"].as_str()),
        (StatusCode::CREATED, Some("open")),
        "{report}"
    );
    let (status, open) = app
        .get(
            &format!("/api/v1/reports?unit_id={}", s.community),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(
        (status, open.as_array().unwrap().len()),
        (StatusCode::OK, 1)
    );
    let path = format!("/api/v1/reports/{}/resolution", id_of(&report));
    let (status, resolved) = app
        .post(
            &path,
            Some(&s.organizer),
            json!({"accept": true, "minutes": 150, "reason": "负责人核实"}),
        )
        .await;
    assert_eq!(
        (status, resolved["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{resolved}"
    );
    assert_error(
        &app.post(
            &path,
            Some(&s.organizer),
            json!({"accept": false, "reason": "again"}),
        )
        .await,
        StatusCode::CONFLICT,
        "already_resolved",
    );
    let (_, mine) = app.get("/api/v1/volunteers/me/reports", Some(&token)).await;
    assert_eq!(mine[0]["status"], "accepted");
    assert_eq!(
        mine[0]["correction_entry_id"],
        resolved["correction_entry_id"]
    );
    let h = hours(&app, &token, "me").await;
    assert_eq!(
        (
            h["total_hours"].as_str(),
            h["entries"][0]["source"].as_str()
        ),
        (Some("2.50"), Some("correction"))
    );
}

async fn a_declined_report_says_why(app: TestApp) {
    let s = app.scene().await;
    let (activity, _) = finished_activity(&app, &s).await;
    let (_, token) = app.volunteer(1, s.community).await;
    let (_, report) = app
        .post(
            "/api/v1/volunteers/me/reports",
            Some(&token),
            json!({"activity_id": activity, "kind": "missing", "message": "我在"}),
        )
        .await;
    assert_error(
        &app.post(
            "/api/v1/volunteers/me/reports",
            Some(&token),
            json!({"activity_id": activity, "kind": "wrong", "message": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_entry",
    );
    let (status, resolved) = app
        .post(
            &format!("/api/v1/reports/{}/resolution", id_of(&report)),
            Some(&s.organizer),
            json!({"accept": false, "reason": "签到表上没有此人"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    let (_, mine) = app.get("/api/v1/volunteers/me/reports", Some(&token)).await;
    assert_eq!(
        (
            mine[0]["status"].as_str(),
            mine[0]["resolution_reason"].as_str()
        ),
        (Some("declined"), Some("签到表上没有此人"))
    );
    assert_eq!(hours(&app, &token, "me").await["entries"], json!([]));
}

async fn the_database_refuses_to_change_ledger_entries(app: TestApp) {
    let (s, activity, (v, _), id) = app.served_volunteer().await;
    confirm(&app, &s.organizer, activity, json!({"confirm": [id]})).await;
    for sql in [
        "UPDATE ledger_entries SET minutes = 999",
        "DELETE FROM ledger_entries",
        "UPDATE points_entries SET points = 999",
        "DELETE FROM points_entries",
    ] {
        let result = if app.database_url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.map(|_| ())
        } else {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.map(|_| ())
        };
        let message = result.expect_err(sql).to_string();
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    assert_eq!(
        hours(&app, &s.admin, &v.to_string()).await["total_hours"],
        "3.00"
    );
}
