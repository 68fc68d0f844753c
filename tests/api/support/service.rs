//! The service under test, started the way `vledger serve` starts it
//! ([`vledger::service::run`]) but on a loopback port of its own, and the client a test talks to
//! it with.

use super::{Database, SECRET_KEY};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vledger::app::AppState;
use vledger::config::Settings;

/// The settings of a test service on `database_url`: the scheduled jobs run as in production.
pub fn settings(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        listen: "127.0.0.1:0".into(),
        secret_key: Some(SECRET_KEY.into()),
        db_max_connections: 4,
        ..Settings::default()
    }
}

/// What a test holds of a running service: its address, a client, and its state for what no
/// endpoint shows.
#[derive(Clone)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub database_url: String,
}

/// A running service; dropping it stops it like [`Service::stop`] without waiting.
pub struct Service {
    pub app: TestApp,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<anyhow::Result<()>>,
    /// Removed once the service has stopped; `None` when another service owns the database.
    _database: Option<Database>,
}

impl Service {
    pub async fn start(settings: Settings, database: Option<Database>) -> Service {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let settings = Settings {
            public_url: Some(base.clone()),
            ..settings
        };
        let database_url = settings.database_url.clone();
        let state = vledger::service::open(settings).await.unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(vledger::service::run(
            state.clone(),
            vledger::http::app(state.clone()),
            listener,
            async {
                // A dropped sender stops the service too.
                let _ = stopped.await;
            },
        ));
        Service {
            app: TestApp {
                base,
                client: reqwest::Client::new(),
                state,
                database_url,
            },
            shutdown,
            server,
            _database: database,
        }
    }

    /// Stops the service as SIGTERM would and waits until it has finished its requests and
    /// jobs.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        self.server
            .await
            .unwrap()
            .expect("the service stops cleanly");
    }
}

impl std::ops::Deref for Service {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl TestApp {
    /// A JSON request; checks what every answer promises: JSON, the one error shape, no 500.
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

    /// A login that may fail: `(status, headers, body)`.
    pub async fn try_login(&self, login: &str, password: &str) -> (StatusCode, HeaderMap, Value) {
        let body = json!({"login": login, "password": password});
        send(
            self.client
                .post(format!("{}/api/v1/auth/login", self.base))
                .json(&body),
        )
        .await
    }

    /// A page or image rather than JSON: `(status, content type, text)`.
    pub async fn fetch_text(
        &self,
        path: &str,
        token: Option<&str>,
        accept: &str,
    ) -> (StatusCode, String, String) {
        let mut req = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::ACCEPT, accept);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (res.status(), content_type, res.text().await.unwrap())
    }

    /// Who `token` logs in as.
    pub async fn me(&self, token: &str) -> Value {
        let (status, body) = self.get("/api/v1/auth/me", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

/// Sends a request whose headers matter: `(status, headers, body)`.
pub async fn send(req: reqwest::RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    (status, headers, body)
}
