//! Reading and writing the tables directly, on either backend, for what no endpoint does.

use super::TestApp;
use sqlx::{Connection, PgConnection, SqliteConnection};

/// A connection of its own to the test's database, for what no endpoint does: crediting points
/// (another part of the service earns them) and reading or tampering with the tables.
pub enum Db {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Db {
    pub async fn open(app: &TestApp) -> Db {
        if app.database_url.starts_with("sqlite:") {
            Db::Sqlite(SqliteConnection::connect(&app.database_url).await.unwrap())
        } else {
            Db::Postgres(PgConnection::connect(&app.database_url).await.unwrap())
        }
    }

    /// Runs `sql` (`?` placeholders) with `args`; the database's refusal, if any.
    pub async fn run(&mut self, sql: &str, args: &[i64]) -> Result<u64, sqlx::Error> {
        match self {
            Db::Sqlite(c) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
                for a in args {
                    q = q.bind(*a);
                }
                Ok(q.execute(c).await?.rows_affected())
            }
            Db::Postgres(c) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(numbered(sql)));
                for a in args {
                    q = q.bind(*a);
                }
                Ok(q.execute(c).await?.rows_affected())
            }
        }
    }

    /// The one number `sql` answers (`?` placeholders), 0 for no row or NULL.
    pub async fn number(&mut self, sql: &str, args: &[i64]) -> i64 {
        let found: Option<Option<i64>> = match self {
            Db::Sqlite(c) => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()));
                for a in args {
                    q = q.bind(*a);
                }
                q.fetch_optional(c).await.unwrap()
            }
            Db::Postgres(c) => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(numbered(sql)));
                for a in args {
                    q = q.bind(*a);
                }
                q.fetch_optional(c).await.unwrap()
            }
        };
        found.flatten().unwrap_or(0)
    }

    pub async fn balance(&mut self, volunteer: i64) -> i64 {
        self.number(
            "SELECT balance FROM points_balances WHERE volunteer_id = ?",
            &[volunteer],
        )
        .await
    }

    pub async fn stock(&mut self, reward: i64) -> i64 {
        self.number(
            "SELECT CAST(stock AS BIGINT) FROM rewards WHERE id = ?",
            &[reward],
        )
        .await
    }

    pub async fn count(&mut self, table: &str) -> i64 {
        self.number(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .await
    }
}

/// `?` placeholders as PostgreSQL's `$1, $2, …`.
fn numbered(sql: &str) -> String {
    let mut n = 0;
    sql.chars()
        .map(|c| match c {
            '?' => {
                n += 1;
                format!("${n}")
            }
            c => c.to_string(),
        })
        .collect()
}
