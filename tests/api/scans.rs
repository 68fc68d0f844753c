use crate::activities::{
    Scene, activity_at, activity_body, assert_error, attendances, create_activity, id_of, qr_url,
    scan, scene, this_minute, time, volunteer, with,
};
use crate::both_backends;
use crate::support::{TestApp, applicant, id_number, phone};
use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use vledger::domain::qr;
use vledger::store::activities::{Activity, Scan, ScanOutcome};

async fn stored(app: &TestApp, id: i64) -> Activity {
    app.state.store.activity(id).await.unwrap().unwrap()
}

/// Checks `volunteer_id` in at `at`, straight through the store (a scan made earlier).
async fn checked_in_at(app: &TestApp, activity: i64, volunteer_id: i64, at: DateTime<Utc>) -> i64 {
    let a = stored(app, activity).await;
    let outcomes = app
        .state
        .store
        .record_scans(&[Scan {
            activity_id: a.id,
            window: a.window(),
            capacity: a.capacity,
            geofence: a.geofence(),
            volunteer_id,
            at,
            position: None,
            grace: app.state.settings.checkout_grace(),
        }])
        .await
        .unwrap();
    match &outcomes[..] {
        [
            ScanOutcome::Recorded {
                attendance,
                changed: true,
            },
        ] => attendance.id,
        other => panic!("not checked in: {other:?}"),
    }
}

/// A volunteer registered by the district admin, with a session opened directly (no password
/// hashing, so that many can be made quickly): `(id, token)`.
pub(crate) async fn quick_volunteer(
    app: &TestApp,
    admin: &str,
    n: u32,
    community: i64,
) -> (i64, String) {
    let mut body = applicant(&format!("志愿者{n}"), &id_number(n), &phone(n), community);
    body.as_object_mut().unwrap().remove("password");
    let (status, registered) = app.post("/api/v1/volunteers", Some(admin), body).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let id = id_of(&registered);
    let (token, hash) = vledger::crypto::new_session_token();
    app.state
        .store
        .start_session(id, &hash, Utc::now() + Duration::hours(1))
        .await
        .unwrap();
    (id, token)
}

/// An activity that started ten minutes ago and ends in two hours.
async fn running(app: &TestApp, s: &Scene, qr_mode: &str) -> i64 {
    let activity = activity_at(
        app,
        &s.organizer,
        s.community,
        -Duration::minutes(10),
        Duration::hours(2),
        qr_mode,
    )
    .await;
    id_of(&activity)
}

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

#[track_caller]
fn assert_scanned(answer: &(StatusCode, Value), state: &str, changed: bool) -> i64 {
    let (status, body) = answer;
    assert_eq!(*status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], state, "{body}");
    assert_eq!(body["changed"], changed, "{body}");
    body["attendance_id"].as_i64().unwrap()
}

both_backends! {
    async fn the_first_scan_checks_in_and_a_repeat_answers_the_same_state(app: TestApp) {
        let s = scene(&app).await;
        let (volunteer_id, token) = volunteer(&app, 1, s.community).await;
        let id = running(&app, &s, "static").await;
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
        let s = scene(&app).await;
        let id = running(&app, &s, "static").await;
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
        let s = scene(&app).await;
        let (_, token) = volunteer(&app, 1, s.community).await;
        let a = running(&app, &s, "static").await;
        let b = running(&app, &s, "static").await;
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
        let secret_b = stored(&app, b).await.qr_secret;
        let foreign = code_url(&app, &qr::code(&app.state.keys.qr, &secret_b, a, None));
        let unknown = code_url(
            &app,
            &qr::code(&app.state.keys.qr, &secret_b, 987_654, None),
        );
        let now_step = qr::rotation_step(Utc::now());
        let secret_a = stored(&app, a).await.qr_secret;
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

    async fn scans_outside_the_check_in_window_are_refused(app: TestApp) {
        let s = scene(&app).await;
        let (_, token) = volunteer(&app, 1, s.community).await;
        let future = activity_at(
            &app,
            &s.organizer,
            s.community,
            Duration::hours(2),
            Duration::hours(4),
            "static",
        )
        .await;
        let ended = activity_at(
            &app,
            &s.organizer,
            s.community,
            -Duration::hours(5),
            -Duration::hours(3),
            "static",
        )
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
        let s = scene(&app).await;
        let (_, token) = volunteer(&app, 1, s.community).await;
        let soon = activity_at(
            &app,
            &s.organizer,
            s.community,
            Duration::minutes(25),
            Duration::hours(2),
            "static",
        )
        .await;
        let url = qr_url(&app, &s.organizer, id_of(&soon)).await;
        assert_scanned(&scan(&app, Some(&token), &url).await, "checked_in", true);
    }

    async fn a_check_out_after_the_grace_period_is_outside_window(app: TestApp) {
        let s = scene(&app).await;
        let (volunteer_id, token) = volunteer(&app, 1, s.community).await;
        let ended = activity_at(
            &app,
            &s.organizer,
            s.community,
            -Duration::hours(5),
            -Duration::hours(3),
            "static",
        )
        .await;
        let id = id_of(&ended);
        checked_in_at(&app, id, volunteer_id, time(&ended["starts_at"])).await;
        let url = qr_url(&app, &s.organizer, id).await;
        assert_error(
            &scan(&app, Some(&token), &url).await,
            StatusCode::CONFLICT,
            "outside_window",
        );
        let list = attendances(&app, &s.organizer, id).await;
        assert_eq!(list[0]["state"], "checked_in");
    }

    async fn a_full_activity_refuses_another_volunteer(app: TestApp) {
        let s = scene(&app).await;
        let (_, first) = volunteer(&app, 1, s.community).await;
        let (_, second) = volunteer(&app, 2, s.community).await;
        let now = this_minute();
        let body = activity_body(
            s.community,
            now - Duration::minutes(10),
            now + Duration::hours(2),
        );
        let id =
            id_of(&create_activity(&app, &s.organizer, with(body, "capacity", json!(1))).await);
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

    async fn a_position_outside_the_geofence_is_recorded_and_flagged(app: TestApp) {
        let s = scene(&app).await;
        let (_, near) = volunteer(&app, 1, s.community).await;
        let (far_id, far) = volunteer(&app, 2, s.community).await;
        let now = this_minute();
        let body = activity_body(
            s.community,
            now - Duration::minutes(10),
            now + Duration::hours(2),
        );
        let fence = json!({"lat": 31.8206, "lon": 117.2272, "radius_m": 200.0});
        let id = id_of(&create_activity(&app, &s.organizer, with(body, "geofence", fence)).await);
        let url = qr_url(&app, &s.organizer, id).await;

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
        let s = scene(&app).await;
        let (_, token) = volunteer(&app, 1, s.community).await;
        let now = this_minute();
        let body = activity_body(
            s.community,
            now - Duration::minutes(10),
            now + Duration::hours(2),
        );
        let fence = json!({"lat": 31.8206, "lon": 117.2272, "radius_m": 200.0});
        let id = id_of(&create_activity(&app, &s.organizer, with(body, "geofence", fence)).await);
        let url = qr_url(&app, &s.organizer, id).await;
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

    async fn a_rotating_code_is_accepted_for_its_step_and_the_next_only(app: TestApp) {
        let s = scene(&app).await;
        let (_, first) = volunteer(&app, 1, s.community).await;
        let (_, second) = volunteer(&app, 2, s.community).await;
        let (_, third) = volunteer(&app, 3, s.community).await;
        let id = running(&app, &s, "rotating").await;
        let secret = stored(&app, id).await.qr_secret;
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

    async fn a_later_scan_checks_out_with_time_clipped_to_the_window(app: TestApp) {
        let s = scene(&app).await;
        let (volunteer_id, token) = volunteer(&app, 1, s.community).await;
        let activity = activity_at(
            &app,
            &s.organizer,
            s.community,
            -Duration::hours(2),
            -Duration::minutes(30),
            "static",
        )
        .await;
        let id = id_of(&activity);
        let starts_at = time(&activity["starts_at"]);
        let attendance =
            checked_in_at(&app, id, volunteer_id, starts_at - Duration::minutes(20)).await;
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
        let s = scene(&app).await;
        let (volunteer_id, token) = volunteer(&app, 1, s.community).await;
        let activity = activity_at(
            &app,
            &s.organizer,
            s.community,
            -Duration::minutes(75),
            Duration::hours(1),
            "static",
        )
        .await;
        let id = id_of(&activity);
        let starts_at = time(&activity["starts_at"]);
        checked_in_at(&app, id, volunteer_id, starts_at - Duration::minutes(10)).await;
        let url = qr_url(&app, &s.organizer, id).await;
        let out = scan(&app, Some(&token), &url).await;
        assert_scanned(&out, "checked_out", true);
        let expected = (time(&out.1["checked_out_at"]) - starts_at).num_minutes();
        assert!((75..=76).contains(&expected), "{expected}");
        assert_eq!(out.1["credited_minutes"], expected);
        assert_eq!(out.1["hours"], if expected == 75 { "1.25" } else { "1.27" });
    }

    async fn simultaneous_scans_of_one_volunteer_make_one_attendance(app: TestApp) {
        let s = scene(&app).await;
        let (_, token) = volunteer(&app, 1, s.community).await;
        let id = running(&app, &s, "static").await;
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
        let s = scene(&app).await;
        let mut volunteers = Vec::new();
        for n in 1..=50 {
            volunteers.push(quick_volunteer(&app, &s.admin, n, s.community).await);
        }
        let id = running(&app, &s, "static").await;
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

    async fn the_check_out_job_closes_attendances_past_the_grace_once_a_period(app: TestApp) {
        let s = scene(&app).await;
        let (volunteer_id, _) = quick_volunteer(&app, &s.admin, 1, s.community).await;
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
        let closed = checked_in_at(
            &app,
            long_ago,
            volunteer_id,
            now - Duration::hours(4) - Duration::minutes(30),
        )
        .await;
        let open = checked_in_at(
            &app,
            recent,
            volunteer_id,
            now - Duration::hours(2) + Duration::minutes(5),
        )
        .await;

        assert_eq!(
            vledger::app::jobs::auto_close(&app.state, now).await.unwrap(),
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
        let s = scene(&app).await;
        let (volunteer_id, token) = volunteer(&app, 1, s.community).await;
        let activity = activity_at(
            &app,
            &s.organizer,
            s.community,
            -Duration::hours(5),
            -Duration::hours(3),
            "static",
        )
        .await;
        let id = id_of(&activity);
        let attendance = checked_in_at(&app, id, volunteer_id, time(&activity["starts_at"])).await;
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
}
