use crate::activities::{Scene, activity_at, attendances, id_of, scene, volunteer};
use crate::both_backends;
use crate::support::TestApp;
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;
use vledger::domain::ledger::Review;
use vledger::store::activities::{Activity, Scan, ScanOutcome};
use vledger::store::ledger::LedgerRules;

async fn stored(app: &TestApp, id: i64) -> Activity {
    app.state.store.activity(id).await.unwrap().unwrap()
}

fn scan_at(app: &TestApp, a: &Activity, volunteer_id: i64, at: DateTime<Utc>) -> Scan {
    Scan {
        activity_id: a.id,
        window: a.window(),
        capacity: a.capacity,
        geofence: a.geofence(),
        volunteer_id,
        at,
        position: None,
        grace: app.state.settings.checkout_grace(),
    }
}

/// The volunteer scanned in at `in_at` and, if given, out at `out_at` (scans made earlier).
async fn served(
    app: &TestApp,
    activity: i64,
    volunteer_id: i64,
    in_at: DateTime<Utc>,
    out_at: Option<DateTime<Utc>>,
) -> i64 {
    let a = stored(app, activity).await;
    let mut scans = vec![scan_at(app, &a, volunteer_id, in_at)];
    scans.extend(out_at.map(|t| scan_at(app, &a, volunteer_id, t)));
    let outcomes = app.state.store.record_scans(&scans).await.unwrap();
    match outcomes.last() {
        Some(ScanOutcome::Recorded { attendance, .. }) => attendance.id,
        other => panic!("not recorded: {other:?}"),
    }
}

/// A three-hour activity that ended an hour ago.
async fn finished(app: &TestApp, s: &Scene) -> (i64, DateTime<Utc>) {
    let a = activity_at(
        app,
        &s.organizer,
        s.community,
        -Duration::hours(4),
        -Duration::hours(1),
        "static",
    )
    .await;
    (id_of(&a), crate::activities::time(&a["starts_at"]))
}

async fn confirm(app: &TestApp, token: &str, activity: i64, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/activities/{activity}/confirmations"),
        Some(token),
        body,
    )
    .await
}

async fn hours(app: &TestApp, token: &str, who: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/volunteers/{who}/hours"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

both_backends!(
    confirm_all_and_adjust_one_with_a_reason,
    a_rejection_credits_nothing_and_is_audited,
    a_bad_review_changes_nothing,
    manual_entries_need_a_reason_and_earn_no_points,
    a_correction_references_its_entry_and_moves_the_totals,
    a_reported_missing_record_is_corrected_and_the_volunteer_sees_it,
    a_declined_report_says_why,
    unconfirmed_activities_are_overdue_after_ten_working_days,
    the_database_refuses_to_change_ledger_entries,
    totals_always_equal_the_sum_of_entries
);

async fn confirm_all_and_adjust_one_with_a_reason(app: TestApp) {
    let s = scene(&app).await;
    let (activity, start) = finished(&app, &s).await;
    let (a, a_token) = volunteer(&app, 1, s.community).await;
    let (b, _) = volunteer(&app, 2, s.community).await;
    let (c, _) = volunteer(&app, 3, s.community).await;
    served(
        &app,
        activity,
        a,
        start - Duration::minutes(20),
        Some(start + Duration::minutes(150)),
    )
    .await;
    let late = served(
        &app,
        activity,
        b,
        start + Duration::minutes(60),
        Some(start + Duration::minutes(180)),
    )
    .await;
    let open = served(&app, activity, c, start, None).await;
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({
            "adjust": [{"attendance_id": late, "minutes": 90, "reason": "迟到，按实际服务计"}],
            "confirm_all_checked_out": true,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reviewed = body["reviewed"].as_array().unwrap();
    assert_eq!(reviewed.len(), 2, "the open attendance waits: {body}");
    let list = attendances(&app, &s.organizer, activity).await;
    let review_of = |id: i64| list.iter().find(|r| r["id"] == id).unwrap()["review"].clone();
    assert_eq!(review_of(late), "adjusted");
    assert_eq!(review_of(open), Value::Null);

    let mine = hours(&app, &a_token, "me").await;
    assert_eq!(mine["total_hours"], "2.50");
    assert_eq!(mine["points"], 2);
    assert_eq!(mine["stars"], 0);
    assert_eq!(mine["entries"][0]["source"], "qr");
    assert_eq!(mine["entries"][0]["hours"], "2.50");
    assert_eq!(mine["entries"][0]["activity_title"], "敬老院义务理发");
    let adjusted = hours(&app, &s.admin, &b.to_string()).await;
    assert_eq!(
        (
            adjusted["total_hours"].as_str(),
            adjusted["points"].as_i64()
        ),
        (Some("1.50"), Some(1))
    );
    assert_eq!(adjusted["entries"][0]["reason"], "迟到，按实际服务计");

    let (status, body) = confirm(&app, &s.organizer, activity, json!({"confirm": [late]})).await;
    error(status, &body, StatusCode::CONFLICT, "already_reviewed");
    let (status, body) = confirm(&app, &s.organizer, activity, json!({"confirm": [open]})).await;
    error(status, &body, StatusCode::CONFLICT, "still_checked_in");
}

async fn a_rejection_credits_nothing_and_is_audited(app: TestApp) {
    let s = scene(&app).await;
    let (activity, start) = finished(&app, &s).await;
    let (v, token) = volunteer(&app, 1, s.community).await;
    let id = served(&app, activity, v, start, Some(start + Duration::hours(3))).await;
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({"reject": [{"attendance_id": id, "reason": ""}]}),
    )
    .await;
    error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    );
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({"reject": [{"attendance_id": id, "reason": "代签", "fraudulent": true}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(hours(&app, &token, "me").await["total_hours"], "0.00");
    let list = attendances(&app, &s.organizer, activity).await;
    assert_eq!(
        (list[0]["review"].as_str(), list[0]["fraudulent"].as_bool()),
        (Some("rejected"), Some(true))
    );
    let (_, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", s.community),
            Some(&s.admin),
        )
        .await;
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "rejected")
        .expect("audited");
    assert_eq!(entry["after"]["reason"], "代签");
    assert_eq!(entry["actor_id"].as_i64(), Some(s.organizer_id));
}

async fn a_bad_review_changes_nothing(app: TestApp) {
    let s = scene(&app).await;
    let (activity, start) = finished(&app, &s).await;
    let (v, token) = volunteer(&app, 1, s.community).await;
    let id = served(&app, activity, v, start, Some(start + Duration::hours(3))).await;
    let (status, body) = confirm(&app, &s.organizer, activity, json!({"confirm": [id], "adjust": [{"attendance_id": 999999, "minutes": 10, "reason": "x"}]})).await;
    error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({"adjust": [{"attendance_id": id, "minutes": 181, "reason": "多算"}]}),
    )
    .await;
    error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_minutes",
    );
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({"confirm": [id], "reject": [{"attendance_id": id, "reason": "x"}]}),
    )
    .await;
    error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate_attendance",
    );
    let (status, body) = confirm(&app, &s.organizer, activity, json!({})).await;
    error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_review",
    );
    assert_eq!(hours(&app, &token, "me").await["entries"], json!([]));
    assert_eq!(
        attendances(&app, &s.organizer, activity).await[0]["review"],
        Value::Null
    );
    let (_, elsewhere) = app
        .street_and_community(&s.admin, "西山街道", "光明社区")
        .await;
    let (_, outsider) = app
        .staff(&s.admin, "organizer-b", "organizer", elsewhere)
        .await;
    let (status, body) = confirm(&app, &outsider, activity, json!({"confirm": [id]})).await;
    error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}

async fn manual_entries_need_a_reason_and_earn_no_points(app: TestApp) {
    let s = scene(&app).await;
    let (activity, _) = finished(&app, &s).await;
    let (v, token) = volunteer(&app, 1, s.community).await;
    let path = format!("/api/v1/activities/{activity}/manual-entries");
    let (status, body) = app
        .post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_id": v, "minutes": 120, "reason": " "}),
        )
        .await;
    error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    );
    let (status, body) = app
        .post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_id": v, "minutes": 181, "reason": "手机没电"}),
        )
        .await;
    error(
        status,
        &body,
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
    let (status, body) = app
        .post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_id": v, "minutes": 60, "reason": "again"}),
        )
        .await;
    error(status, &body, StatusCode::CONFLICT, "already_recorded");
    let mine = hours(&app, &token, "me").await;
    assert_eq!(
        (mine["total_hours"].as_str(), mine["points"].as_i64()),
        (Some("2.00"), Some(0))
    );
    let (status, body) = app
        .post(
            &path,
            Some(&token),
            json!({"volunteer_id": v, "minutes": 60, "reason": "self"}),
        )
        .await;
    error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}

async fn a_correction_references_its_entry_and_moves_the_totals(app: TestApp) {
    let s = scene(&app).await;
    let (activity, start) = finished(&app, &s).await;
    let (v, token) = volunteer(&app, 1, s.community).await;
    let id = served(&app, activity, v, start, Some(start + Duration::hours(3))).await;
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
    let (status, body) = app
        .post(
            &format!("/api/v1/ledger/{}/corrections", id_of(&correction)),
            Some(&s.organizer),
            json!({"minutes": 10, "reason": "x"}),
        )
        .await;
    error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_entry",
    );
    let (status, body) = app
        .post(
            &format!("/api/v1/ledger/{entry}/corrections"),
            Some(&token),
            json!({"minutes": 500, "reason": "我自己改"}),
        )
        .await;
    error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}

async fn a_reported_missing_record_is_corrected_and_the_volunteer_sees_it(app: TestApp) {
    let s = scene(&app).await;
    let (activity, _) = finished(&app, &s).await;
    let (_, token) = volunteer(&app, 1, s.community).await;
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
    let (status, body) = app
        .post(
            &path,
            Some(&s.organizer),
            json!({"accept": false, "reason": "again"}),
        )
        .await;
    error(status, &body, StatusCode::CONFLICT, "already_resolved");
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
    let s = scene(&app).await;
    let (activity, _) = finished(&app, &s).await;
    let (_, token) = volunteer(&app, 1, s.community).await;
    let (_, report) = app
        .post(
            "/api/v1/volunteers/me/reports",
            Some(&token),
            json!({"activity_id": activity, "kind": "missing", "message": "我在"}),
        )
        .await;
    let (status, body) = app
        .post(
            "/api/v1/volunteers/me/reports",
            Some(&token),
            json!({"activity_id": activity, "kind": "wrong", "message": "x"}),
        )
        .await;
    error(
        status,
        &body,
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

async fn unconfirmed_activities_are_overdue_after_ten_working_days(app: TestApp) {
    let s = scene(&app).await;
    let old = activity_at(
        &app,
        &s.organizer,
        s.community,
        -Duration::days(20),
        -Duration::days(20) + Duration::hours(2),
        "static",
    )
    .await;
    let recent = activity_at(
        &app,
        &s.organizer,
        s.community,
        -Duration::days(1),
        -Duration::days(1) + Duration::hours(2),
        "static",
    )
    .await;
    let (v, _) = volunteer(&app, 1, s.community).await;
    for a in [&old, &recent] {
        let start = crate::activities::time(&a["starts_at"]);
        served(&app, id_of(a), v, start, Some(start + Duration::hours(2))).await;
    }
    let (status, list) = app
        .get(
            &format!("/api/v1/activities/overdue?unit_id={}", s.community),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![id_of(&old)]);
    assert_eq!(list[0]["unreviewed"], 1);
    let attendance = attendances(&app, &s.organizer, id_of(&old)).await[0]["id"]
        .as_i64()
        .unwrap();
    confirm(
        &app,
        &s.organizer,
        id_of(&old),
        json!({"confirm": [attendance]}),
    )
    .await;
    let (_, list) = app
        .get(
            &format!("/api/v1/activities/overdue?unit_id={}", s.community),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(list, json!([]));
}

async fn the_database_refuses_to_change_ledger_entries(app: TestApp) {
    let s = scene(&app).await;
    let (activity, start) = finished(&app, &s).await;
    let (v, _) = volunteer(&app, 1, s.community).await;
    let id = served(&app, activity, v, start, Some(start + Duration::hours(3))).await;
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

async fn totals_always_equal_the_sum_of_entries(app: TestApp) {
    let store = &app.state.store;
    let s = scene(&app).await;
    let rules = LedgerRules {
        points_per_hour: 1,
        offset: app.state.settings.display_offset(),
    };
    let mut volunteers = Vec::new();
    for n in 1..=4 {
        volunteers.push(volunteer(&app, n, s.community).await.0);
    }
    let (mut reviews, mut corrections) = (0, 0);
    for seed in 0..6u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut activities = Vec::new();
        for k in 0..3 {
            // Spread over two years, so that totals are kept per year.
            let days_ago = rng.gen_range(2..500) + k;
            let a = activity_at(
                &app,
                &s.organizer,
                s.community,
                -Duration::days(days_ago),
                -Duration::days(days_ago) + Duration::hours(3),
                "static",
            )
            .await;
            activities.push(stored(&app, id_of(&a)).await);
        }
        for _ in 0..25 {
            let a = &activities[rng.gen_range(0..activities.len())];
            let v = volunteers[rng.gen_range(0..volunteers.len())];
            match rng.gen_range(0..4) {
                0 | 1 => {
                    let in_at = a.starts_at + Duration::minutes(rng.gen_range(-30..120));
                    let out_at = in_at + Duration::minutes(rng.gen_range(2..200));
                    store
                        .record_scans(&[scan_at(&app, a, v, in_at), scan_at(&app, a, v, out_at)])
                        .await
                        .unwrap();
                }
                2 => {
                    let open: Vec<i64> = store
                        .attendances_of(a.id)
                        .await
                        .unwrap()
                        .into_iter()
                        .filter(|r| {
                            r.review.is_none() && r.attendance.state.as_str() != "checked_in"
                        })
                        .map(|r| r.attendance.id)
                        .collect();
                    if let Some(&id) = open.first() {
                        let review = match rng.gen_range(0..3) {
                            0 => Review::Confirm,
                            1 => Review::Adjust {
                                minutes: rng.gen_range(0..=180),
                                reason: "调整".into(),
                            },
                            _ => Review::Reject {
                                reason: "不符".into(),
                                fraudulent: rng.gen_bool(0.3),
                            },
                        };
                        store
                            .review_attendances(a, &[(id, review)], s.organizer_id, &rules)
                            .await
                            .unwrap();
                        reviews += 1;
                    }
                }
                _ => {
                    let year = a.starts_at.with_timezone(&rules.offset).year();
                    let entries = store.volunteer_entries(v, year).await.unwrap();
                    if let Some(e) = entries.iter().find(|e| e.entry.source != "correction") {
                        let (entry, path) = store.entry(e.entry.id).await.unwrap().unwrap();
                        store
                            .correct_entry(
                                &entry,
                                &path,
                                rng.gen_range(0..=180),
                                "更正",
                                s.organizer_id,
                            )
                            .await
                            .unwrap();
                        corrections += 1;
                    }
                }
            }
        }
        check_totals(&app).await;
    }
    assert!(
        reviews > 5 && corrections > 5,
        "the sequences reviewed {reviews} and corrected {corrections}"
    );
}

/// (volunteer, year, kept minutes, summed minutes) and (kept balance, summed points).
type Checks = (Vec<(i64, i64, i64, i64)>, Vec<(i64, i64)>);

/// Yearly totals against the ledger itself, and balances against the points ledger.
async fn check_totals(app: &TestApp) {
    let (totals, points): Checks = if app.database_url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&app.database_url)
            .await
            .unwrap();
        (
            sqlx::query_as(TOTALS).fetch_all(&mut c).await.unwrap(),
            sqlx::query_as(POINTS).fetch_all(&mut c).await.unwrap(),
        )
    } else {
        let mut c = sqlx::PgConnection::connect(&app.database_url)
            .await
            .unwrap();
        (
            sqlx::query_as(TOTALS_PG).fetch_all(&mut c).await.unwrap(),
            sqlx::query_as(POINTS_PG).fetch_all(&mut c).await.unwrap(),
        )
    };
    for (volunteer, year, kept, summed) in totals {
        assert_eq!(
            kept, summed,
            "volunteer {volunteer} year {year}: totals {kept} ≠ entries {summed}"
        );
    }
    for (kept, summed) in points {
        assert_eq!(
            kept, summed,
            "points balance {kept} ≠ points entries {summed}"
        );
    }
}

const TOTALS: &str = "SELECT t.volunteer_id, t.year, t.minutes, COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e
    WHERE e.volunteer_id = t.volunteer_id AND e.year = t.year), 0) FROM volunteer_year_totals t";
const TOTALS_PG: &str = "SELECT t.volunteer_id, t.year::bigint, t.minutes, COALESCE((SELECT SUM(e.minutes) FROM ledger_entries e
    WHERE e.volunteer_id = t.volunteer_id AND e.year = t.year), 0)::bigint FROM volunteer_year_totals t";
const POINTS: &str = "SELECT b.balance, (SELECT SUM(p.points) FROM points_entries p WHERE p.volunteer_id = b.volunteer_id)
    FROM points_balances b";
const POINTS_PG: &str = "SELECT b.balance, (SELECT SUM(p.points) FROM points_entries p WHERE p.volunteer_id = b.volunteer_id)::bigint
    FROM points_balances b";
