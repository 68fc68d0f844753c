//! Scheduled jobs. Each run is claimed in the `job_runs` table under its period first, so that a
//! run happens once even when several instances share one PostgreSQL database.

use super::AppState;
use super::backbone::RuleRun;
use chrono::Datelike;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::future::Future;
use std::pin::Pin;
use tokio_cron_scheduler::{Job, JobScheduler};

pub const AUTO_CLOSE: &str = "auto_close";
pub const BACKBONE: &str = "backbone";
pub const SELECTION: &str = "selection";

/// How often the scheduler looks whether a daily or yearly run is still to do.
const DAILY_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

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

/// Applies the backbone rule for the day (display time) holding `now`, unless that day already
/// ran here or on another instance. `None` when skipped.
pub async fn backbone(state: &AppState, now: DateTime<Utc>) -> crate::Result<Option<RuleRun>> {
    let local = now.with_timezone(&state.settings.display_offset());
    let period = local.date_naive().to_string();
    if !state
        .store
        .claim_job_run(BACKBONE, &period, &instance())
        .await?
    {
        return Ok(None);
    }
    let run =
        super::backbone::apply_rule(&state.store, &state.settings.backbone_rule(), local).await?;
    state
        .store
        .finish_job_run(
            BACKBONE,
            &period,
            &format!(
                "meeting {}, became backbone {}, ceased {}",
                run.meeting, run.became_backbone, run.ceased
            ),
        )
        .await?;
    tracing::info!(
        meeting = run.meeting,
        became = run.became_backbone,
        ceased = run.ceased,
        "backbone rule applied"
    );
    Ok(Some(run))
}

/// Opens the selection round of every street and community for the year before the one holding
/// `now`, once its opening day (`selection_opens_on`) has come, unless that year already ran here
/// or on another instance. `None` when skipped or not yet due; else how many rounds it opened
/// (a round opened by hand before is left as it is).
pub async fn selection(state: &AppState, now: DateTime<Utc>) -> crate::Result<Option<usize>> {
    let local = now.with_timezone(&state.settings.display_offset());
    let year = local.year() - 1;
    if local.date_naive() < state.settings.selection_opens(local.year()) {
        return Ok(None);
    }
    let period = year.to_string();
    if !state
        .store
        .claim_job_run(SELECTION, &period, &instance())
        .await?
    {
        return Ok(None);
    }
    let opened = super::selections::open_all(state, year).await?;
    state
        .store
        .finish_job_run(SELECTION, &period, &format!("opened {opened} rounds"))
        .await?;
    tracing::info!(year, opened, "selection rounds opened");
    Ok(Some(opened))
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
    repeat(&scheduler, every, &state, "auto-close", |s, now| {
        Box::pin(async move { auto_close(&s, now).await.map(drop) })
    })
    .await?;
    repeat(
        &scheduler,
        DAILY_CHECK_EVERY,
        &state,
        "backbone",
        |s, now| Box::pin(async move { backbone(&s, now).await.map(drop) }),
    )
    .await?;
    repeat(
        &scheduler,
        DAILY_CHECK_EVERY,
        &state,
        "selection",
        |s, now| Box::pin(async move { selection(&s, now).await.map(drop) }),
    )
    .await?;
    scheduler.start().await?;
    Ok(scheduler)
}

/// A run of one job at a time, on its own copy of the state.
type Run = fn(AppState, DateTime<Utc>) -> Pin<Box<dyn Future<Output = crate::Result<()>> + Send>>;

/// Adds `run` to `scheduler` every `every`, logging a failure under `name`.
async fn repeat(
    scheduler: &JobScheduler,
    every: std::time::Duration,
    state: &AppState,
    name: &'static str,
    run: Run,
) -> anyhow::Result<()> {
    let state = state.clone();
    scheduler
        .add(Job::new_repeated_async(every, move |_, _| {
            let state = state.clone();
            Box::pin(async move {
                if let Err(e) = run(state, Utc::now()).await {
                    tracing::error!(error = %e, job = name, "scheduled job failed");
                }
            })
        })?)
        .await?;
    Ok(())
}
