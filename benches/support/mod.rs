//! What the benchmarks share: the number of runs asked for, reading pairs of numbers from the
//! database directly, and timing runs of a piece of work.

use std::time::Instant;

pub fn runs(bench: &str) -> usize {
    let argv: Vec<String> = std::env::args()
        .skip(1)
        .filter(|s| s != "--bench")
        .collect();
    match argv.as_slice() {
        [] => 30,
        [flag, n] if flag == "--runs" => n.parse().expect("--runs N"),
        _ => panic!("usage: cargo bench --bench {bench} -- [--runs N]"),
    }
}

/// `(a, b)` integer pairs a query answers, on either backend.
pub async fn pairs(url: &str, sql: &str) -> Vec<(i64, i64)> {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
    }
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Milliseconds of `runs` runs of `work` (after two to warm up): p50, p95 and max.
pub async fn timed<F, Fut>(runs: usize, mut work: F) -> (f64, f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..2 {
        work().await;
    }
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        work().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    (
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms[ms.len() - 1],
    )
}
