//! Scheduled jobs. Each run is claimed in the `job_runs` table under its period first, so that a
//! run happens once even when several instances share one PostgreSQL database.

use super::AppState;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use tokio_cron_scheduler::{Job, JobScheduler};

pub const AUTO_CLOSE: &str = "auto_close";

/// This process, as named in `job_runs`.
fn instance() -> String {
    format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "vledger".into()),
        std::process::id()
    )
}

/// Closes forgotten check-outs for the period holding `now`, unless that period already ran
/// (here or on another instance). Returns how many attendances it closed, `None` when skipped.
pub async fn auto_close(state: &AppState, now: DateTime<Utc>) -> crate::Result<Option<u64>> {
    let period = period_of(now, state.settings.auto_close_every());
    if !state
        .store
        .claim_job_run(AUTO_CLOSE, &period, &instance())
        .await?
    {
        return Ok(None);
    }
    let closed = state
        .store
        .close_forgotten_check_outs(now, state.settings.checkout_grace())
        .await?;
    state
        .store
        .finish_job_run(AUTO_CLOSE, &period, &format!("closed {closed}"))
        .await?;
    if closed > 0 {
        tracing::info!(closed, "closed forgotten check-outs");
    }
    Ok(Some(closed))
}

/// The period of length `every` that holds `now`, counted from the Unix epoch, as named in
/// `job_runs`: every instance names it alike.
fn period_of(now: DateTime<Utc>, every: TimeDelta) -> String {
    now.duration_trunc(every)
        .unwrap_or(now)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// Starts the scheduler with every job; it runs until the returned scheduler is shut down.
pub async fn start(state: AppState) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    let every = state.settings.auto_close_every().to_std()?;
    scheduler
        .add(Job::new_repeated_async(every, move |_, _| {
            let state = state.clone();
            Box::pin(async move {
                if let Err(e) = auto_close(&state, Utc::now()).await {
                    tracing::error!(error = %e, "auto-close job failed");
                }
            })
        })?)
        .await?;
    scheduler.start().await?;
    Ok(scheduler)
}
