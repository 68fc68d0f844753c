//! Scan throughput over real HTTP on loopback, against the raw single-row insert rate of the same
//! database at the same concurrency.
//!
//!     cargo bench --bench scans -- [--database sqlite|postgres] [--concurrency 64] [--scans 30000]
//!
//! PostgreSQL: a scratch database is created (and dropped) on the server at
//! `VLEDGER_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).

use chrono::{Duration, Utc};
use sqlx::Connection;
use std::sync::Arc;
use std::time::Instant;
use vledger::app::AppState;
use vledger::app::registration::{Applicant, Channel, prepare};
use vledger::config::Settings;
use vledger::crypto::{Keys, new_session_token};
use vledger::domain::attendance::Window;
use vledger::domain::id_number::compose;
use vledger::domain::qr::QrMode;
use vledger::domain::units::UnitKind;
use vledger::http::app;
use vledger::store::Registration;
use vledger::store::activities::ActivityFields;

struct Args {
    database: String,
    concurrency: usize,
    scans: usize,
}

fn args() -> Args {
    let mut a = Args {
        database: "sqlite".into(),
        concurrency: 64,
        scans: 30_000,
    };
    let argv: Vec<String> = std::env::args()
        .skip(1)
        .filter(|s| s != "--bench")
        .collect();
    for pair in argv.chunks(2) {
        match (pair[0].as_str(), pair.get(1)) {
            ("--database", Some(v)) => a.database = v.clone(),
            ("--concurrency", Some(v)) => a.concurrency = v.parse().expect("--concurrency N"),
            ("--scans", Some(v)) => a.scans = v.parse().expect("--scans N"),
            (other, _) => panic!("unknown argument {other}; see the top of benches/scans.rs"),
        }
    }
    a
}

/// A scratch database: its URL and, for PostgreSQL, how to drop it.
async fn scratch(database: &str) -> (String, Option<(String, String)>, Option<tempfile::TempDir>) {
    match database {
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            (
                format!("sqlite://{}", dir.path().join("bench.db").display()),
                None,
                Some(dir),
            )
        }
        "postgres" => {
            let admin = std::env::var("VLEDGER_BENCH_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let name = format!("vledger_bench_{}", std::process::id());
            let mut c = sqlx::PgConnection::connect(&admin)
                .await
                .expect("PostgreSQL reachable");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut c)
                .await
                .unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            (url, Some((admin, name)), None)
        }
        other => panic!("--database sqlite|postgres, not {other}"),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Seeds one activity open now and `n` volunteers with sessions; returns the scan URL and tokens.
async fn seed(state: &AppState, n: usize) -> (String, Vec<String>) {
    let store = &state.store;
    let district = store
        .create_unit("区", UnitKind::District, None, None)
        .await
        .unwrap();
    let street = store
        .create_unit("街道", UnitKind::Street, Some(&district), None)
        .await
        .unwrap();
    let community = store
        .create_unit("社区", UnitKind::Community, Some(&street), None)
        .await
        .unwrap();
    let organizer = store
        .create_user("organizer", None, "负责人")
        .await
        .unwrap();
    let now = Utc::now();
    let fields = ActivityFields {
        title: "压测活动".into(),
        place: "社区广场".into(),
        content: "扫码压测".into(),
        category: "社区服务".into(),
        organiser: "社区".into(),
        person_in_charge: "负责人".into(),
        window: Window {
            starts_at: now - Duration::minutes(10),
            ends_at: now + Duration::hours(3),
        },
        capacity: None,
        geofence: None,
        qr_mode: QrMode::Static,
        signup_required: false,
    };
    let activity = store
        .create_activity(community.id, &fields, b"bench secret", organizer)
        .await
        .unwrap();
    let code = vledger::domain::qr::code(&state.keys.qr, &activity.qr_secret, activity.id, None);
    let mut tokens = Vec::with_capacity(n);
    let birth = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(2000) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|&i| {
                let a = Applicant {
                    name: "志愿者".into(),
                    id_number: compose(
                        340104,
                        birth + Duration::days((i / 1000) as i64),
                        (i % 1000) as u32,
                    ),
                    phone: format!("137{i:08}"),
                    community_id: community.id,
                    consent: true,
                    ..Applicant::default()
                };
                prepare(
                    &a,
                    None,
                    Channel {
                        via: "demo",
                        recorded_by: None,
                    },
                    &state.keys,
                    now.fixed_offset(),
                )
                .unwrap()
            })
            .collect();
        for outcome in store.register_volunteers(&batch).await.unwrap() {
            let Registration::Registered { id, .. } = outcome else {
                panic!("seed collision")
            };
            let (token, hash) = new_session_token();
            store
                .start_session(id, &hash, now + Duration::hours(1))
                .await
                .unwrap();
            tokens.push(token);
        }
    }
    (code, tokens)
}

async fn drive_scans(
    base: &str,
    code: &str,
    tokens: Vec<String>,
    concurrency: usize,
) -> (f64, Vec<f64>, usize) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let tokens = Arc::new(tokens);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|k| {
            let (client, tokens, url, body) = (
                client.clone(),
                tokens.clone(),
                format!("{base}/api/v1/scans"),
                serde_json::json!({ "url": code }),
            );
            tokio::spawn(async move {
                let (mut latencies, mut failures) = (Vec::new(), 0);
                for token in tokens.iter().skip(k).step_by(concurrency) {
                    let t = Instant::now();
                    let res = client
                        .post(&url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == 200 => {
                            let b: serde_json::Value = r.json().await.unwrap();
                            if b["state"] != "checked_in" {
                                failures += 1;
                            }
                        }
                        _ => failures += 1,
                    }
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                (latencies, failures)
            })
        })
        .collect();
    let (mut all, mut failures) = (Vec::new(), 0);
    for t in tasks {
        let (l, f) = t.await.unwrap();
        all.extend(l);
        failures += f;
    }
    (started.elapsed().as_secs_f64(), all, failures)
}

/// Brings the database to the state a running service has after seeding: the write-ahead log
/// written out, so that neither measurement pays for a checkpoint caused by the other, and on
/// PostgreSQL statistics current (as autovacuum keeps them).
async fn settle(url: &str) {
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut c)
            .await
            .unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query("ANALYZE").execute(&mut c).await.unwrap();
        sqlx::query("CHECKPOINT").execute(&mut c).await.unwrap();
    }
}

/// Single-row inserts, one transaction each, from `concurrency` tasks, for `rows` rows in all.
async fn raw_inserts(url: &str, concurrency: usize, rows: usize) -> f64 {
    let per_task = rows / concurrency;
    let started;
    if url.starts_with("sqlite:") {
        // The same discipline as the store: one writer connection, BEGIN IMMEDIATE per write.
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        use std::str::FromStr;
        let options = SqliteConnectOptions::from_str(url)
            .unwrap()
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        sqlx::query(
            "CREATE TABLE raw_insert (id INTEGER PRIMARY KEY, task INTEGER, n INTEGER, at TEXT)",
        )
        .execute(&pool)
        .await
        .unwrap();
        started = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|k| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    for n in 0..per_task {
                        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
                        sqlx::query("INSERT INTO raw_insert (task, n, at) VALUES (?, ?, ?)")
                            .bind(k as i64)
                            .bind(n as i64)
                            .bind(Utc::now())
                            .execute(&mut *tx)
                            .await
                            .unwrap();
                        tx.commit().await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    } else {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(concurrency as u32)
            .connect(url)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE raw_insert (id BIGSERIAL PRIMARY KEY, task INTEGER, n INTEGER, at TIMESTAMPTZ)").execute(&pool).await.unwrap();
        started = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|k| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    for n in 0..per_task {
                        sqlx::query("INSERT INTO raw_insert (task, n, at) VALUES ($1, $2, $3)")
                            .bind(k as i32)
                            .bind(n as i32)
                            .bind(Utc::now())
                            .execute(&pool)
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    }
    (per_task * concurrency) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args = args();
    let (url, drop_pg, _dir) = scratch(&args.database).await;
    let settings = Settings {
        database_url: url.clone(),
        secret_key: Some(Keys::generate_hex()),
        db_max_connections: 8,
        log: "warn".into(),
        ..Settings::default()
    };
    let state = vledger::service::open(settings).await.unwrap();
    let seeding = Instant::now();
    let (code, tokens) = seed(&state, args.scans).await;
    println!(
        "seeded {} volunteers with sessions in {:.1} s",
        tokens.len(),
        seeding.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app(state.clone())).into_future());

    settle(&url).await;
    let (secs, mut latencies, failures) = drive_scans(&base, &code, tokens, args.concurrency).await;
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let rate = latencies.len() as f64 / secs;
    println!(
        "{}: {} scans over HTTP at concurrency {} in {secs:.2} s: {rate:.0} scans/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, {failures} failed",
        args.database,
        latencies.len(),
        args.concurrency,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
    );
    settle(&url).await;
    let raw = raw_inserts(&url, args.concurrency, args.scans.min(20_000)).await;
    println!(
        "{}: raw single-row inserts at concurrency {}: {raw:.0} rows/s; scans/raw = {:.2}",
        args.database,
        args.concurrency,
        rate / raw
    );

    if let Some((admin, name)) = drop_pg {
        drop(state);
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {name} WITH (FORCE)"
        )))
        .execute(&mut c)
        .await
        .unwrap();
    }
    assert_eq!(failures, 0, "every scan must be answered checked_in");
}
