//! Guessing passwords: failed logins slow down the address they come from, never the account's
//! owner elsewhere, and a registered phone gets the same answers as an unknown one.

use crate::both_backends;
use crate::support::{PASSWORD, Service, TestApp, phone, send, settings};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::json;
use vledger::config::Settings;

both_backends!(
    a_registered_phone_and_an_unknown_one_get_the_same_answers,
    an_attackers_failures_do_not_stop_the_owner_on_another_address,
    failures_across_many_logins_slow_down_that_address_only,
    behind_a_trusted_proxy_its_header_names_the_client
);

/// What a client sees of a login answer: status, error code and `Retry-After`.
type Seen = (StatusCode, Option<String>, Option<String>);

/// A client whose connections come from `ip` (any address of 127.0.0.0/8 reaches loopback).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(ip.parse().unwrap()))
        .build()
        .unwrap()
}

async fn try_login_with(
    app: &TestApp,
    client: &reqwest::Client,
    headers: &[(&str, &str)],
    login: &str,
    password: &str,
) -> Seen {
    let mut req = client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"login": login, "password": password}));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let (status, headers, body) = send(req).await;
    let retry_after = headers
        .get(RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_owned());
    (
        status,
        body["error"].as_str().map(str::to_owned),
        retry_after,
    )
}

async fn attempt(app: &TestApp, login: &str, password: &str) -> Seen {
    try_login_with(app, &app.client, &[], login, password).await
}

fn refused(seen: &Seen) -> bool {
    seen.0 == StatusCode::TOO_MANY_REQUESTS
        && seen.1.as_deref() == Some("too_many_attempts")
        && seen.2.is_some()
}

/// A second service on the app's database with `adjust`ed settings.
async fn serve_with(app: &TestApp, adjust: impl FnOnce(&mut Settings)) -> Service {
    let mut s = settings(&app.database_url);
    adjust(&mut s);
    Service::start(s, None).await
}

async fn a_registered_phone_and_an_unknown_one_get_the_same_answers(app: TestApp) {
    let (_, _, community) = app.district_with_community().await;
    app.volunteer(1, community).await;
    let mut registered = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..8 {
        registered.push(attempt(&app, &phone(1), "wrong-password").await);
        unknown.push(attempt(&app, &phone(2), "wrong-password").await);
    }
    assert_eq!(registered, unknown);
    assert!(refused(registered.last().unwrap()), "{registered:?}");
    let unauthorized = (
        StatusCode::UNAUTHORIZED,
        Some("invalid_credentials".into()),
        None,
    );
    assert_eq!(registered[..5], vec![unauthorized; 5]);
}

async fn an_attackers_failures_do_not_stop_the_owner_on_another_address(app: TestApp) {
    let (_, _, community) = app.district_with_community().await;
    app.volunteer(1, community).await;
    let attacker = client_from("127.0.0.1");
    for _ in 0..10 {
        try_login_with(&app, &attacker, &[], &phone(1), "guess-1234").await;
    }
    let again = try_login_with(&app, &attacker, &[], &phone(1), PASSWORD).await;
    assert!(refused(&again), "{again:?}");

    let owner = client_from("127.0.0.2");
    let (status, _, body) = send(
        owner
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"login": phone(1), "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["is_volunteer"], true);
}

async fn failures_across_many_logins_slow_down_that_address_only(app: TestApp) {
    app.district_admin().await;
    let strict = serve_with(&app, |s| s.login_address_failures_per_hour = 3).await;
    for login in ["alpha", "bravo", "charlie"] {
        let seen = attempt(&strict, login, "wrong-password").await;
        assert_eq!(seen.0, StatusCode::UNAUTHORIZED, "{login}: {seen:?}");
    }
    let fourth = attempt(&strict, "delta", "wrong-password").await;
    assert!(refused(&fourth), "{fourth:?}");
    let wait: u64 = fourth.2.unwrap().parse().unwrap();
    assert!((1..=1200).contains(&wait), "Retry-After {wait}");

    let elsewhere = client_from("127.0.0.2");
    let seen = try_login_with(&strict, &elsewhere, &[], "delta", "wrong-password").await;
    assert_eq!(seen.0, StatusCode::UNAUTHORIZED, "{seen:?}");
    strict.stop().await;
}

async fn behind_a_trusted_proxy_its_header_names_the_client(app: TestApp) {
    app.district_admin().await;
    let proxied = serve_with(&app, |s| {
        s.client_ip_header = Some("X-Forwarded-For".into())
    })
    .await;
    let from = |ip: &'static str| [("X-Forwarded-For", ip)];
    let guesser = from("10.1.1.1, 203.0.113.7");
    for _ in 0..5 {
        let seen = try_login_with(
            &proxied,
            &proxied.client,
            &guesser,
            "district-admin",
            "guess-1234",
        )
        .await;
        assert_eq!(seen.0, StatusCode::UNAUTHORIZED, "{seen:?}");
    }
    let seen = try_login_with(
        &proxied,
        &proxied.client,
        &guesser,
        "district-admin",
        PASSWORD,
    )
    .await;
    assert!(refused(&seen), "{seen:?}");
    // The proxy appends the address it saw: what the client put before it is not trusted.
    let owner = from("203.0.113.7, 198.51.100.2");
    let seen = try_login_with(
        &proxied,
        &proxied.client,
        &owner,
        "district-admin",
        PASSWORD,
    )
    .await;
    assert_eq!(seen.0, StatusCode::OK, "{seen:?}");
    proxied.stop().await;
}
