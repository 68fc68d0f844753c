//! One way to run SQL on either backend. Statements are written once, with `$N` placeholders
//! (SQLite reads `$N` by its number too); their arguments are collected as typed [`Arg`]s and
//! bound natively on the backend in use, so both keep their own types (timestamps, JSON, bytes).
//! Rows decode into any `sqlx::FromRow` type through the same derive on both backends.
//!
//! Reads go to [`Db`] (SQLite's read-only pool, or the PostgreSQL pool); writes go through a
//! [`Tx`], which on SQLite is a `BEGIN IMMEDIATE` transaction on the single writer connection.

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Decode, FromRow, Postgres, Sqlite, Type};
use std::borrow::Cow;
use std::marker::PhantomData;
use std::str::FromStr;
use std::time::Duration;

mod arg;
pub mod many;

pub use arg::Arg;
use arg::{pg_args, sqlite_args};

type Result<T> = std::result::Result<T, sqlx::Error>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names by its scheme.
    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("unsupported database URL {url:?}: use sqlite://FILE or postgres://…")
        }
    }

    /// The condition that `column` is one of the ids bound as parameter `$n` (an [`Arg::Ids`]).
    pub fn among_ids(self, column: &str, n: u8) -> String {
        match self {
            Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each(${n}))"),
            Backend::Postgres => format!("{column} = ANY(${n})"),
        }
    }
}

/// The connection pools of the database in use.
#[derive(Clone)]
pub struct Db(Pools);

#[derive(Clone)]
enum Pools {
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Postgres(PgPool),
}

impl Db {
    /// Opens the database named by the URL scheme and brings its schema up to date.
    /// On SQLite a write waits up to `busy_timeout` for a writer outside the service (a
    /// `sqlite3` shell, another program) before it fails as busy.
    pub async fn connect(
        url: &str,
        max_connections: u32,
        busy_timeout: Duration,
    ) -> anyhow::Result<Db> {
        Ok(Db(match Backend::of_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(busy_timeout);
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options.clone())
                    .await?;
                sqlx::migrate!("migrations/sqlite").run(&writer).await?;
                let reader = SqlitePoolOptions::new()
                    .max_connections(max_connections.max(1))
                    .connect_with(options.read_only(true))
                    .await?;
                Pools::Sqlite { writer, reader }
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections.max(2))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                sqlx::migrate!("migrations/postgres").run(&pool).await?;
                Pools::Postgres(pool)
            }
        }))
    }

    pub fn backend(&self) -> Backend {
        match self.0 {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// A write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.0 {
            Pools::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

/// An open write transaction; dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Where a statement runs: `&Db` for reads, `&mut Tx` inside a transaction.
pub enum On<'c> {
    Db(&'c Db),
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Db> for On<'c> {
    fn from(db: &'c Db) -> Self {
        On::Db(db)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        On::Tx(tx)
    }
}

/// A connection of either backend, borrowed from a transaction or taken from a pool.
enum Connection<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
    SqlitePooled(PoolConnection<Sqlite>),
    PostgresPooled(PoolConnection<Postgres>),
}

enum Raw<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl<'c> On<'c> {
    async fn connection(self) -> Result<Connection<'c>> {
        Ok(match self {
            On::Db(db) => match &db.0 {
                Pools::Sqlite { reader, .. } => Connection::SqlitePooled(reader.acquire().await?),
                Pools::Postgres(pool) => Connection::PostgresPooled(pool.acquire().await?),
            },
            On::Tx(Tx::Sqlite(tx)) => Connection::Sqlite(tx),
            On::Tx(Tx::Postgres(tx)) => Connection::Postgres(tx),
        })
    }
}

impl Connection<'_> {
    fn raw(&mut self) -> Raw<'_> {
        match self {
            Connection::Sqlite(c) => Raw::Sqlite(c),
            Connection::Postgres(c) => Raw::Postgres(c),
            Connection::SqlitePooled(c) => Raw::Sqlite(c),
            Connection::PostgresPooled(c) => Raw::Postgres(c),
        }
    }
}

/// A row type both backends decode (any `#[derive(sqlx::FromRow)]` struct or tuple).
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A single column value both backends decode.
pub trait Scalar:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}
impl<T> Scalar for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// A statement with its arguments; `O` is what a row decodes into.
#[must_use = "a query does nothing until it is executed or fetched"]
pub struct Query<O> {
    sql: Cow<'static, str>,
    args: Vec<Arg>,
    output: PhantomData<fn() -> O>,
}

/// A statement whose rows, if any, are not read.
pub fn query(sql: impl Into<Cow<'static, str>>) -> Query<()> {
    Query::new(sql.into())
}

/// A statement whose rows decode into `O`.
pub fn query_as<O: Record>(sql: impl Into<Cow<'static, str>>) -> Query<O> {
    Query::new(sql.into())
}

/// A statement whose rows are a single column of `O`.
pub fn query_scalar<O: Scalar>(sql: impl Into<Cow<'static, str>>) -> Query<(O,)> {
    Query::new(sql.into())
}

impl<O> Query<O> {
    fn new(sql: Cow<'static, str>) -> Self {
        Query {
            sql,
            args: Vec::new(),
            output: PhantomData,
        }
    }

    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    /// The statement, ready for sqlx, and its arguments.
    fn into_parts(self) -> (AssertSqlSafe<Cow<'static, str>>, Vec<Arg>) {
        // Every statement is a constant of this crate or built from constants; values are bound.
        (AssertSqlSafe(self.sql), self.args)
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute<'c>(self, on: impl Into<On<'c>>) -> Result<u64> {
        let mut conn = on.into().connection().await?;
        let (sql, args) = self.into_parts();
        Ok(match conn.raw() {
            Raw::Sqlite(c) => sqlx::query_with(sql, sqlite_args(args)?)
                .execute(c)
                .await?
                .rows_affected(),
            Raw::Postgres(c) => sqlx::query_with(sql, pg_args(args)?)
                .execute(c)
                .await?
                .rows_affected(),
        })
    }
}

impl<O: Record> Query<O> {
    pub async fn fetch_all<'c>(self, on: impl Into<On<'c>>) -> Result<Vec<O>> {
        let mut conn = on.into().connection().await?;
        let (sql, args) = self.into_parts();
        Ok(match conn.raw() {
            Raw::Sqlite(c) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_all(c)
                    .await?
            }
            Raw::Postgres(c) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_all(c)
                    .await?
            }
        })
    }

    pub async fn fetch_optional<'c>(self, on: impl Into<On<'c>>) -> Result<Option<O>> {
        let mut conn = on.into().connection().await?;
        let (sql, args) = self.into_parts();
        Ok(match conn.raw() {
            Raw::Sqlite(c) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_optional(c)
                    .await?
            }
            Raw::Postgres(c) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_optional(c)
                    .await?
            }
        })
    }

    pub async fn fetch_one<'c>(self, on: impl Into<On<'c>>) -> Result<O> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }
}

impl<O: Scalar> Query<(O,)> {
    pub async fn one<'c>(self, on: impl Into<On<'c>>) -> Result<O> {
        Ok(self.fetch_one(on).await?.0)
    }

    pub async fn optional<'c>(self, on: impl Into<On<'c>>) -> Result<Option<O>> {
        Ok(self.fetch_optional(on).await?.map(|(v,)| v))
    }

    pub async fn all<'c>(self, on: impl Into<On<'c>>) -> Result<Vec<O>> {
        Ok(self
            .fetch_all(on)
            .await?
            .into_iter()
            .map(|(v,)| v)
            .collect())
    }
}
