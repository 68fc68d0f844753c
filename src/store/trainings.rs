//! Trainings 培训记录 and who attended them. Study time 学习时长 is kept apart from service time:
//! it never enters the hours ledger, stars, points or the yearly selection.

use super::db::{Backend, Tx, query, query_as, query_scalar};
use super::volunteers::REGISTERED;
use super::{Store, audit};
use crate::domain::hours::hours;
use crate::error::codes::UNKNOWN_VOLUNTEER;
use crate::error::{Error, Result};
use crate::store::{NewAudit, Unit};
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

impl Training {
    /// Study hours 学时 as shown, e.g. `2.50`.
    pub fn study_hours(&self) -> rust_decimal::Decimal {
        hours(i64::from(self.study_minutes))
    }
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
    unknown_volunteers("id", &missing)
}

/// The volunteer numbers of `wanted` missing from `found`, as the `unknown_volunteer` answer.
fn check_numbers(wanted: &[String], found: &[(String, i64)]) -> Result<()> {
    let missing: Vec<String> = wanted
        .iter()
        .filter(|no| !found.iter().any(|(f, _)| f == *no))
        .cloned()
        .collect();
    unknown_volunteers("number", &missing)
}

/// `unknown_volunteer`, naming the `missing` volunteers by their `key`, unless none is missing.
fn unknown_volunteers(key: &str, missing: &[String]) -> Result<()> {
    if missing.is_empty() {
        return Ok(());
    }
    Err(crate::Error::invalid(
        UNKNOWN_VOLUNTEER,
        format!(
            "no volunteer registered within this unit has {key} {}",
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

/// The first day of `year` and of the year after: the span a year filter covers.
pub(crate) fn year_span(year: i32) -> (NaiveDate, NaiveDate) {
    let year = year.clamp(1, 9998);
    let first = |y| NaiveDate::from_ymd_opt(y, 1, 1).expect("years 1 to 9999 exist");
    (first(year), first(year + 1))
}

const TRAINING: &str = "SELECT t.id, t.unit_id, t.name, t.content, t.host, t.held_on,
    t.study_minutes, t.recorded_by, t.created_at,
    (SELECT COUNT(*) FROM training_attendees a WHERE a.training_id = t.id) AS attendee_count,
    u.path AS unit_path
    FROM trainings t JOIN units u ON u.id = t.unit_id";

async fn training_in(tx: &mut Tx, id: i64) -> Result<Training> {
    query_as(format!("{TRAINING} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(Error::NotFound("training"))
}

/// Adds the volunteers of `ids` registered within `path` to the training; `unknown_volunteer`
/// if any is not. Returns the ids newly added.
async fn add_attendees(tx: &mut Tx, training_id: i64, path: &str, ids: &[i64]) -> Result<Vec<i64>> {
    let found: Vec<i64> = query_scalar(match tx.backend() {
        Backend::Sqlite => {
            "SELECT v.id FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE v.id IN (SELECT value FROM json_each($1)) AND u.path >= $2 AND u.path < $2 || '~'"
        }
        Backend::Postgres => {
            "SELECT v.id FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE v.id = ANY($1) AND u.path >= $2 AND u.path < $2 || '~'"
        }
    })
    .bind(ids)
    .bind(path)
    .all(&mut *tx)
    .await?;
    check_volunteers(ids, &found)?;
    let mut added = Vec::new();
    for &id in ids {
        let inserted = query(
            "INSERT INTO training_attendees (training_id, volunteer_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(training_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if inserted == 1 {
            added.push(id);
        }
    }
    added.sort_unstable();
    Ok(added)
}

impl Store {
    pub async fn create_training(
        &self,
        unit: &Unit,
        t: &NewTraining,
        volunteer_ids: &[i64],
        actor: i64,
    ) -> Result<Training> {
        let mut tx = self.db.begin().await?;
        let id: i64 = query_scalar(
            "INSERT INTO trainings (unit_id, name, content, study_minutes, host, held_on, recorded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(unit.id)
        .bind(&t.name)
        .bind(&t.content)
        .bind(t.study_minutes)
        .bind(&t.host)
        .bind(t.held_on)
        .bind(actor)
        .bind(Utc::now())
        .one(&mut tx)
        .await?;
        add_attendees(&mut tx, id, &unit.path, volunteer_ids).await?;
        let training = training_in(&mut tx, id).await?;
        audit(&mut tx, record_audit(&training, unit, volunteer_ids)).await?;
        tx.commit().await?;
        Ok(training)
    }

    pub async fn training(&self, id: i64) -> Result<Option<Training>> {
        Ok(query_as(format!("{TRAINING} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await?)
    }

    pub async fn trainings_within(
        &self,
        path: &str,
        from: NaiveDate,
        to: NaiveDate,
        (limit, offset): (i64, i64),
    ) -> Result<Vec<Training>> {
        Ok(query_as(format!(
            "{TRAINING} WHERE u.path >= $1 AND u.path < $1 || '~' AND t.held_on >= $2 AND t.held_on < $3
             ORDER BY t.held_on DESC, t.id DESC LIMIT $4 OFFSET $5"
        ))
        .bind(path)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.db)
        .await?)
    }

    /// The ids of the volunteers numbered `numbers`, in that order, each registered in a
    /// community within `path`; `unknown_volunteer` naming every number that is not.
    pub async fn volunteers_numbered(&self, path: &str, numbers: &[String]) -> Result<Vec<i64>> {
        let listed = match self.backend() {
            Backend::Sqlite => "SELECT value FROM json_each($1)",
            Backend::Postgres => "SELECT jsonb_array_elements_text($1)",
        };
        let found: Vec<(String, i64)> = query_as(format!(
            "SELECT v.volunteer_no, v.id FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE v.volunteer_no IN ({listed})
               AND u.path >= $2 AND u.path < $2 || '~' AND {REGISTERED}"
        ))
        .bind(serde_json::json!(numbers))
        .bind(path)
        .fetch_all(&self.db)
        .await?;
        check_numbers(numbers, &found)?;
        Ok(numbers
            .iter()
            .filter_map(|no| found.iter().find(|(f, _)| f == no).map(|(_, id)| *id))
            .collect())
    }

    pub async fn training_attendees(&self, training_id: i64) -> Result<Vec<Attendee>> {
        Ok(query_as(
            "SELECT v.id AS volunteer_id, v.volunteer_no, v.name
             FROM training_attendees a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.training_id = $1 ORDER BY v.volunteer_no",
        )
        .bind(training_id)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn add_training_attendees(
        &self,
        training: &Training,
        volunteer_ids: &[i64],
        actor: i64,
    ) -> Result<Vec<i64>> {
        let mut tx = self.db.begin().await?;
        let added = add_attendees(&mut tx, training.id, &training.unit_path, volunteer_ids).await?;
        // Adding someone already on the list changes nothing, so it leaves no audit entry.
        if !added.is_empty() {
            audit(&mut tx, attendees_audit(training, &added, actor)).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    pub async fn trainings_of(&self, volunteer_id: i64, year: i32) -> Result<Vec<StudyRecord>> {
        let (from, to) = year_span(year);
        Ok(query_as(
            "SELECT t.id, t.name, t.content, t.host, t.held_on, t.study_minutes
             FROM training_attendees a JOIN trainings t ON t.id = a.training_id
             WHERE a.volunteer_id = $1 AND t.held_on >= $2 AND t.held_on < $3
             ORDER BY t.held_on, t.id",
        )
        .bind(volunteer_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn study_minutes(&self, volunteer_id: i64, year: i32) -> Result<i64> {
        let (from, to) = year_span(year);
        Ok(query_scalar(
            "SELECT COALESCE(SUM(t.study_minutes), 0)
             FROM training_attendees a JOIN trainings t ON t.id = a.training_id
             WHERE a.volunteer_id = $1 AND t.held_on >= $2 AND t.held_on < $3",
        )
        .bind(volunteer_id)
        .bind(from)
        .bind(to)
        .one(&self.db)
        .await?)
    }
}
