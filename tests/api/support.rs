//! A real service on a loopback port over a real database: an SQLite file in a temporary folder,
//! or a fresh database on the PostgreSQL server named by `VLEDGER_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`).

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use vledger::app::AppState;
use vledger::config::Settings;
use vledger::http::app;

pub const SECRET_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
pub const ADMIN_LOGIN: &str = "district-admin";
pub const PASSWORD: &str = "correct-horse-1";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::support::TestApp) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn_postgres().await {
                    run(app).await
                }
            }
        }
    )*};
}

/// The database under a test, removed when the test ends.
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

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub database_url: String,
    /// Dropped with the app: removes the database.
    _db: Database,
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

pub fn settings(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        listen: "127.0.0.1:0".into(),
        secret_key: Some(SECRET_KEY.into()),
        db_max_connections: 4,
        ..Settings::default()
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::try_spawn(backend)
            .await
            .expect("SQLite is always available")
    }

    pub async fn spawn_postgres() -> Option<TestApp> {
        Self::try_spawn(Backend::Postgres).await
    }

    async fn try_spawn(backend: Backend) -> Option<TestApp> {
        let (database_url, db) = fresh_database(backend).await?;
        Some(Self::on_database(database_url, db).await)
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{status} answer is not JSON: {text}"))
        };
        if value.get("error").is_some() {
            assert!(
                value["message"].is_string(),
                "error without message: {value}"
            );
            assert!(status.is_client_error() || status.is_server_error());
        }
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {value}");
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.request(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.request(reqwest::Method::PUT, path, token, Some(body))
            .await
    }

    pub async fn login(&self, login: &str, password: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"login": login, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// The district (named 示范区) with its first admin, logged in.
    pub async fn district_admin(&self) -> String {
        vledger::service::create_admin(&self.state, ADMIN_LOGIN, PASSWORD, "区管理员", "示范区")
            .await
            .unwrap();
        self.login(ADMIN_LOGIN, PASSWORD).await
    }

    pub async fn create_unit(&self, token: &str, name: &str, kind: &str, parent_id: i64) -> i64 {
        let (status, body) = self
            .post(
                "/api/v1/units",
                Some(token),
                json!({"name": name, "kind": kind, "parent_id": parent_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// A street under the district and a community under it: `(street, community)`.
    pub async fn street_and_community(
        &self,
        token: &str,
        street: &str,
        community: &str,
    ) -> (i64, i64) {
        let district = self.state.store.root_unit().await.unwrap().unwrap().id;
        let s = self.create_unit(token, street, "street", district).await;
        let c = self.create_unit(token, community, "community", s).await;
        (s, c)
    }

    /// A staff account holding `role` on `unit_id`, logged in.
    pub async fn staff(&self, admin: &str, login: &str, role: &str, unit_id: i64) -> (i64, String) {
        let (status, user) = self
            .post(
                "/api/v1/users",
                Some(admin),
                json!({"login": login, "password": PASSWORD, "name": login}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let id = user["id"].as_i64().unwrap();
        let (status, body) = self
            .post(
                "/api/v1/grants",
                Some(admin),
                json!({"user_id": id, "role": role, "unit_id": unit_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (id, self.login(login, PASSWORD).await)
    }
}

/// A registration body for a person; `id_number` and `phone` vary per person.
pub fn applicant(name: &str, id_number: &str, phone: &str, community_id: i64) -> Value {
    json!({
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "password": PASSWORD,
        "community_id": community_id,
        "skills": ["急救"],
        "service_categories": ["扶老助残"],
        "consent": true,
    })
}

/// A valid ID number for person `n` (born 1980 + n days, region 340104).
pub fn id_number(n: u32) -> String {
    let birth =
        chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap() + chrono::Duration::days(i64::from(n));
    vledger::domain::id_number::compose(340104, birth, n % 1000)
}

/// A valid mobile number for person `n`.
pub fn phone(n: u32) -> String {
    format!("139{:08}", n)
}

impl TestApp {
    /// A service on a database that already exists, e.g. one the `vledger` command has written.
    /// The service on an existing database (the guard removes it when the app is dropped).
    pub async fn on_database(database_url: String, db: Database) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let settings = Settings {
            public_url: Some(base.clone()),
            ..settings(&database_url)
        };
        let state = vledger::service::open(settings).await.unwrap();
        let router = app(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        TestApp {
            base,
            client: reqwest::Client::new(),
            state,
            database_url,
            _db: db,
        }
    }
}
