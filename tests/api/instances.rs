//! Several instances of the service on one database: their scan batches never deadlock, and a
//! writer from outside the service makes requests wait or answer 503, never 500.

use crate::both_backends;
use crate::support::{
    Backend, Db, Service, TestApp, activity_body, assert_error, open_activity, qr_url, run, scan,
    send, settings, this_minute,
};
use chrono::Utc;
use futures::future::join;
use reqwest::StatusCode;
use std::time::Duration;
use vledger::store::activities::ScanOutcome;

both_backends!(two_instances_recording_the_same_new_volunteers_in_opposite_orders_both_succeed);

/// A request still waiting for the database when the request timeout passes is answered 408 in
/// the JSON error format.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_outlasts_the_request_timeout_answers_a_json_408() {
    run(
        Backend::Sqlite,
        |s| {
            s.request_timeout_secs = 1;
            s.db_busy_timeout_ms = 5_000;
        },
        slow_writes_time_out,
    )
    .await
}

async fn slow_writes_time_out(app: TestApp) {
    let s = app.scene().await;
    let activity = open_activity(&app, &s, "static").await;
    let volunteer = app.registered_by(&s.admin, 2, s.community).await;
    let mut outside = outside_writer(&app, activity, volunteer).await;
    let now = this_minute();
    let body = activity_body(s.community, now, now + chrono::Duration::hours(1));
    let answer = app
        .post("/api/v1/activities", Some(&s.organizer), body)
        .await;
    assert_error(&answer, StatusCode::REQUEST_TIMEOUT, "request_timeout");
    outside.run("ROLLBACK", &[]).await.unwrap();
}

/// PostgreSQL has no busy timeout: a writer there waits its turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_outside_the_service_makes_sqlite_writes_answer_503_then_succeed() {
    run(
        Backend::Sqlite,
        |s| s.db_busy_timeout_ms = 200,
        writes_wait_for_an_outside_writer,
    )
    .await
}

/// How many volunteers each batch checks in.
const VOLUNTEERS: u32 = 40;

/// Holds the write lock of the database from outside the service, as a long transaction would;
/// on PostgreSQL it holds the attendance of `volunteer` at `activity` (inserted, not committed).
async fn outside_writer(app: &TestApp, activity: i64, volunteer: i64) -> Db {
    let mut db = Db::open(app).await;
    let begin = match db {
        Db::Sqlite(_) => "BEGIN IMMEDIATE",
        Db::Postgres(_) => "BEGIN",
    };
    db.run(begin, &[]).await.unwrap();
    db.run(
        "INSERT INTO attendances (activity_id, volunteer_id, state, checked_in_at, last_scan_at)
         VALUES (?, ?, 'checked_in', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        &[activity, volunteer],
    )
    .await
    .unwrap();
    db
}

/// Waits until `n` transactions wait for another's (PostgreSQL), or a moment (SQLite, whose
/// writers wait in a busy loop that no table shows).
async fn until_waiting(app: &TestApp, n: i64) {
    let mut db = Db::open(app).await;
    if let Db::Sqlite(_) = db {
        tokio::time::sleep(Duration::from_millis(300)).await;
        return;
    }
    for _ in 0..400 {
        let waiting = db
            .number(
                "SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'",
                &[],
            )
            .await;
        if waiting >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the two batches never reached the outside writer's row");
}

async fn two_instances_recording_the_same_new_volunteers_in_opposite_orders_both_succeed(
    app: TestApp,
) {
    let s = app.scene().await;
    let activity = open_activity(&app, &s, "static").await;
    let mut volunteers = Vec::new();
    for n in 0..VOLUNTEERS {
        volunteers.push(app.registered_by(&s.admin, n, s.community).await);
    }
    let mut second_settings = settings(&app.database_url);
    second_settings.jobs = false;
    let second = Service::start(second_settings, None).await;

    let a = app.stored_activity(activity).await;
    let now = Utc::now();
    let forward: Vec<_> = volunteers
        .iter()
        .map(|&v| app.scan_at(&a, v, now))
        .collect();
    let backward: Vec<_> = forward.iter().rev().cloned().collect();

    // An outside writer holds the middle volunteer's attendance: on PostgreSQL each batch
    // inserts up to it from its own end and waits there, holding what it inserted so far. When
    // the outside writer gives up, the two go on together towards each other's rows.
    let middle = volunteers[volunteers.len() / 2];
    let mut outside = outside_writer(&app, activity, middle).await;
    let first_store = app.state.store.clone();
    let second_store = second.state.store.clone();
    let first = tokio::spawn(async move { first_store.record_scans(&forward).await });
    let other = tokio::spawn(async move { second_store.record_scans(&backward).await });
    until_waiting(&app, 2).await;
    outside.run("ROLLBACK", &[]).await.unwrap();
    let (first, other) = join(first, other).await;

    let mut checked_in = 0;
    for batch in [first.unwrap(), other.unwrap()] {
        let outcomes = batch.expect("a batch failed: the instances deadlocked");
        for outcome in outcomes {
            assert!(
                matches!(outcome, ScanOutcome::Recorded { .. }),
                "{outcome:?}"
            );
            if let ScanOutcome::Recorded { changed: true, .. } = outcome {
                checked_in += 1;
            }
        }
    }
    // Each volunteer was checked in once, by whichever instance came first.
    assert_eq!(checked_in, VOLUNTEERS);
    let mut db = Db::open(&app).await;
    let stored = db
        .number(
            "SELECT COUNT(*) FROM attendances WHERE activity_id = ?",
            &[activity],
        )
        .await;
    assert_eq!(stored, i64::from(VOLUNTEERS));
    second.stop().await;
}

async fn writes_wait_for_an_outside_writer(app: TestApp) {
    let s = app.scene().await;
    let (_, token) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let activity = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, activity).await;
    let volunteer = app.registered_by(&s.admin, 2, s.community).await;

    let mut outside = outside_writer(&app, activity, volunteer).await;
    let answer = scan(&app, Some(&token), &url).await;
    assert_error(&answer, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let now = this_minute();
    let body = activity_body(s.community, now, now + chrono::Duration::hours(1));
    let request = app
        .client
        .post(format!("{}/api/v1/activities", app.base))
        .bearer_auth(&s.organizer)
        .json(&body);
    let (status, headers, created) = send(request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{created}");
    assert_eq!(headers["retry-after"], "1");
    outside.run("ROLLBACK", &[]).await.unwrap();

    // Retried once the outside writer is done, both go through.
    let answer = scan(&app, Some(&token), &url).await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    assert_eq!(answer.1["state"], "checked_in");
    let (status, created) = app
        .post("/api/v1/activities", Some(&s.organizer), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
}
