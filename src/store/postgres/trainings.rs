//! Trainings 培训记录 and who attended them. (PostgreSQL)

use super::{PgStore, audit};
use crate::error::{Error, Result};
use crate::store::Unit;
use crate::store::trainings::{
    Attendee, NewTraining, StudyRecord, Training, TrainingStore, attendees_audit, check_volunteers,
    record_audit, year_span,
};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use sqlx::PgConnection;

const TRAINING: &str = "SELECT t.id, t.unit_id, t.name, t.content, t.host, t.held_on,
    t.study_minutes, t.recorded_by, t.created_at,
    (SELECT COUNT(*) FROM training_attendees a WHERE a.training_id = t.id) AS attendee_count,
    u.path AS unit_path
    FROM trainings t JOIN units u ON u.id = t.unit_id";

async fn training_in(conn: &mut PgConnection, id: i64) -> Result<Training> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{TRAINING} WHERE t.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("training"))
}

/// Adds the volunteers of `ids` registered within `path` to the training; `unknown_volunteer`
/// if any is not. Returns the ids newly added.
async fn add_attendees(
    conn: &mut PgConnection,
    training_id: i64,
    path: &str,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT v.id FROM volunteers v JOIN units u ON u.id = v.community_id
         WHERE v.id = ANY($1) AND u.path LIKE $2 || '%'",
    )
    .bind(ids)
    .bind(path)
    .fetch_all(&mut *conn)
    .await?;
    check_volunteers(ids, &found)?;
    let mut added: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO training_attendees (training_id, volunteer_id)
         SELECT $1, unnest($2::BIGINT[]) ON CONFLICT DO NOTHING RETURNING volunteer_id",
    )
    .bind(training_id)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    added.sort_unstable();
    Ok(added)
}

#[async_trait]
impl TrainingStore for PgStore {
    async fn create_training(
        &self,
        unit: &Unit,
        t: &NewTraining,
        volunteer_ids: &[i64],
        actor: i64,
    ) -> Result<Training> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
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
        .fetch_one(&mut *tx)
        .await?;
        add_attendees(&mut tx, id, &unit.path, volunteer_ids).await?;
        let training = training_in(&mut tx, id).await?;
        audit(&mut tx, record_audit(&training, unit, volunteer_ids)).await?;
        tx.commit().await?;
        Ok(training)
    }

    async fn training(&self, id: i64) -> Result<Option<Training>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{TRAINING} WHERE t.id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn trainings_within(
        &self,
        path: &str,
        from: NaiveDate,
        to: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Training>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{TRAINING} WHERE u.path LIKE $1 || '%' AND t.held_on >= $2 AND t.held_on < $3
             ORDER BY t.held_on DESC, t.id DESC LIMIT $4"
        )))
        .bind(path)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn training_attendees(&self, training_id: i64) -> Result<Vec<Attendee>> {
        Ok(sqlx::query_as(
            "SELECT v.id AS volunteer_id, v.volunteer_no, v.name
             FROM training_attendees a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.training_id = $1 ORDER BY v.volunteer_no",
        )
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn add_training_attendees(
        &self,
        training: &Training,
        volunteer_ids: &[i64],
        actor: i64,
    ) -> Result<Vec<i64>> {
        let mut tx = self.write().await?;
        let added = add_attendees(&mut tx, training.id, &training.unit_path, volunteer_ids).await?;
        // Adding someone already on the list changes nothing, so it leaves no audit entry.
        if !added.is_empty() {
            audit(&mut tx, attendees_audit(training, &added, actor)).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn trainings_of(&self, volunteer_id: i64, year: i32) -> Result<Vec<StudyRecord>> {
        let (from, to) = year_span(year);
        Ok(sqlx::query_as(
            "SELECT t.id, t.name, t.content, t.host, t.held_on, t.study_minutes
             FROM training_attendees a JOIN trainings t ON t.id = a.training_id
             WHERE a.volunteer_id = $1 AND t.held_on >= $2 AND t.held_on < $3
             ORDER BY t.held_on, t.id",
        )
        .bind(volunteer_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn study_minutes(&self, volunteer_id: i64, year: i32) -> Result<i64> {
        let (from, to) = year_span(year);
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(SUM(t.study_minutes), 0)
             FROM training_attendees a JOIN trainings t ON t.id = a.training_id
             WHERE a.volunteer_id = $1 AND t.held_on >= $2 AND t.held_on < $3",
        )
        .bind(volunteer_id)
        .bind(from)
        .bind(to)
        .fetch_one(&self.pool)
        .await?)
    }
}
