//! Scheduled job runs, claimed in `job_runs` so that each period runs once across instances.

use super::Store;
use super::db::query;
use crate::error::Result;
use chrono::Utc;

impl Store {
    pub async fn claim_job_run(&self, job: &str, period: &str, instance: &str) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let claimed = query(
            "INSERT INTO job_runs (job, period, instance, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(job)
        .bind(period)
        .bind(instance)
        .bind(Utc::now())
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(claimed == 1)
    }

    pub async fn finish_job_run(&self, job: &str, period: &str, outcome: &str) -> Result<()> {
        let mut tx = self.db.begin().await?;
        query("UPDATE job_runs SET finished_at = $1, outcome = $2 WHERE job = $3 AND period = $4")
            .bind(Utc::now())
            .bind(outcome)
            .bind(job)
            .bind(period)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
