//! When a scan counts: the check-in window, check-outs and the time they credit, the forgotten
//! check-outs job, and positions outside the geofence.

use crate::both_backends;
use crate::support::{
    Scene, TestApp, activity_body, assert_error, assert_scanned, attendances, create_activity,
    id_of, qr_url, scan, this_minute, time, with,
};
use chrono::{Duration, DurationRound, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An activity of the scene open now, fenced to 200 m around a point: `(id, code URL)`.
async fn fenced_activity(app: &TestApp, s: &Scene) -> (i64, String) {
    let now = this_minute();
    let body = activity_body(
        s.community,
        now - Duration::minutes(10),
        now + Duration::hours(2),
    );
    let fence = json!({"lat": 31.8206, "lon": 117.2272, "radius_m": 200.0});
    let id = id_of(&create_activity(app, &s.organizer, with(body, "geofence", fence)).await);
    (id, qr_url(app, &s.organizer, id).await)
}

both_backends!(
    scans_outside_the_check_in_window_are_refused,
    check_in_opens_half_an_hour_before_the_start,
    a_later_scan_checks_out_with_time_clipped_to_the_window,
    a_check_out_inside_the_window_credits_the_time_since_the_start,
    a_position_outside_the_geofence_is_recorded_and_flagged,
    an_impossible_position_is_ignored_not_refused
);
// These leave a check-in that the forgotten check-outs job would close.
both_backends!(without_jobs: a_check_out_after_the_grace_period_is_outside_window, the_check_out_job_closes_attendances_past_the_grace_once_a_period, a_scan_after_the_job_closed_the_attendance_answers_auto_closed);

async fn scans_outside_the_check_in_window_are_refused(app: TestApp) {
    let s = app.scene().await;
    let (_, token) = app.volunteer(1, s.community).await;
    let future = s
        .activity(&app, Duration::hours(2), Duration::hours(4), "static")
        .await;
    let ended = s
        .activity(&app, -Duration::hours(5), -Duration::hours(3), "static")
        .await;
    for activity in [&future, &ended] {
        let id = id_of(activity);
        let url = qr_url(&app, &s.organizer, id).await;
        assert_error(
            &scan(&app, Some(&token), &url).await,
            StatusCode::CONFLICT,
            "outside_window",
        );
        assert_eq!(
            attendances(&app, &s.organizer, id).await,
            Vec::<Value>::new()
        );
    }
}

async fn check_in_opens_half_an_hour_before_the_start(app: TestApp) {
    let s = app.scene().await;
    let (_, token) = app.volunteer(1, s.community).await;
    let soon = s
        .activity(&app, Duration::minutes(25), Duration::hours(2), "static")
        .await;
    let url = qr_url(&app, &s.organizer, id_of(&soon)).await;
    assert_scanned(&scan(&app, Some(&token), &url).await, "checked_in", true);
}

async fn a_check_out_after_the_grace_period_is_outside_window(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, token) = app.volunteer(1, s.community).await;
    let ended = s
        .activity(&app, -Duration::hours(5), -Duration::hours(3), "static")
        .await;
    let id = id_of(&ended);
    app.checked_in_at(id, volunteer_id, time(&ended["starts_at"]))
        .await;
    let url = qr_url(&app, &s.organizer, id).await;
    assert_error(
        &scan(&app, Some(&token), &url).await,
        StatusCode::CONFLICT,
        "outside_window",
    );
    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(list[0]["state"], "checked_in");
}

async fn a_position_outside_the_geofence_is_recorded_and_flagged(app: TestApp) {
    let s = app.scene().await;
    let (_, near) = app.volunteer(1, s.community).await;
    let (far_id, far) = app.volunteer(2, s.community).await;
    let (id, url) = fenced_activity(&app, &s).await;

    let inside = json!({"url": url, "lat": 31.8210, "lon": 117.2275});
    let (status, answer) = app.post("/api/v1/scans", Some(&near), inside).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outside_geofence"], false);

    let outside = json!({"url": url, "lat": 31.9, "lon": 117.3});
    let (status, answer) = app.post("/api/v1/scans", Some(&far), outside).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["state"], "checked_in");
    assert_eq!(answer["outside_geofence"], true);

    let list = attendances(&app, &s.organizer, id).await;
    let row = list.iter().find(|r| r["volunteer_id"] == far_id).unwrap();
    assert_eq!(row["outside_geofence"], true);
    assert_eq!(row["in_lat"], 31.9);
    assert_eq!(row["in_lon"], 117.3);
    assert_eq!(row["out_lat"], Value::Null);
    let other = list.iter().find(|r| r["volunteer_id"] != far_id).unwrap();
    assert_eq!(other["outside_geofence"], false);
    assert_eq!(other["in_lat"], 31.8210);
}

async fn an_impossible_position_is_ignored_not_refused(app: TestApp) {
    let s = app.scene().await;
    let (_, token) = app.volunteer(1, s.community).await;
    let (id, url) = fenced_activity(&app, &s).await;
    let (status, answer) = app
        .post(
            "/api/v1/scans",
            Some(&token),
            json!({"url": url, "lat": 999.0, "lon": 117.2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["state"], "checked_in");
    assert_eq!(answer["outside_geofence"], false);
    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(
        (&list[0]["in_lat"], &list[0]["in_lon"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(list[0]["outside_geofence"], false);
}

async fn a_later_scan_checks_out_with_time_clipped_to_the_window(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, token) = app.volunteer(1, s.community).await;
    let activity = s
        .activity(&app, -Duration::hours(2), -Duration::minutes(30), "static")
        .await;
    let id = id_of(&activity);
    let starts_at = time(&activity["starts_at"]);
    let attendance = app
        .checked_in_at(id, volunteer_id, starts_at - Duration::minutes(20))
        .await;
    let url = qr_url(&app, &s.organizer, id).await;

    let before = Utc::now();
    let out = scan(&app, Some(&token), &url).await;
    assert_eq!(assert_scanned(&out, "checked_out", true), attendance);
    let body = &out.1;
    assert_eq!(
        time(&body["checked_in_at"]),
        starts_at - Duration::minutes(20)
    );
    let checked_out_at = time(&body["checked_out_at"]);
    assert!(checked_out_at >= before - Duration::seconds(1) && checked_out_at <= Utc::now());
    assert_eq!(body["credited_minutes"], 90);
    assert_eq!(body["hours"], "1.50");

    let again = scan(&app, Some(&token), &url).await;
    assert_eq!(assert_scanned(&again, "checked_out", false), attendance);
    assert_eq!(again.1["hours"], "1.50");

    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(list[0]["state"], "checked_out");
    assert_eq!(list[0]["credited_minutes"], 90);
    assert_eq!(list[0]["checked_out_at"], body["checked_out_at"]);
}

async fn a_check_out_inside_the_window_credits_the_time_since_the_start(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, token) = app.volunteer(1, s.community).await;
    let activity = s
        .activity(&app, -Duration::minutes(75), Duration::hours(1), "static")
        .await;
    let id = id_of(&activity);
    let starts_at = time(&activity["starts_at"]);
    app.checked_in_at(id, volunteer_id, starts_at - Duration::minutes(10))
        .await;
    let url = qr_url(&app, &s.organizer, id).await;
    let out = scan(&app, Some(&token), &url).await;
    assert_scanned(&out, "checked_out", true);
    let expected = (time(&out.1["checked_out_at"]) - starts_at).num_minutes();
    assert!((75..=76).contains(&expected), "{expected}");
    assert_eq!(out.1["credited_minutes"], expected);
    assert_eq!(out.1["hours"], if expected == 75 { "1.25" } else { "1.27" });
}

async fn the_check_out_job_closes_attendances_past_the_grace_once_a_period(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, _) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let period = Utc::now().duration_trunc(TimeDelta::minutes(5)).unwrap();
    let now = period + Duration::minutes(1);
    let body = activity_body(
        s.community,
        now - Duration::hours(5),
        now - Duration::hours(3),
    );
    let long_ago = id_of(&create_activity(&app, &s.organizer, body).await);
    let body = activity_body(
        s.community,
        now - Duration::hours(2),
        now - Duration::hours(1),
    );
    let recent = id_of(&create_activity(&app, &s.organizer, body).await);
    let closed = app
        .checked_in_at(
            long_ago,
            volunteer_id,
            now - Duration::hours(4) - Duration::minutes(30),
        )
        .await;
    let open = app
        .checked_in_at(
            recent,
            volunteer_id,
            now - Duration::hours(2) + Duration::minutes(5),
        )
        .await;

    assert_eq!(
        vledger::app::jobs::auto_close(&app.state, now)
            .await
            .unwrap(),
        Some(1)
    );
    let list = attendances(&app, &s.organizer, long_ago).await;
    assert_eq!(list[0]["id"], closed);
    assert_eq!(list[0]["state"], "auto_closed");
    assert_eq!(time(&list[0]["checked_out_at"]), now - Duration::hours(3));
    assert_eq!(list[0]["credited_minutes"], 90);
    let list = attendances(&app, &s.organizer, recent).await;
    assert_eq!(
        (&list[0]["id"], &list[0]["state"]),
        (&json!(open), &json!("checked_in"))
    );
    assert_eq!(list[0]["checked_out_at"], Value::Null);

    let same_period = period + Duration::minutes(4);
    assert_eq!(
        vledger::app::jobs::auto_close(&app.state, same_period)
            .await
            .unwrap(),
        None
    );
    let next_period = period + Duration::minutes(5);
    assert_eq!(
        vledger::app::jobs::auto_close(&app.state, next_period)
            .await
            .unwrap(),
        Some(0)
    );
    let list = attendances(&app, &s.organizer, recent).await;
    assert_eq!(list[0]["state"], "checked_in");

    let (_, entries) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", s.community),
            Some(&s.admin),
        )
        .await;
    let closes: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "auto_close")
        .collect();
    assert_eq!(closes.len(), 1, "{entries}");
    assert_eq!(
        closes[0]["entity_id"].as_str(),
        Some(closed.to_string().as_str())
    );
    assert_eq!(closes[0]["actor_id"], Value::Null);
    assert_eq!(closes[0]["before"]["state"], "checked_in");
    assert_eq!(closes[0]["after"]["state"], "auto_closed");
}

async fn a_scan_after_the_job_closed_the_attendance_answers_auto_closed(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, token) = app.volunteer(1, s.community).await;
    let activity = s
        .activity(&app, -Duration::hours(5), -Duration::hours(3), "static")
        .await;
    let id = id_of(&activity);
    let attendance = app
        .checked_in_at(id, volunteer_id, time(&activity["starts_at"]))
        .await;
    assert_eq!(
        vledger::app::jobs::auto_close(&app.state, Utc::now())
            .await
            .unwrap(),
        Some(1)
    );
    let url = qr_url(&app, &s.organizer, id).await;
    let answer = scan(&app, Some(&token), &url).await;
    assert_eq!(assert_scanned(&answer, "auto_closed", false), attendance);
    assert_eq!(answer.1["credited_minutes"], 120);
    assert_eq!(answer.1["hours"], "2.00");
}
