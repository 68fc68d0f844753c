#![forbid(unsafe_code)]
//! The `vledger` command: serve, migrate, and administrative tasks.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;
use vledger::app::registration::Channel;
use vledger::config::Settings;
use vledger::{http, service};

#[derive(Parser)]
#[command(
    name = "vledger",
    version,
    about = "Volunteer hours ledger and incentive service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations, then serve HTTP until SIGTERM/SIGINT.
    Serve {
        /// On an empty database, first build the demo district (with this many volunteers).
        #[arg(long, value_name = "VOLUNTEERS", num_args = 0..=1, default_missing_value = "1000")]
        demo: Option<u64>,
    },
    /// Run migrations and exit.
    Migrate,
    /// Accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Bulk imports.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Scheduled jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Fill the database with a deterministic synthetic district.
    Demo {
        #[arg(long, default_value_t = 1000)]
        volunteers: u64,
        /// The year whose population figures (and, later, activities) are made.
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a consistent copy of the database to DEST, a new file, while the service runs.
    Backup { dest: PathBuf },
    /// Restore a backup into the configured database, which must be new and empty.
    Restore { backup: PathBuf },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create the district unit if none exists and a district admin on it; prints the user id.
    Create {
        #[arg(long)]
        login: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "District administrator")]
        name: String,
        #[arg(long, default_value = "示范区")]
        district: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run one scheduled job now for the period holding `--at` (default now), claimed in
    /// `job_runs` as a scheduled run is: a period already run (here or elsewhere) is skipped.
    Run {
        job: JobName,
        /// An RFC 3339 time, e.g. 2026-11-27T18:00:00+08:00.
        #[arg(long, value_parser = chrono::DateTime::parse_from_rfc3339)]
        at: Option<chrono::DateTime<chrono::FixedOffset>>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum JobName {
    /// Close forgotten check-outs.
    #[value(name = "auto_close")]
    AutoClose,
    /// Apply the backbone volunteer rule for the day.
    Backbone,
    /// Open the past year's selection rounds of every street and community.
    Selection,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import volunteers from a CSV file (see the README for the columns).
    Volunteers { file: PathBuf },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Before opening the service: a backup needs no key, and the database to restore into must
    // stay empty until restored.
    let copied = match &cli.command {
        Command::Backup { dest } => Some(service::backup(&settings, dest).await?),
        Command::Restore { backup } => Some(service::restore(&settings, backup).await?),
        _ => None,
    };
    if let Some(report) = copied {
        println!("{report}");
        return Ok(());
    }
    let state = service::open(settings).await?;
    match cli.command {
        Command::Serve { demo } => {
            if let Some(volunteers) = demo
                && state.store.root_unit().await?.is_none()
            {
                println!(
                    "{}",
                    vledger::demo::build(&state, volunteers, this_year(), 1).await?
                );
            }
            service::serve(state.clone(), http::app(state)).await?
        }
        Command::Migrate => tracing::info!("database is up to date"),
        Command::Admin {
            command:
                AdminCommand::Create {
                    login,
                    password,
                    name,
                    district,
                },
        } => {
            let id = service::create_admin(&state, &login, &password, &name, &district).await?;
            println!("{id}");
        }
        Command::Import {
            command: ImportCommand::Volunteers { file },
        } => {
            let csv = std::fs::File::open(&file)
                .with_context(|| format!("opening {}", file.display()))?;
            let channel = Channel {
                via: "import",
                recorded_by: None,
            };
            let report = vledger::app::import::import_csv(
                &state.store,
                &state.keys,
                csv,
                channel,
                state.settings.local_now(),
                |_| true,
            )
            .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Command::Jobs {
            command: JobsCommand::Run { job, at },
        } => {
            let at = at.map_or_else(chrono::Utc::now, |t| t.to_utc());
            match job {
                JobName::AutoClose => match vledger::app::jobs::auto_close(&state, at).await? {
                    Some(closed) => {
                        println!("auto_close at {at}: closed {closed} forgotten check-outs")
                    }
                    None => println!("auto_close at {at}: this period already ran; skipped"),
                },
                JobName::Backbone => match vledger::app::jobs::backbone(&state, at).await? {
                    Some(run) => println!(
                        "backbone at {at}: {} volunteers meet the rule; {} became backbone volunteers, {} ceased",
                        run.meeting, run.became_backbone, run.ceased
                    ),
                    None => println!("backbone at {at}: this day already ran; skipped"),
                },
                JobName::Selection => match vledger::app::jobs::selection(&state, at).await? {
                    Some(opened) => println!("selection at {at}: opened {opened} rounds"),
                    None => println!(
                        "selection at {at}: this year's rounds already ran or are not due yet; skipped"
                    ),
                },
            }
        }
        Command::Demo {
            volunteers,
            year,
            seed,
        } => {
            let year = year.unwrap_or_else(this_year);
            let summary = vledger::demo::build(&state, volunteers, year, seed).await?;
            println!("{summary}");
        }
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("run before opening"),
    }
    Ok(())
}

fn this_year() -> i32 {
    chrono::Datelike::year(&chrono::Utc::now())
}
