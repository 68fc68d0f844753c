//! Confirming service and reading the hours it credits.

use super::{Scene, TestApp, finished_activity};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;

impl TestApp {
    /// The scene, a three-hour activity that ended an hour ago, and volunteer 1 who served all of
    /// it: `(scene, activity, (volunteer, token), attendance)`.
    pub async fn served_volunteer(&self) -> (Scene, i64, (i64, String), i64) {
        let s = self.scene().await;
        let (activity, start) = finished_activity(self, &s).await;
        let (volunteer, token) = self.volunteer(1, s.community).await;
        let attendance = self
            .served(activity, volunteer, start, Some(start + Duration::hours(3)))
            .await;
        (s, activity, (volunteer, token), attendance)
    }
}

/// Reviews the attendances of `activity` as `body` says.
pub async fn confirm(
    app: &TestApp,
    token: &str,
    activity: i64,
    body: Value,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/activities/{activity}/confirmations"),
        Some(token),
        body,
    )
    .await
}

/// The hours of volunteer `who` (`me` for the caller) as `token` sees them.
pub async fn hours(app: &TestApp, token: &str, who: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/volunteers/{who}/hours"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}
