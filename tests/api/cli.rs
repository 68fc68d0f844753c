//! The `vledger` command on a database of its own: creating admins, migrating, importing, and the
//! demo district; then the service on what it wrote.

use crate::support::{
    self, Backend, Database, PASSWORD, Service, TestApp, failure, stdout, vledger,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Output;
use vledger::demo::{DEMO_ADMIN, DEMO_PASSWORD};

/// A database that no service has opened yet.
struct Fresh {
    url: String,
    db: Database,
    backend: Backend,
}

impl Fresh {
    /// `None` when PostgreSQL is unreachable outside CI.
    async fn new(backend: Backend) -> Option<Fresh> {
        let (url, db) = support::fresh_database(backend).await?;
        Some(Fresh { url, db, backend })
    }

    /// Starts the service on this database; it stops when the test drops it.
    async fn serve(self) -> Service {
        Service::start(support::settings(&self.url), Some(self.db)).await
    }
}

/// Runs each named `async fn(fresh: Fresh)` once on a fresh SQLite database and once on a fresh
/// PostgreSQL one, as the tests `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_fresh_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::on_fresh(super::Backend::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::on_fresh(super::Backend::Postgres, super::$name).await
            }
        }
    )+};
}

/// Runs `test` on a fresh database of `backend` (skipped when PostgreSQL is unreachable outside
/// CI).
async fn on_fresh<F: Future<Output = ()>>(backend: Backend, test: impl FnOnce(Fresh) -> F) {
    if let Some(fresh) = Fresh::new(backend).await {
        test(fresh).await
    }
}

async fn units(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/units", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    match body {
        Value::Array(units) => units,
        other => other["units"].as_array().unwrap().clone(),
    }
}

fn count_of(units: &[Value], kind: &str) -> usize {
    units.iter().filter(|u| u["kind"] == kind).count()
}

/// Every volunteer of the district as `(volunteer_no, id_number_masked, name)`, in order.
async fn demo_volunteers(app: &TestApp) -> Vec<(String, String, String)> {
    let admin = app.login(DEMO_ADMIN, DEMO_PASSWORD).await;
    let district = app.district_id().await;
    let (status, page) = app
        .get(
            &format!("/api/v1/volunteers?unit_id={district}&limit=500"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["volunteers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let field = |f: &str| v[f].as_str().unwrap().to_owned();
            (
                field("volunteer_no"),
                field("id_number_masked"),
                field("name"),
            )
        })
        .collect()
}

async fn demo(url: &str, seed: &str) -> String {
    stdout(&vledger(url, &["demo", "--volunteers", "300", "--seed", seed]).await)
}

async fn admin_create(url: &str, login: &str, password: &str, extra: &[&str]) -> Output {
    let mut args = vec!["admin", "create", "--login", login, "--password", password];
    args.extend_from_slice(extra);
    vledger(url, &args).await
}

/// The JSON report printed by `vledger import volunteers FILE`.
async fn import_report(url: &str, file: &str) -> Value {
    let out = vledger(url, &["import", "volunteers", file]).await;
    serde_json::from_str(&stdout(&out)).expect("a JSON report")
}

async fn login_status(app: &TestApp, login: &str, password: &str) -> StatusCode {
    let body = json!({"login": login, "password": password});
    app.post("/api/v1/auth/login", None, body).await.0
}

on_fresh_databases!(
    admin_create_prints_the_id_of_a_district_admin_who_can_log_in,
    a_second_admin_joins_the_existing_district,
    admin_create_refuses_a_taken_login_and_a_weak_password,
    migrate_succeeds_twice,
    import_volunteers_prints_a_report_and_a_second_run_imports_nothing,
    import_of_a_missing_file_fails_clearly,
    demo_builds_a_district_with_streets_communities_and_volunteers,
    demo_with_the_same_seed_builds_the_same_volunteers,
    demo_refuses_a_database_that_already_has_streets
);

async fn admin_create_prints_the_id_of_a_district_admin_who_can_log_in(fresh: Fresh) {
    let out = admin_create(&fresh.url, "chief", PASSWORD, &["--district", "城关区"]).await;
    let id: i64 = stdout(&out).trim().parse().expect("the user id");
    let app = fresh.serve().await;
    let body = json!({"login": "chief", "password": PASSWORD});
    let (status, login) = app.post("/api/v1/auth/login", None, body).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["user"]["id"], id);
    let district = app.district_id().await;
    assert_eq!(
        login["user"]["roles"],
        json!([{"role": "district_admin", "unit_id": district}])
    );
    let units = units(&app, login["token"].as_str().unwrap()).await;
    assert_eq!(units.len(), 1);
    assert_eq!(
        (&units[0]["name"], &units[0]["kind"]),
        (&json!("城关区"), &json!("district"))
    );
}

async fn a_second_admin_joins_the_existing_district(fresh: Fresh) {
    stdout(&admin_create(&fresh.url, "chief", PASSWORD, &[]).await);
    stdout(&admin_create(&fresh.url, "deputy", PASSWORD, &["--district", "别的区"]).await);
    let app = fresh.serve().await;
    let deputy = app.login("deputy", PASSWORD).await;
    let units = units(&app, &deputy).await;
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["name"], "示范区");
}

async fn admin_create_refuses_a_taken_login_and_a_weak_password(fresh: Fresh) {
    stdout(&admin_create(&fresh.url, "chief", PASSWORD, &[]).await);
    let taken = failure(&admin_create(&fresh.url, "chief", "another-password", &[]).await);
    assert!(taken.contains("login is taken"), "{taken}");
    let weak = failure(&admin_create(&fresh.url, "deputy", "short", &[]).await);
    assert!(weak.contains("8 to 256 characters"), "{weak}");
    let app = fresh.serve().await;
    assert_eq!(login_status(&app, "chief", PASSWORD).await, StatusCode::OK);
    assert_eq!(
        login_status(&app, "chief", "another-password").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&app, "deputy", "short").await,
        StatusCode::UNAUTHORIZED
    );
}

async fn migrate_succeeds_twice(fresh: Fresh) {
    for _ in 0..2 {
        stdout(&vledger(&fresh.url, &["migrate"]).await);
    }
    let app = fresh.serve().await;
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

async fn import_volunteers_prints_a_report_and_a_second_run_imports_nothing(fresh: Fresh) {
    let app = fresh.serve().await;
    let (admin, _, community) = app.district_with_community().await;
    let mut csv = String::from("name,id_number,phone,community_id\n");
    for n in 1..=3 {
        let (id, phone) = (support::id_number(n), support::phone(n));
        csv += &format!("志愿者{n},{id},{phone},{community}\n");
    }
    csv += &format!("错手机,{},12345,{community}\n", support::id_number(4));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("volunteers.csv");
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();

    let first = import_report(&app.database_url, file).await;
    assert_eq!(
        (
            first["imported"].as_u64(),
            first["already_registered"].as_u64()
        ),
        (Some(3), Some(0))
    );
    assert_eq!(first["errors"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(first["errors"][0]["row"], 5);
    assert_eq!(first["errors"][0]["error"], "invalid_phone");

    let second = import_report(&app.database_url, file).await;
    assert_eq!(
        (
            second["imported"].as_u64(),
            second["already_registered"].as_u64()
        ),
        (Some(0), Some(3))
    );
    assert_eq!(second["errors"], first["errors"]);

    let path = format!("/api/v1/volunteers?unit_id={community}");
    let (status, page) = app.get(&path, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let volunteers = page["volunteers"].as_array().unwrap();
    assert_eq!(volunteers.len(), 3);
    assert!(
        volunteers.iter().all(|v| v["registered_via"] == "import"),
        "{page}"
    );
}

async fn import_of_a_missing_file_fails_clearly(fresh: Fresh) {
    let missing = "/nonexistent/volunteers.csv";
    let message = failure(&vledger(&fresh.url, &["import", "volunteers", missing]).await);
    assert!(message.contains(missing), "{message}");
}

async fn demo_builds_a_district_with_streets_communities_and_volunteers(fresh: Fresh) {
    let summary = demo(&fresh.url, "7").await;
    assert!(
        summary.contains("10 streets, 150 communities, 300 volunteers"),
        "{summary}"
    );
    let app = fresh.serve().await;
    let admin = app.login(DEMO_ADMIN, DEMO_PASSWORD).await;
    let units = units(&app, &admin).await;
    let kinds = ["district", "street", "community"].map(|kind| count_of(&units, kind));
    assert_eq!(kinds, [1, 10, 150]);
    let volunteers = demo_volunteers(&app).await;
    assert_eq!(volunteers.len(), 300);
    for (no, masked, name) in &volunteers {
        assert!(no.starts_with('V') && masked.contains("**********") && !name.is_empty());
    }
}

async fn demo_with_the_same_seed_builds_the_same_volunteers(fresh: Fresh) {
    let twin = Fresh::new(fresh.backend).await.unwrap();
    let other = Fresh::new(fresh.backend).await.unwrap();
    tokio::join!(
        demo(&fresh.url, "7"),
        demo(&twin.url, "7"),
        demo(&other.url, "8")
    );
    let (fresh, twin, other) = (fresh.serve().await, twin.serve().await, other.serve().await);
    let first = demo_volunteers(&fresh).await;
    let again = demo_volunteers(&twin).await;
    let different = demo_volunteers(&other).await;
    assert_eq!(first.len(), 300);
    assert_eq!(first, again);
    assert_eq!(different.len(), 300);
    let people = |list: &[(String, String, String)]| {
        list.iter()
            .map(|v| (v.1.clone(), v.2.clone()))
            .collect::<Vec<_>>()
    };
    assert_ne!(people(&first), people(&different));
}

async fn demo_refuses_a_database_that_already_has_streets(fresh: Fresh) {
    let app = fresh.serve().await;
    let (admin, _, _) = app.district_with_community().await;
    let message = failure(&vledger(&app.database_url, &["demo", "--volunteers", "10"]).await);
    assert!(message.contains("already has streets"), "{message}");
    assert_eq!(units(&app, &admin).await.len(), 3);
    assert_eq!(
        login_status(&app, DEMO_ADMIN, DEMO_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
}
