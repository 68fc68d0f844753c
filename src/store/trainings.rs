//! Trainings 培训记录 and who attended them. Study time 学习时长 is kept apart from service time:
//! it never enters the hours ledger, stars, points or the yearly selection.

use crate::domain::hours::hours;
use crate::error::Result;
use crate::store::{NewAudit, Unit};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// A training as a social worker records it (validated).
#[derive(Debug, Clone)]
pub struct NewTraining {
    pub name: String,
    pub content: String,
    /// Whole minutes, 1 to 1440.
    pub study_minutes: i32,
    /// 主办单位
    pub host: String,
    pub held_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Training {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub content: String,
    pub host: String,
    pub held_on: NaiveDate,
    /// Study hours 学时, e.g. `"2.50"`.
    #[serde(rename = "study_hours", serialize_with = "as_hours")]
    #[schema(value_type = String)]
    pub study_minutes: i32,
    pub recorded_by: i64,
    pub created_at: DateTime<Utc>,
    pub attendee_count: i64,
    #[serde(skip)]
    pub unit_path: String,
}

/// A volunteer on a training's attendance list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Attendee {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
}

/// One training in a volunteer's record.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct StudyRecord {
    pub id: i64,
    pub name: String,
    pub content: String,
    pub host: String,
    pub held_on: NaiveDate,
    #[serde(rename = "study_hours", serialize_with = "as_hours")]
    #[schema(value_type = String)]
    pub study_minutes: i32,
}

fn as_hours<S: Serializer>(minutes: &i32, s: S) -> Result<S::Ok, S::Error> {
    Serialize::serialize(&hours(i64::from(*minutes)), s)
}

/// The volunteers of `wanted` missing from `found`, as the `unknown_volunteer` answer; nothing
/// is written when any is missing.
pub(crate) fn check_volunteers(wanted: &[i64], found: &[i64]) -> Result<()> {
    let missing: Vec<String> = wanted
        .iter()
        .filter(|id| !found.contains(id))
        .map(i64::to_string)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(crate::Error::invalid(
        "unknown_volunteer",
        format!(
            "no volunteer registered within this unit has id {}",
            missing.join(", ")
        ),
    ))
}

/// The audit entry of a recorded training.
pub(crate) fn record_audit<'a>(
    t: &Training,
    unit: &'a Unit,
    volunteer_ids: &[i64],
) -> NewAudit<'a> {
    NewAudit {
        actor_id: Some(t.recorded_by),
        action: "record_training",
        entity: "training",
        entity_id: t.id.to_string(),
        unit_id: Some(unit.id),
        unit_path: Some(&unit.path),
        before: None,
        after: Some(serde_json::json!({"training": t, "volunteer_ids": volunteer_ids})),
    }
}

/// The audit entry of volunteers added to a training's list.
pub(crate) fn attendees_audit<'a>(t: &'a Training, added: &[i64], actor: i64) -> NewAudit<'a> {
    NewAudit {
        actor_id: Some(actor),
        action: "add_training_attendees",
        entity: "training",
        entity_id: t.id.to_string(),
        unit_id: Some(t.unit_id),
        unit_path: Some(&t.unit_path),
        before: None,
        after: Some(serde_json::json!({"added": added})),
    }
}

#[async_trait]
pub trait TrainingStore {
    /// Records a training in `unit` with its attendees and an audit entry, in one transaction.
    /// Every volunteer must be registered in a community within the unit (`unknown_volunteer`).
    async fn create_training(
        &self,
        unit: &Unit,
        training: &NewTraining,
        volunteer_ids: &[i64],
        actor: i64,
    ) -> Result<Training>;
    async fn training(&self, id: i64) -> Result<Option<Training>>;
    /// Trainings of the units within `path` held in [from, to), newest first.
    async fn trainings_within(
        &self,
        path: &str,
        from: NaiveDate,
        to: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Training>>;
    async fn training_attendees(&self, training_id: i64) -> Result<Vec<Attendee>>;
    /// Adds volunteers to a training's list (those already on it stay as they are), under the
    /// same rule as `create_training`; returns the ids newly added.
    async fn add_training_attendees(
        &self,
        training: &Training,
        volunteer_ids: &[i64],
        actor: i64,
    ) -> Result<Vec<i64>>;
    /// The trainings a volunteer attended in `year`, by date.
    async fn trainings_of(&self, volunteer_id: i64, year: i32) -> Result<Vec<StudyRecord>>;
    /// A volunteer's study time in `year`, in minutes: shown beside service time, never added
    /// to it.
    async fn study_minutes(&self, volunteer_id: i64, year: i32) -> Result<i64>;
}

/// The first day of `year` and of the year after: the span a year filter covers.
pub(crate) fn year_span(year: i32) -> (NaiveDate, NaiveDate) {
    let year = year.clamp(1, 9998);
    let first = |y| NaiveDate::from_ymd_opt(y, 1, 1).expect("years 1 to 9999 exist");
    (first(year), first(year + 1))
}
