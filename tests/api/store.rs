//! The one way the store runs SQL: a statement written once with `$N` placeholders runs on both
//! backends, each binding its arguments by number.

use crate::both_backends;
use crate::support::TestApp;
use vledger::store::db::query_scalar;

both_backends!(placeholders_bind_by_number_and_may_repeat);

async fn placeholders_bind_by_number_and_may_repeat(app: TestApp) {
    let mut tx = app.state.store.begin().await.unwrap();
    let out_of_order: i64 = query_scalar("SELECT $2 * 10 + $1")
        .bind(1_i64)
        .bind(2_i64)
        .one(&mut tx)
        .await
        .unwrap();
    assert_eq!(out_of_order, 21);
    let repeated: String = query_scalar("SELECT $1 || '-' || $2 || '-' || $1")
        .bind("a")
        .bind("b")
        .one(&mut tx)
        .await
        .unwrap();
    assert_eq!(repeated, "a-b-a");
}
