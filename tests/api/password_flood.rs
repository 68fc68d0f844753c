//! A flood of logins meets a fixed number of password workers behind a short queue: past it the
//! answer is 503 with `Retry-After` at once, and the service answers normally afterwards.

use crate::both_backends;
use crate::support::{ADMIN_LOGIN, PASSWORD, Service, TestApp, send, settings};
use futures::future::join_all;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::json;

both_backends!(logins_past_the_password_queue_are_answered_503_with_retry_after);

async fn logins_past_the_password_queue_are_answered_503_with_retry_after(app: TestApp) {
    app.district_admin().await;
    let small = Service::start(
        vledger::config::Settings {
            password_workers: 1,
            password_queue: 1,
            login_address_failures_per_hour: 1000,
            ..settings(&app.database_url)
        },
        None,
    )
    .await;
    let url = format!("{}/api/v1/auth/login", small.base);
    let flood = (0..32).map(|n| {
        let body = json!({"login": format!("guess-{n}"), "password": "wrong-password"});
        send(small.client.post(&url).json(&body))
    });
    let answers = join_all(flood).await;

    let busy: Vec<_> = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    let checked = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(busy.len() + checked, answers.len());
    assert!(
        checked >= 2 && !busy.is_empty(),
        "{checked} checked, {} busy",
        busy.len()
    );
    for (_, headers, body) in busy {
        assert_eq!(body["error"], "unavailable");
        assert_eq!(headers[RETRY_AFTER], "1");
    }

    let (status, _, body) = send(
        small
            .client
            .post(&url)
            .json(&json!({"login": ADMIN_LOGIN, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    small.stop().await;
}
