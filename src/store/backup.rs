//! Whole copies of the database: SQLite's `VACUUM INTO`, the PostgreSQL snapshot that `pg_dump`
//! copies, what a database or an SQLite copy holds, and whether a database is still empty. The
//! copies and the database to restore into are read without migrating them.

use super::Store;
use super::db::{Backend, Tx, query, query_as, query_scalar};
use crate::error::Result;
use anyhow::Context;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// How much a database, or a copy of it, holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Contents {
    pub volunteers: i64,
    pub ledger_entries: i64,
    pub attendances: i64,
}

impl fmt::Display for Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} volunteers, {} ledger entries, {} attendances",
            self.volunteers, self.ledger_entries, self.attendances
        )
    }
}

const CONTENTS: &str = "SELECT (SELECT COUNT(*) FROM volunteers) AS volunteers, \
     (SELECT COUNT(*) FROM ledger_entries) AS ledger_entries, \
     (SELECT COUNT(*) FROM attendances) AS attendances";

const FINGERPRINT: &str = "SELECT value FROM meta WHERE key = 'key_fingerprint'";

/// A PostgreSQL snapshot of the whole database, exported so that `pg_dump --snapshot` copies
/// exactly it; it lasts until this is dropped.
pub struct Snapshot {
    pub id: String,
    /// What the snapshot holds.
    pub contents: Contents,
    _tx: Tx,
}

impl Store {
    /// What the database holds now.
    pub async fn contents(&self) -> Result<Contents> {
        Ok(query_as::<Contents>(CONTENTS).fetch_one(&self.db).await?)
    }

    /// SQLite: copies the database into the new file `into` in one read transaction, so the copy
    /// is consistent while the service goes on writing. The path is bound, never spliced in.
    pub async fn vacuum_into(&self, into: &str) -> Result<()> {
        query("VACUUM INTO $1").bind(into).execute(&self.db).await?;
        Ok(())
    }

    /// PostgreSQL: a read-only snapshot of the database as it is now.
    pub async fn export_snapshot(&self) -> Result<Snapshot> {
        let mut tx = self.db.begin().await?;
        query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut tx)
            .await?;
        let id = query_scalar("SELECT pg_export_snapshot()")
            .one(&mut tx)
            .await?;
        let contents = query_as::<Contents>(CONTENTS).fetch_one(&mut tx).await?;
        Ok(Snapshot {
            id,
            contents,
            _tx: tx,
        })
    }
}

/// What SQLite finds in a copy: its problems (none when intact), the fingerprint of the secret
/// key it was written with, and what it holds.
pub struct SqliteCopy {
    pub problems: Vec<String>,
    pub fingerprint: Option<String>,
    pub contents: Contents,
}

/// Reads the SQLite copy at `path` without changing it.
pub async fn inspect_sqlite_copy(path: &Path) -> anyhow::Result<SqliteCopy> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    let mut c = SqliteConnection::connect_with(&options).await?;
    let mut problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut c)
        .await?;
    problems.retain(|p| p != "ok");
    let fingerprint = sqlx::query_scalar(FINGERPRINT)
        .fetch_optional(&mut c)
        .await
        .context("not a vledger database")?;
    let contents = sqlx::query_as(CONTENTS).fetch_one(&mut c).await?;
    c.close().await?;
    Ok(SqliteCopy {
        problems,
        fingerprint,
        contents,
    })
}

/// The file of an SQLite URL.
pub fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    Ok(SqliteConnectOptions::from_str(url)?
        .get_filename()
        .to_owned())
}

/// Whether the database at `url` has any table; an SQLite file that does not exist has none.
pub async fn has_tables(url: &str) -> anyhow::Result<bool> {
    let tables: i64 = match Backend::of_url(url)? {
        Backend::Sqlite => {
            let file = sqlite_file(url)?;
            if !file.exists() {
                return Ok(false);
            }
            let options = SqliteConnectOptions::new().filename(file).read_only(true);
            let mut c = SqliteConnection::connect_with(&options).await?;
            let sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'";
            let tables = sqlx::query_scalar(sql).fetch_one(&mut c).await?;
            c.close().await?;
            tables
        }
        Backend::Postgres => {
            let mut c = PgConnection::connect(url).await?;
            let sql = "SELECT COUNT(*) FROM pg_catalog.pg_tables \
                       WHERE schemaname NOT IN ('pg_catalog', 'information_schema')";
            let tables = sqlx::query_scalar(sql).fetch_one(&mut c).await?;
            c.close().await?;
            tables
        }
    };
    Ok(tables > 0)
}
