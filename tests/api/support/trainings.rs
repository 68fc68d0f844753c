//! Trainings: the people a training story needs, and recording and reading trainings.

use super::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The scene, a social worker on its street, two volunteers of its community, and a volunteer of
/// another street.
pub struct Classroom {
    pub admin: String,
    pub street: i64,
    pub community: i64,
    pub social_worker_id: i64,
    pub social_worker: String,
    pub organizer: String,
    /// `(id, token)` of the volunteers of the first street.
    pub v1: (i64, String),
    pub v2: (i64, String),
    /// A volunteer of the other street.
    pub other: (i64, String),
}

impl TestApp {
    pub async fn classroom(&self) -> Classroom {
        let s = self.scene().await;
        let (_, other_community) = self
            .street_and_community(&s.admin, "西湖街道", "柳岸社区")
            .await;
        let (social_worker_id, social_worker) = self
            .staff(&s.admin, "social-worker-a", "social_worker", s.street)
            .await;
        Classroom {
            v1: self.volunteer(1, s.community).await,
            v2: self.volunteer(2, s.community).await,
            other: self.volunteer(3, other_community).await,
            admin: s.admin,
            street: s.street,
            community: s.community,
            social_worker_id,
            social_worker,
            organizer: s.organizer,
        }
    }
}

/// A training held by `unit_id` on `held_on`, attended by `volunteer_ids`.
pub fn training_body(
    unit_id: i64,
    held_on: &str,
    study_hours: Value,
    volunteer_ids: &[i64],
) -> Value {
    json!({
        "unit_id": unit_id,
        "name": "养老照护技能培训",
        "content": "失能老人照护要点\n急救常识",
        "study_hours": study_hours,
        "host": "东湖街道社会服务中心",
        "held_on": held_on,
        "volunteer_ids": volunteer_ids,
    })
}

/// Records a training that must be accepted.
pub async fn record(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, training) = app.post("/api/v1/trainings", Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{training}");
    training
}

/// The trainings of the caller in `year`.
pub async fn my_trainings(app: &TestApp, token: &str, year: i32) -> Value {
    let (status, body) = app
        .get(
            &format!("/api/v1/volunteers/me/trainings?year={year}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The trainings of `unit` and the units under it.
pub async fn trainings_of_unit(app: &TestApp, token: &str, unit: i64) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/api/v1/trainings?unit_id={unit}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}
