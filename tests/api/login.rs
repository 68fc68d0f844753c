//! Logging in and out: tokens and the session cookie, wrong passwords, and the growing wait after
//! repeated failures.

use crate::both_backends;
use crate::support::{ADMIN_LOGIN, PASSWORD, Service, TestApp, assert_error_parts, send, settings};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};

both_backends!(
    login_returns_a_token_that_identifies_the_user_and_roles,
    wrong_password_is_invalid_credentials,
    unknown_login_gets_the_same_answer_as_a_wrong_password,
    a_login_holding_nul_is_invalid_credentials,
    repeated_failures_make_the_next_try_wait_even_with_the_right_password,
    failures_on_one_account_do_not_slow_down_others,
    the_wait_stops_growing_at_login_max_delay_secs,
    a_successful_login_resets_the_failure_count,
    parallel_wrong_passwords_cannot_pass_the_limit,
    logout_ends_only_that_session,
    the_login_cookie_authenticates_like_the_token,
    logout_by_cookie_clears_it_and_ends_the_session,
    missing_or_garbage_credentials_are_unauthorized,
    the_bearer_scheme_is_case_insensitive
);

async fn me_with_cookie(app: &TestApp, cookie: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(
        app.client
            .get(format!("{}/api/v1/auth/me", app.base))
            .header(COOKIE, cookie),
    )
    .await;
    (status, body)
}

async fn fail_logins(app: &TestApp, login: &str, times: usize) {
    for _ in 0..times {
        let (status, _, body) = app.try_login(login, "wrong-password").await;
        assert_error_parts(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
}

/// The `Retry-After` of a refused login.
#[track_caller]
fn refused_for(status: StatusCode, headers: &HeaderMap, body: &Value) -> u64 {
    assert_error_parts(
        status,
        body,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    assert!(body.get("token").is_none());
    headers[RETRY_AFTER].to_str().unwrap().parse().unwrap()
}

/// Just past a wait of `secs`.
async fn wait(secs: u64) {
    tokio::time::sleep(std::time::Duration::from_millis(secs * 1000 + 200)).await;
}

async fn login_returns_a_token_that_identifies_the_user_and_roles(app: TestApp) {
    vledger::service::create_admin(&app.state, ADMIN_LOGIN, PASSWORD, "区管理员", "示范区")
        .await
        .unwrap();
    let roles = json!([{"role": "district_admin", "unit_id": app.district_id().await}]);
    let (status, _, body) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["roles"], roles);
    assert!(body["expires_at"].is_string());

    let me = app.me(body["token"].as_str().unwrap()).await;
    assert_eq!(me["id"], body["user"]["id"]);
    assert_eq!(me["name"], "区管理员");
    assert_eq!(me["is_volunteer"], false);
    assert_eq!(me["roles"], roles);
}

async fn wrong_password_is_invalid_credentials(app: TestApp) {
    app.district_admin().await;
    let (status, headers, body) = app.try_login(ADMIN_LOGIN, "not-the-password").await;
    assert_error_parts(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert!(body.get("token").is_none());
    assert!(headers.get(SET_COOKIE).is_none());
}

async fn unknown_login_gets_the_same_answer_as_a_wrong_password(app: TestApp) {
    app.district_admin().await;
    let (_, _, wrong_password) = app.try_login(ADMIN_LOGIN, "not-the-password").await;
    let (status, _, unknown) = app.try_login("nobody-here", PASSWORD).await;
    assert_error_parts(
        status,
        &unknown,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_eq!(unknown, wrong_password);
}

async fn a_login_holding_nul_is_invalid_credentials(app: TestApp) {
    app.district_admin().await;
    let (status, _, body) = app.try_login("district-\u{0}admin", PASSWORD).await;
    assert_error_parts(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

async fn repeated_failures_make_the_next_try_wait_even_with_the_right_password(app: TestApp) {
    app.district_admin().await;
    fail_logins(&app, ADMIN_LOGIN, 5).await;
    let (status, headers, body) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(refused_for(status, &headers, &body), 1);
    let (status, headers, body) = app.try_login(ADMIN_LOGIN, "wrong-password").await;
    assert_eq!(refused_for(status, &headers, &body), 1);

    wait(1).await;
    fail_logins(&app, ADMIN_LOGIN, 1).await;
    let (status, headers, body) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(refused_for(status, &headers, &body), 2, "the wait doubles");
    wait(2).await;
    let (status, _, body) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn failures_on_one_account_do_not_slow_down_others(app: TestApp) {
    let admin = app.district_admin().await;
    app.account(&admin, "other-staff").await;
    fail_logins(&app, ADMIN_LOGIN, 5).await;
    let (status, _, body) = app.try_login("other-staff", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn the_wait_stops_growing_at_login_max_delay_secs(app: TestApp) {
    app.district_admin().await;
    let settings = vledger::config::Settings {
        login_max_failures: 2,
        login_max_delay_secs: 1,
        ..settings(&app.database_url)
    };
    let short = Service::start(settings, None).await;
    fail_logins(&short, ADMIN_LOGIN, 2).await;
    for _ in 0..2 {
        let (status, headers, body) = short.try_login(ADMIN_LOGIN, PASSWORD).await;
        assert_eq!(refused_for(status, &headers, &body), 1);
        wait(1).await;
        fail_logins(&short, ADMIN_LOGIN, 1).await;
    }
    wait(1).await;
    let (status, _, body) = short.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["token"].is_string());
    short.stop().await;
}

async fn a_successful_login_resets_the_failure_count(app: TestApp) {
    app.district_admin().await;
    fail_logins(&app, ADMIN_LOGIN, 4).await;
    app.login(ADMIN_LOGIN, PASSWORD).await;
    fail_logins(&app, ADMIN_LOGIN, 4).await;
    let (status, _, body) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn logout_ends_only_that_session(app: TestApp) {
    let token = app.district_admin().await;
    let other = app.login(ADMIN_LOGIN, PASSWORD).await;
    let (status, body) = app
        .post("/api/v1/auth/logout", Some(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let (status, body) = app.get("/api/v1/auth/me", Some(&token)).await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = app
        .post("/api/v1/auth/logout", Some(&token), json!({}))
        .await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

    app.me(&other).await;
}

async fn the_login_cookie_authenticates_like_the_token(app: TestApp) {
    app.district_admin().await;
    let (status, headers, body) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let set_cookie = headers[SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap();
    assert_eq!(
        cookie,
        format!("vledger_session={}", body["token"].as_str().unwrap())
    );

    let (status, me) = me_with_cookie(&app, &format!("theme=dark; {cookie}")).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], body["user"]["id"]);
    assert_eq!(me["name"], "区管理员");
}

async fn logout_by_cookie_clears_it_and_ends_the_session(app: TestApp) {
    app.district_admin().await;
    let (_, headers, _) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    let cookie = headers[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let logout = app.client.post(format!("{}/api/v1/auth/logout", app.base));
    let (status, headers, _) = send(logout.header(COOKIE, &cookie)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(headers[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let (status, body) = me_with_cookie(&app, &cookie).await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn missing_or_garbage_credentials_are_unauthorized(app: TestApp) {
    app.district_admin().await;
    let (status, body) = app.get("/api/v1/auth/me", None).await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = app.get("/api/v1/auth/me", Some("not-a-real-token")).await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = me_with_cookie(&app, "vledger_session=garbage").await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let basic = app
        .client
        .get(format!("{}/api/v1/auth/me", app.base))
        .header("Authorization", "Basic YWRtaW46YWRtaW4=");
    let (status, _, body) = send(basic).await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn parallel_wrong_passwords_cannot_pass_the_limit(app: TestApp) {
    app.district_admin().await;
    let attempts = (0..12).map(|_| app.try_login(ADMIN_LOGIN, "wrong-password"));
    let answers = futures::future::join_all(attempts).await;
    let checked = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 7));
    let (status, headers, body) = app.try_login(ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(refused_for(status, &headers, &body), 1);
}

async fn the_bearer_scheme_is_case_insensitive(app: TestApp) {
    let token = app.district_admin().await;
    let (status, _, body) = send(
        app.client
            .get(format!("{}/api/v1/auth/me", app.base))
            .header("Authorization", format!("bearer {token}")),
    )
    .await;
    assert_eq!(
        (status, body["name"].as_str()),
        (StatusCode::OK, Some("区管理员"))
    );
}
