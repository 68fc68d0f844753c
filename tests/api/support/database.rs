//! The database under a test: an SQLite file in a temporary folder, or a fresh database on the
//! PostgreSQL server named by `VLEDGER_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`); removed when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Removes the database when dropped.
pub enum Database {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, name: String },
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: drop the database from a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut c).await;
                    }
                })
            })
            .join();
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn postgres_admin_url() -> String {
    std::env::var("VLEDGER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn postgres_required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// A fresh database: `(url, guard)`; `None` when PostgreSQL is unreachable outside CI.
pub async fn fresh_database(backend: Backend) -> Option<(String, Database)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("vledger.db").display());
            Some((url, Database::Sqlite { _dir: dir }))
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let admin_url = postgres_admin_url();
            let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
                Ok(c) => c,
                Err(e) if !postgres_required() => {
                    eprintln!(
                        "SKIPPED: PostgreSQL at {admin_url} is not reachable ({e}); CI runs these tests"
                    );
                    return None;
                }
                Err(e) => panic!(
                    "PostgreSQL at {admin_url} is required (CI is set) but not reachable: {e}"
                ),
            };
            let name = format!(
                "vledger_t_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                rand::random::<u32>()
            );
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut conn)
                .await
                .unwrap();
            let url = match admin_url.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => panic!("VLEDGER_TEST_POSTGRES_URL must name a database"),
            };
            Some((url, Database::Postgres { admin_url, name }))
        }
    }
}
