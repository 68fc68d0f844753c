//! The scheduled jobs run on the period the operator sets, and `vledger jobs run` runs one now,
//! once per period across everything that shares the database.

use crate::both_backends;
use crate::support::{Scene, TestApp, attendances, failure, id_of, stdout, time, vledger};
use chrono::{Duration, DurationRound, TimeDelta, Utc};
use std::time::Duration as StdDuration;

both_backends!(settings(|s| s.auto_close_every_secs = 1): forgotten_check_outs_close_on_the_configured_period);
both_backends!(without_jobs: jobs_run_closes_forgotten_check_outs_once_per_period);

/// An activity that ended three hours ago (past the two-hour grace) with `volunteer_id` still
/// checked in: `(activity, attendance)`.
async fn forgotten_check_out(app: &TestApp, s: &Scene, volunteer_id: i64) -> (i64, i64) {
    let activity = s
        .activity(app, -Duration::hours(5), -Duration::hours(3), "static")
        .await;
    let id = id_of(&activity);
    let attendance = app
        .checked_in_at(id, volunteer_id, time(&activity["starts_at"]))
        .await;
    (id, attendance)
}

async fn forgotten_check_outs_close_on_the_configured_period(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, _) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let (activity, attendance) = forgotten_check_out(&app, &s, volunteer_id).await;
    // The job runs every second: within a few, the organizer sees the attendance closed.
    for _ in 0..50 {
        let list = attendances(&app, &s.organizer, activity).await;
        if list[0]["state"] == "auto_closed" {
            assert_eq!(list[0]["id"], attendance);
            assert_eq!(list[0]["credited_minutes"], 120);
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    panic!("the forgotten check-out was not closed within 10 s of a 1 s job period");
}

async fn jobs_run_closes_forgotten_check_outs_once_per_period(app: TestApp) {
    let s = app.scene().await;
    let (volunteer_id, _) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let (activity, _) = forgotten_check_out(&app, &s, volunteer_id).await;
    let period = Utc::now().duration_trunc(TimeDelta::minutes(5)).unwrap();
    let at = (period + Duration::minutes(1)).to_rfc3339();

    let out = stdout(
        &vledger(
            &app.database_url,
            &["jobs", "run", "auto_close", "--at", &at],
        )
        .await,
    );
    assert!(out.contains("closed 1 "), "{out}");
    let list = attendances(&app, &s.organizer, activity).await;
    assert_eq!(list[0]["state"], "auto_closed");

    // Later in the same five-minute period the run is skipped, as a second instance's would be.
    let later = (period + Duration::minutes(4)).to_rfc3339();
    let out = stdout(
        &vledger(
            &app.database_url,
            &["jobs", "run", "auto_close", "--at", &later],
        )
        .await,
    );
    assert!(out.contains("skipped"), "{out}");
    let refused = vledger(
        &app.database_url,
        &["jobs", "run", "auto_close", "--at", "yesterday"],
    )
    .await;
    let error = failure(&refused);
    assert!(error.contains("--at"), "{error}");
}
