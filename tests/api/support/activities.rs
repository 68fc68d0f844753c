//! Activities as a story needs them: created through the API at a time relative to now, their
//! codes and attendances, and scans made earlier, recorded straight through the store.

use super::{Scene, TestApp, id_of, time, with};
use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vledger::store::activities::{Activity, Scan, ScanOutcome};

/// The current time to the minute, so that times survive every database unchanged.
pub fn this_minute() -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap()
}

pub fn activity_body(unit_id: i64, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Value {
    json!({
        "title": "敬老院义务理发",
        "unit_id": unit_id,
        "place": "花园社区活动室",
        "content": "为社区老人免费理发",
        "category": "扶老助残",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "qr_mode": "static",
    })
}

pub async fn create_activity(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, activity) = app.post("/api/v1/activities", Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{activity}");
    activity
}

/// An activity of `unit_id` running from `starts_in` to `ends_in` from now, in `qr_mode`.
pub async fn activity_at(
    app: &TestApp,
    token: &str,
    unit_id: i64,
    starts_in: Duration,
    ends_in: Duration,
    qr_mode: &str,
) -> Value {
    let now = this_minute();
    let body = activity_body(unit_id, now + starts_in, now + ends_in);
    create_activity(app, token, with(body, "qr_mode", json!(qr_mode))).await
}

impl Scene {
    /// An activity of the scene's community, created by its organizer, running from `starts_in`
    /// to `ends_in` from now, in `qr_mode`.
    pub async fn activity(
        &self,
        app: &TestApp,
        starts_in: Duration,
        ends_in: Duration,
        qr_mode: &str,
    ) -> Value {
        activity_at(
            app,
            &self.organizer,
            self.community,
            starts_in,
            ends_in,
            qr_mode,
        )
        .await
    }
}

/// An activity of the scene's community whose check-in window is open now: it started two hours
/// ago and ends in two hours.
pub async fn open_activity(app: &TestApp, s: &Scene, qr_mode: &str) -> i64 {
    let activity = s
        .activity(app, -Duration::hours(2), Duration::hours(2), qr_mode)
        .await;
    id_of(&activity)
}

/// A three-hour activity of the scene's community that ended an hour ago: `(id, start)`.
pub async fn finished_activity(app: &TestApp, s: &Scene) -> (i64, DateTime<Utc>) {
    let a = s
        .activity(app, -Duration::hours(4), -Duration::hours(1), "static")
        .await;
    (id_of(&a), time(&a["starts_at"]))
}

/// The URL the activity's code holds now.
pub async fn qr_url(app: &TestApp, token: &str, activity: i64) -> String {
    let (status, qr) = app
        .get(&format!("/api/v1/activities/{activity}/qr"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{qr}");
    qr["url"].as_str().unwrap().to_owned()
}

pub async fn scan(app: &TestApp, token: Option<&str>, url: &str) -> (StatusCode, Value) {
    app.post("/api/v1/scans", token, json!({"url": url})).await
}

/// The scan was recorded with `state`, `changed` or not: its attendance.
#[track_caller]
pub fn assert_scanned(answer: &(StatusCode, Value), state: &str, changed: bool) -> i64 {
    let (status, body) = answer;
    assert_eq!(*status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], state, "{body}");
    assert_eq!(body["changed"], changed, "{body}");
    body["attendance_id"].as_i64().unwrap()
}

pub async fn attendances(app: &TestApp, token: &str, activity: i64) -> Vec<Value> {
    let (status, list) = app
        .get(
            &format!("/api/v1/activities/{activity}/attendances"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

impl TestApp {
    /// The activity as the store holds it.
    pub async fn stored_activity(&self, id: i64) -> Activity {
        self.state.store.activity(id).await.unwrap().unwrap()
    }

    /// A scan of `activity` by `volunteer_id` at `at`, as the scan writer records it.
    pub fn scan_at(&self, activity: &Activity, volunteer_id: i64, at: DateTime<Utc>) -> Scan {
        Scan {
            activity_id: activity.id,
            window: activity.window(),
            capacity: activity.capacity,
            signup_required: activity.signup_required,
            geofence: activity.geofence(),
            volunteer_id,
            at,
            position: None,
            grace: self.state.settings.checkout_grace(),
            recorded_by: None,
        }
    }

    /// Checks `volunteer_id` in at `at` (a scan made earlier): the new attendance.
    pub async fn checked_in_at(&self, activity: i64, volunteer_id: i64, at: DateTime<Utc>) -> i64 {
        let a = self.stored_activity(activity).await;
        let outcomes = self
            .state
            .store
            .record_scans(&[self.scan_at(&a, volunteer_id, at)])
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

    /// The volunteer scanned in at `in_at` and, if given, out at `out_at` (scans made earlier):
    /// their attendance.
    pub async fn served(
        &self,
        activity: i64,
        volunteer_id: i64,
        in_at: DateTime<Utc>,
        out_at: Option<DateTime<Utc>>,
    ) -> i64 {
        let a = self.stored_activity(activity).await;
        let mut scans = vec![self.scan_at(&a, volunteer_id, in_at)];
        scans.extend(out_at.map(|t| self.scan_at(&a, volunteer_id, t)));
        let outcomes = self.state.store.record_scans(&scans).await.unwrap();
        match outcomes.last() {
            Some(ScanOutcome::Recorded { attendance, .. }) => attendance.id,
            other => panic!("not recorded: {other:?}"),
        }
    }
}
