//! Activities and attendances on PostgreSQL.

use super::{PgStore, audit};
use crate::domain::attendance::{Window, credited_minutes};
use crate::error::{Error, Result};
use crate::store::activities::{
    Activity, ActivityFields, ActivityStore, AttendanceRow, Scan, ScanOutcome, activity_audit,
    auto_close_audit,
};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

const ACTIVITY: &str =
    "SELECT a.id, a.unit_id, a.title, a.place, a.content, a.category, a.organiser,
    a.person_in_charge, a.starts_at, a.ends_at, a.capacity, a.geo_lat, a.geo_lon, a.geo_radius_m,
    a.qr_mode, a.status, a.qr_secret, u.path AS unit_path
    FROM activities a JOIN units u ON u.id = a.unit_id";
async fn activity_in(conn: &mut PgConnection, id: i64) -> Result<Activity> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("activity"))
}

#[async_trait]
impl ActivityStore for PgStore {
    async fn create_activity(
        &self,
        unit_id: i64,
        f: &ActivityFields,
        qr_secret: &[u8],
        actor: i64,
    ) -> Result<Activity> {
        let mut tx = self.write().await?;
        let (lat, lon, radius) = f.geofence_columns();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO activities (unit_id, title, place, content, category, organiser, person_in_charge,
                 starts_at, ends_at, capacity, geo_lat, geo_lon, geo_radius_m, qr_mode, qr_secret,
                 created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
        )
        .bind(unit_id)
        .bind(&f.title)
        .bind(&f.place)
        .bind(&f.content)
        .bind(&f.category)
        .bind(&f.organiser)
        .bind(&f.person_in_charge)
        .bind(f.window.starts_at)
        .bind(f.window.ends_at)
        .bind(f.capacity)
        .bind(lat)
        .bind(lon)
        .bind(radius)
        .bind(f.qr_mode.as_str())
        .bind(qr_secret)
        .bind(actor)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        let activity = activity_in(&mut tx, id).await?;
        audit(&mut tx, activity_audit(&activity, actor, "create", None)).await?;
        tx.commit().await?;
        Ok(activity)
    }

    async fn activity(&self, id: i64) -> Result<Option<Activity>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn update_activity(&self, id: i64, f: &ActivityFields, actor: i64) -> Result<Activity> {
        let mut tx = self.write().await?;
        let before = activity_in(&mut tx, id).await?;
        let (lat, lon, radius) = f.geofence_columns();
        sqlx::query(
            "UPDATE activities SET title = $1, place = $2, content = $3, category = $4, organiser = $5,
                 person_in_charge = $6, starts_at = $7, ends_at = $8, capacity = $9, geo_lat = $10, geo_lon = $11,
                 geo_radius_m = $12, qr_mode = $13
             WHERE id = $14",
        )
        .bind(&f.title)
        .bind(&f.place)
        .bind(&f.content)
        .bind(&f.category)
        .bind(&f.organiser)
        .bind(&f.person_in_charge)
        .bind(f.window.starts_at)
        .bind(f.window.ends_at)
        .bind(f.capacity)
        .bind(lat)
        .bind(lon)
        .bind(radius)
        .bind(f.qr_mode.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = activity_in(&mut tx, id).await?;
        audit(
            &mut tx,
            activity_audit(&after, actor, "update", Some(&before)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn cancel_activity(&self, id: i64, actor: i64) -> Result<Activity> {
        let mut tx = self.write().await?;
        let before = activity_in(&mut tx, id).await?;
        sqlx::query("UPDATE activities SET status = 'cancelled' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = activity_in(&mut tx, id).await?;
        audit(
            &mut tx,
            activity_audit(&after, actor, "cancel", Some(&before)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn activities_within(
        &self,
        path: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Activity>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ACTIVITY} WHERE u.path LIKE $1 || '%' AND a.ends_at > $2 AND a.starts_at < $3
             ORDER BY a.starts_at, a.id LIMIT $4"
        )))
        .bind(path)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_scans(&self, scans: &[Scan]) -> Result<Vec<ScanOutcome>> {
        let mut tx = self.write().await?;
        let outcomes = super::scans::record_batch(&mut tx, scans).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn attendances_of(&self, activity_id: i64) -> Result<Vec<AttendanceRow>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.state, a.checked_in_at, a.checked_out_at, a.credited_minutes, a.outside_geofence,
                 a.volunteer_id, v.volunteer_no, v.name, a.in_lat, a.in_lon, a.out_lat, a.out_lon,
                 a.review, a.review_reason, a.fraudulent
             FROM attendances a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.activity_id = $1 ORDER BY a.checked_in_at, a.id",
        )
        .bind(activity_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn close_forgotten_check_outs(&self, now: DateTime<Utc>, grace: Duration) -> Result<u64> {
        let mut tx = self.write().await?;
        let open: Vec<(i64, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>, i64, String)> = sqlx::query_as(
            "SELECT a.id, a.checked_in_at, ac.starts_at, ac.ends_at, ac.unit_id, u.path
             FROM attendances a JOIN activities ac ON ac.id = a.activity_id JOIN units u ON u.id = ac.unit_id
             WHERE a.state = 'checked_in' AND ac.status = 'scheduled' AND ac.ends_at < $1",
        )
        .bind(now - grace)
        .fetch_all(&mut *tx)
        .await?;
        let mut closed = 0;
        for (id, checked_in_at, starts_at, ends_at, unit_id, unit_path) in &open {
            let window = Window {
                starts_at: *starts_at,
                ends_at: *ends_at,
            };
            let credited = credited_minutes(*checked_in_at, *ends_at, window);
            let closed_now = sqlx::query(
                "UPDATE attendances SET state = 'auto_closed', checked_out_at = $1, credited_minutes = $2
                 WHERE id = $3 AND state = 'checked_in'",
            )
            .bind(ends_at)
            .bind(credited)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if closed_now == 1 {
                closed += 1;
                let after = serde_json::json!({"state": "auto_closed", "checked_out_at": ends_at, "credited_minutes": credited});
                audit(&mut tx, auto_close_audit(*id, *unit_id, unit_path, after)).await?;
            }
        }
        tx.commit().await?;
        Ok(closed)
    }

    async fn claim_job_run(&self, job: &str, period: &str, instance: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let claimed = sqlx::query(
            "INSERT INTO job_runs (job, period, instance, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(job)
        .bind(period)
        .bind(instance)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(claimed == 1)
    }

    async fn finish_job_run(&self, job: &str, period: &str, outcome: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE job_runs SET finished_at = $1, outcome = $2 WHERE job = $3 AND period = $4",
        )
        .bind(Utc::now())
        .bind(outcome)
        .bind(job)
        .bind(period)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
