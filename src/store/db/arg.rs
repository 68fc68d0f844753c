//! Statement arguments, kept typed until the backend in use binds them natively.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Arguments;
use sqlx::postgres::PgArguments;
use sqlx::sqlite::SqliteArguments;
use sqlx::types::Json;
use std::convert::identity;

/// A statement argument, kept typed so that each backend binds its own native type.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(Option<i64>),
    Int32(Option<i32>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Timestamp(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Json(Option<serde_json::Value>),
    /// A list of ids: an `int8[]` on PostgreSQL, a JSON array on SQLite (read with `json_each`).
    Ids(Vec<i64>),
}

macro_rules! arg_from {
    ($($t:ty => $variant:ident($conv:expr)),* $(,)?) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                Arg::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Arg {
                Arg::$variant(v.map($conv))
            }
        }
    )*};
}

arg_from! {
    i64 => Int(identity),
    i32 => Int32(identity),
    f64 => Float(identity),
    bool => Bool(identity),
    String => Text(identity),
    &str => Text(str::to_owned),
    Vec<u8> => Bytes(identity),
    &[u8] => Bytes(<[u8]>::to_vec),
    DateTime<Utc> => Timestamp(identity),
    NaiveDate => Date(identity),
    serde_json::Value => Json(identity),
}

impl<T: Clone + Into<Arg>> From<&T> for Arg {
    fn from(v: &T) -> Arg {
        v.clone().into()
    }
}

impl From<&[i64]> for Arg {
    fn from(ids: &[i64]) -> Arg {
        Arg::Ids(ids.to_vec())
    }
}

impl From<Vec<i64>> for Arg {
    fn from(ids: Vec<i64>) -> Arg {
        Arg::Ids(ids)
    }
}

pub(super) fn sqlite_args(args: Vec<Arg>) -> Result<SqliteArguments, sqlx::Error> {
    let mut out = SqliteArguments::default();
    for arg in args {
        match arg {
            Arg::Int(v) => out.add(v),
            Arg::Int32(v) => out.add(v),
            Arg::Float(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
            Arg::Text(v) => out.add(v),
            Arg::Bytes(v) => out.add(v),
            Arg::Timestamp(v) => out.add(v),
            Arg::Date(v) => out.add(v),
            Arg::Json(v) => out.add(v.map(Json)),
            Arg::Ids(v) => out.add(Json(v)),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

pub(super) fn pg_args(args: Vec<Arg>) -> Result<PgArguments, sqlx::Error> {
    let mut out = PgArguments::default();
    for arg in args {
        match arg {
            Arg::Int(v) => out.add(v),
            Arg::Int32(v) => out.add(v),
            Arg::Float(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
            Arg::Text(v) => out.add(v),
            Arg::Bytes(v) => out.add(v),
            Arg::Timestamp(v) => out.add(v),
            Arg::Date(v) => out.add(v),
            Arg::Json(v) => out.add(v.map(Json)),
            Arg::Ids(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}
