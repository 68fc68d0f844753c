//! Statements of many rows: `INSERT … VALUES (…), (…), …` cut into as many rows a statement as
//! both backends' limits on arguments allow.

use super::{Backend, Query, Record, Tx, query, query_as};
use crate::error::Result;

/// Arguments a statement binds at most: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const BINDS_PER_STATEMENT: usize = 30_000;

/// `($1, $2, …), (…)`: `rows` rows of `columns` placeholders each. SQLite's are anonymous
/// (`?`): it looks a named one (`$7`) up among all of the statement's names, each time it is
/// bound, which makes a statement of many rows cost the square of its arguments.
fn values(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 7);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 1..=columns {
            if c > 1 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(r * columns + c).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// `head VALUES … tail` over `rows`, as many rows a statement as the binds allow.
fn statements<'a, T>(
    backend: Backend,
    head: &'a str,
    tail: &'a str,
    columns: usize,
    rows: &'a [T],
) -> impl Iterator<Item = (String, &'a [T])> {
    let per = BINDS_PER_STATEMENT / columns;
    let sql = move |rows| format!("{head} VALUES {} {tail}", values(backend, rows, columns));
    let full = (rows.len() >= per).then(|| sql(per));
    rows.chunks(per).map(move |chunk| match &full {
        Some(full) if chunk.len() == per => (full.clone(), chunk),
        _ => (sql(chunk.len()), chunk),
    })
}

/// Runs `head VALUES … tail` over `rows`, binding each row with `bind`.
pub async fn insert<T>(
    tx: &mut Tx,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &[T],
    bind: impl Fn(Query<()>, &T) -> Query<()>,
) -> Result<()> {
    for (sql, chunk) in statements(tx.backend(), head, tail, columns, rows) {
        chunk
            .iter()
            .fold(query(sql), &bind)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Like [`insert`], with the rows the statements return (`tail` holds the RETURNING clause).
pub async fn insert_returning<T, O: Record>(
    tx: &mut Tx,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &[T],
    bind: impl Fn(Query<O>, &T) -> Query<O>,
) -> Result<Vec<O>> {
    let mut returned = Vec::with_capacity(rows.len());
    for (sql, chunk) in statements(tx.backend(), head, tail, columns, rows) {
        returned.extend(
            chunk
                .iter()
                .fold(query_as(sql), &bind)
                .fetch_all(&mut *tx)
                .await?,
        );
    }
    Ok(returned)
}
