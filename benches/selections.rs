//! Opening every selection round 优秀志愿者评选 of a large district, as the scheduled job does it
//! (one reading of the year for the whole district, then each street's and community's draft
//! computed and stored in a transaction of its own), beside the reading alone; then one street's
//! and one community's round recomputed, as a committee would by hand.
//!
//!     VLEDGER_DATABASE_URL=sqlite://demo.db cargo bench --bench selections -- [--runs 5]
//!
//! It opens the database as `vledger serve` would (the same settings and key). On an empty
//! database it first builds the demo district, as `vledger demo --volunteers 1000000 --year 2025`
//! does; a database holding one is reused. Each run first deletes every round but those the
//! committee has decided on (see [`CLEARABLE`]), which it keeps, with their units' rounds not
//! opened again.
//! PostgreSQL is analysed first, as autovacuum would have done since the demo was built.

mod support;

use std::time::Instant;
use support::{pairs, runs, timed};
use vledger::app::AppState;
use vledger::app::selections;
use vledger::config::Settings;
use vledger::domain::units::UnitKind;
use vledger::store::db::query;

const DEMO_VOLUNTEERS: u64 = 1_000_000;
const DEMO_YEAR: i32 = 2025;

async fn execute(state: &AppState, statements: &[String]) {
    let mut tx = state.store.begin().await.unwrap();
    for sql in statements {
        query(sql.clone()).execute(&mut tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// The rounds a run clears: those without a decision. A committee's decisions are append-only:
/// the schema's triggers refuse their DELETE on both backends (and TRUNCATE on PostgreSQL), as
/// they do the ledger's entries, and nothing in the schema provides for lifting them. A round
/// with decisions, which refer to it, therefore cannot be deleted: it is kept as it is, with its
/// candidates, objections and awards, and the job leaves its unit alone (one round per unit and
/// year).
const CLEARABLE: &str =
    "SELECT id FROM selections WHERE id NOT IN (SELECT selection_id FROM selection_decisions)";

/// Deletes the clearable rounds, what refers to a round before the round: their awards,
/// objections and candidates, then the rounds themselves.
async fn clear_rounds(state: &AppState) {
    let dependents = ["awards", "selection_objections", "selection_candidates"]
        .iter()
        .map(|table| format!("DELETE FROM {table} WHERE selection_id IN ({CLEARABLE})"));
    let rounds = format!("DELETE FROM selections WHERE id IN ({CLEARABLE})");
    let statements: Vec<String> = dependents.chain([rounds]).collect();
    execute(state, &statements).await;
}

#[tokio::main]
async fn main() {
    let runs = runs("selections");
    let settings = Settings::load().expect("settings");
    let url = settings.database_url.clone();
    let backend = url.split(':').next().unwrap_or_default().to_owned();
    let state = vledger::service::open(settings)
        .await
        .expect("the database");
    let root = match state.store.root_unit().await.unwrap() {
        Some(root) => root,
        None => {
            let t = Instant::now();
            vledger::demo::build(&state, DEMO_VOLUNTEERS, DEMO_YEAR, 1)
                .await
                .expect("the demo district");
            println!("demo built in {:.0} s", t.elapsed().as_secs_f64());
            state.store.root_unit().await.unwrap().unwrap()
        }
    };
    let count = |sql: String| {
        let url = url.clone();
        async move { pairs(&url, &sql).await[0].0 }
    };
    let volunteers = count("SELECT COUNT(*), CAST(0 AS BIGINT) FROM volunteers".into()).await;
    let year = count(
        "SELECT CAST(COALESCE(MAX(year), 2025) AS BIGINT), CAST(0 AS BIGINT) FROM ledger_entries"
            .into(),
    )
    .await as i32;
    println!("{backend}: {volunteers} volunteers; year {year}; {runs} runs");
    if backend == "postgres" {
        // Statistics current, as autovacuum keeps them in service.
        execute(&state, &["ANALYZE".to_owned()]).await;
    }

    let served: usize = selections::inputs(&state, &root.path, year)
        .await
        .unwrap()
        .values()
        .map(Vec::len)
        .sum();
    let (p50, p95, max) = timed(runs, || async {
        selections::inputs(&state, &root.path, year).await.unwrap();
    })
    .await;
    println!(
        "{backend}: reading the year's inputs of the district ({served} volunteers who served): \
         p50 {p50:.0} ms, p95 {p95:.0} ms, max {max:.0} ms"
    );
    let mut kept = Vec::new();
    for run in 1..=runs {
        clear_rounds(&state).await;
        let of_year = format!("SELECT id, unit_id FROM selections WHERE year = {year}");
        kept = pairs(&url, &of_year).await;
        if run == 1 && !kept.is_empty() {
            println!(
                "{backend}: {} rounds with the committee's decisions kept (decisions are \
                 append-only); their units are not opened again",
                kept.len()
            );
        }
        let t = Instant::now();
        let opened = selections::open_all(&state, year).await.unwrap();
        let seconds = t.elapsed().as_secs_f64();
        // Those of the rounds just opened: the kept rounds' are not counted.
        let candidates = count(format!(
            "SELECT COUNT(*), CAST(0 AS BIGINT) FROM selection_candidates
             WHERE selection_id IN ({CLEARABLE})"
        ))
        .await;
        println!(
            "{backend}: run {run}: opened {opened} rounds with {candidates} candidates in {seconds:.2} s"
        );
    }

    // One unit by hand: a street's and a community's round recomputed on the same inputs (read
    // and drafted again, nothing written); a round kept for its decisions is not one of them.
    let units = state
        .store
        .units_within(std::slice::from_ref(&root.path))
        .await
        .unwrap();
    let reviewed = |unit: i64| kept.iter().any(|(_, kept_unit)| *kept_unit == unit);
    for kind in [UnitKind::Street, UnitKind::Community] {
        let Some(unit) = units.iter().find(|u| u.kind == kind && !reviewed(u.id)) else {
            println!(
                "{backend}: every {} has a reviewed round: none recomputed",
                kind.as_str()
            );
            continue;
        };
        let round = state.store.selection_of(unit.id, year).await.unwrap();
        let t = Instant::now();
        let done = selections::recompute(&state, round.unwrap(), unit, 0)
            .await
            .unwrap();
        assert!(!done.changed);
        println!(
            "{backend}: recomputing the round of {} ({}): {:.2} s",
            unit.name,
            kind.as_str(),
            t.elapsed().as_secs_f64()
        );
    }
}
