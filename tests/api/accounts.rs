use crate::both_backends;
use crate::support::{ADMIN_LOGIN, PASSWORD, Service, TestApp, settings};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, HeaderMap, Value) {
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

async fn login_at(
    app: &TestApp,
    base: &str,
    login: &str,
    password: &str,
) -> (StatusCode, HeaderMap, Value) {
    send(
        app.client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": login, "password": password})),
    )
    .await
}

async fn try_login(app: &TestApp, login: &str, password: &str) -> (StatusCode, HeaderMap, Value) {
    login_at(app, &app.base, login, password).await
}

async fn me_with_cookie(app: &TestApp, cookie: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(
        app.client
            .get(format!("{}/api/v1/auth/me", app.base))
            .header(COOKIE, cookie),
    )
    .await;
    (status, body)
}

#[track_caller]
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

async fn fail_logins(app: &TestApp, login: &str, times: usize) {
    for _ in 0..times {
        let (status, _, body) = try_login(app, login, "wrong-password").await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
}

async fn new_user(
    app: &TestApp,
    token: Option<&str>,
    login: &str,
    password: &str,
    name: &str,
) -> (StatusCode, Value) {
    let body = json!({"login": login, "password": password, "name": name});
    app.post("/api/v1/users", token, body).await
}

async fn me(app: &TestApp, token: &str) -> Value {
    let (status, body) = app.get("/api/v1/auth/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn district_id(app: &TestApp) -> i64 {
    app.state.store.root_unit().await.unwrap().unwrap().id
}

async fn create_account(app: &TestApp, admin: &str, login: &str) -> i64 {
    let (status, body) = new_user(app, Some(admin), login, PASSWORD, "张三").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

async fn grant(
    app: &TestApp,
    token: &str,
    user_id: i64,
    role: &str,
    unit_id: i64,
) -> (StatusCode, Value) {
    app.post(
        "/api/v1/grants",
        Some(token),
        json!({"user_id": user_id, "role": role, "unit_id": unit_id}),
    )
    .await
}

/// A second service on the app's database whose locks last `lockout_secs`.
async fn serve_with_lockout(app: &TestApp, lockout_secs: u64) -> Service {
    let settings = vledger::config::Settings {
        login_lockout_secs: lockout_secs,
        ..settings(&app.database_url)
    };
    Service::start(settings, None).await
}

both_backends!(
    login_returns_a_token_that_identifies_the_user_and_roles,
    wrong_password_is_invalid_credentials,
    unknown_login_gets_the_same_answer_as_a_wrong_password,
    a_login_holding_nul_is_invalid_credentials,
    repeated_failures_lock_the_account_even_for_the_right_password,
    a_locked_account_does_not_lock_others,
    the_lock_ends_after_login_lockout_secs,
    a_successful_login_resets_the_failure_count,
    logout_ends_only_that_session,
    the_login_cookie_authenticates_like_the_token,
    logout_by_cookie_clears_it_and_ends_the_session,
    missing_or_garbage_credentials_are_unauthorized,
    an_admin_creates_a_staff_account_that_can_log_in,
    malformed_logins_are_invalid_login,
    a_short_password_is_weak_password,
    an_empty_or_control_character_name_is_invalid_name,
    a_taken_login_is_duplicate_login,
    only_admins_create_accounts,
    a_granted_role_appears_on_the_account,
    an_admin_of_one_community_cannot_grant_on_another,
    granting_to_an_unknown_user_or_unit_is_not_found,
    an_unknown_role_is_invalid_body,
    a_unit_admin_cannot_grant_district_admin,
    district_admin_is_granted_on_the_district_only,
    a_role_on_a_street_holds_for_its_communities,
    parallel_wrong_passwords_cannot_pass_the_limit,
    the_bearer_scheme_is_case_insensitive,
    a_wrong_method_is_a_json_405
);

async fn login_returns_a_token_that_identifies_the_user_and_roles(app: TestApp) {
    vledger::service::create_admin(&app.state, ADMIN_LOGIN, PASSWORD, "区管理员", "示范区")
        .await
        .unwrap();
    let roles = json!([{"role": "district_admin", "unit_id": district_id(&app).await}]);
    let (status, _, body) = try_login(&app, ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["roles"], roles);
    assert!(body["expires_at"].is_string());

    let me = me(&app, body["token"].as_str().unwrap()).await;
    assert_eq!(me["id"], body["user"]["id"]);
    assert_eq!(me["name"], "区管理员");
    assert_eq!(me["is_volunteer"], false);
    assert_eq!(me["roles"], roles);
}

async fn wrong_password_is_invalid_credentials(app: TestApp) {
    app.district_admin().await;
    let (status, headers, body) = try_login(&app, ADMIN_LOGIN, "not-the-password").await;
    assert_error(
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
    let (_, _, wrong_password) = try_login(&app, ADMIN_LOGIN, "not-the-password").await;
    let (status, _, unknown) = try_login(&app, "nobody-here", PASSWORD).await;
    assert_error(
        status,
        &unknown,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_eq!(unknown, wrong_password);
}

async fn a_login_holding_nul_is_invalid_credentials(app: TestApp) {
    app.district_admin().await;
    let (status, _, body) = try_login(&app, "district-\u{0}admin", PASSWORD).await;
    assert_error(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

async fn repeated_failures_lock_the_account_even_for_the_right_password(app: TestApp) {
    app.district_admin().await;
    fail_logins(&app, ADMIN_LOGIN, 5).await;

    let (status, headers, body) = try_login(&app, ADMIN_LOGIN, PASSWORD).await;
    assert_error(
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    assert!(body.get("token").is_none());
    let retry_after: u64 = headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(
        (890..=900).contains(&retry_after),
        "Retry-After {retry_after}"
    );

    let (status, _, body) = try_login(&app, ADMIN_LOGIN, "wrong-password").await;
    assert_error(
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
}

async fn a_locked_account_does_not_lock_others(app: TestApp) {
    let admin = app.district_admin().await;
    create_account(&app, &admin, "other-staff").await;
    fail_logins(&app, ADMIN_LOGIN, 5).await;
    let (status, _, body) = try_login(&app, "other-staff", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn the_lock_ends_after_login_lockout_secs(app: TestApp) {
    app.district_admin().await;
    let short = serve_with_lockout(&app, 2).await;
    for _ in 0..5 {
        let (status, _, _) = login_at(&app, &short.base, ADMIN_LOGIN, "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, _) = login_at(&app, &short.base, ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After {retry_after}");

    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    let (status, _, body) = login_at(&app, &short.base, ADMIN_LOGIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["token"].is_string());
    short.stop().await;
}

async fn a_successful_login_resets_the_failure_count(app: TestApp) {
    app.district_admin().await;
    fail_logins(&app, ADMIN_LOGIN, 4).await;
    app.login(ADMIN_LOGIN, PASSWORD).await;
    fail_logins(&app, ADMIN_LOGIN, 4).await;
    let (status, _, body) = try_login(&app, ADMIN_LOGIN, PASSWORD).await;
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
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = app
        .post("/api/v1/auth/logout", Some(&token), json!({}))
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

    me(&app, &other).await;
}

async fn the_login_cookie_authenticates_like_the_token(app: TestApp) {
    app.district_admin().await;
    let (status, headers, body) = try_login(&app, ADMIN_LOGIN, PASSWORD).await;
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
    let (_, headers, _) = try_login(&app, ADMIN_LOGIN, PASSWORD).await;
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
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn missing_or_garbage_credentials_are_unauthorized(app: TestApp) {
    app.district_admin().await;
    let (status, body) = app.get("/api/v1/auth/me", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = app.get("/api/v1/auth/me", Some("not-a-real-token")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = me_with_cookie(&app, "vledger_session=garbage").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let basic = app
        .client
        .get(format!("{}/api/v1/auth/me", app.base))
        .header("Authorization", "Basic YWRtaW46YWRtaW4=");
    let (status, _, body) = send(basic).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn an_admin_creates_a_staff_account_that_can_log_in(app: TestApp) {
    let admin = app.district_admin().await;
    let (status, body) = new_user(&app, Some(&admin), " li.si@station-1 ", PASSWORD, "李四").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["login"], "li.si@station-1");
    assert_eq!(body["name"], "李四");

    let me = me(&app, &app.login("li.si@station-1", PASSWORD).await).await;
    assert_eq!(me["id"], body["id"]);
    assert_eq!(me["name"], "李四");
    assert_eq!(me["roles"], json!([]));
}

async fn malformed_logins_are_invalid_login(app: TestApp) {
    let admin = app.district_admin().await;
    let too_long = "a".repeat(65);
    for login in [
        "ab",
        "  ",
        "has space",
        "semi;colon",
        "张三丰",
        too_long.as_str(),
    ] {
        let (status, body) = new_user(&app, Some(&admin), login, PASSWORD, "x").await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_login",
        );
    }
}

async fn a_short_password_is_weak_password(app: TestApp) {
    let admin = app.district_admin().await;
    let (status, body) = new_user(&app, Some(&admin), "new-staff", "1234567", "x").await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    );
    let (status, _, _) = try_login(&app, "new-staff", "1234567").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_empty_or_control_character_name_is_invalid_name(app: TestApp) {
    let admin = app.district_admin().await;
    for name in ["  ", "张\u{0}三"] {
        let (status, body) = new_user(&app, Some(&admin), "new-staff", PASSWORD, name).await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
        );
    }
}

async fn a_taken_login_is_duplicate_login(app: TestApp) {
    let admin = app.district_admin().await;
    create_account(&app, &admin, "wang-wu").await;
    for login in ["wang-wu", ADMIN_LOGIN] {
        let (status, body) = new_user(&app, Some(&admin), login, "another-pass-9", "x").await;
        assert_error(status, &body, StatusCode::CONFLICT, "duplicate_login");
    }
    app.login("wang-wu", PASSWORD).await;
}

async fn only_admins_create_accounts(app: TestApp) {
    let admin = app.district_admin().await;
    let (_, community) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let (_, organizer) = app
        .staff(&admin, "organizer-1", "organizer", community)
        .await;
    let (status, body) = new_user(&app, Some(&organizer), "sneaky", PASSWORD, "x").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, _, _) = try_login(&app, "sneaky", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = new_user(&app, None, "anonymous", PASSWORD, "x").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn a_granted_role_appears_on_the_account(app: TestApp) {
    let admin = app.district_admin().await;
    let (_, community) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let user = create_account(&app, &admin, "station-admin").await;
    let (status, body) = grant(&app, &admin, user, "unit_admin", community).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body,
        json!({"user_id": user, "role": "unit_admin", "unit_id": community})
    );

    let me = me(&app, &app.login("station-admin", PASSWORD).await).await;
    assert_eq!(
        me["roles"],
        json!([{"role": "unit_admin", "unit_id": community}])
    );
}

async fn an_admin_of_one_community_cannot_grant_on_another(app: TestApp) {
    let admin = app.district_admin().await;
    let (street, a) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let b = app
        .create_unit(&admin, "和平社区", "community", street)
        .await;
    let (_, admin_a) = app.staff(&admin, "admin-a", "unit_admin", a).await;
    let user = create_account(&app, &admin_a, "helper").await;

    for unit in [b, street] {
        let (status, body) = grant(&app, &admin_a, user, "organizer", unit).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let me = me(&app, &app.login("helper", PASSWORD).await).await;
    assert_eq!(me["roles"], json!([]));

    let (status, _) = grant(&app, &admin_a, user, "organizer", a).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn granting_to_an_unknown_user_or_unit_is_not_found(app: TestApp) {
    let admin = app.district_admin().await;
    let (_, community) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let user = create_account(&app, &admin, "helper").await;
    let (status, body) = grant(&app, &admin, 987_654, "organizer", community).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = grant(&app, &admin, user, "organizer", 987_654).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

async fn an_unknown_role_is_invalid_body(app: TestApp) {
    let admin = app.district_admin().await;
    let (_, community) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let user = create_account(&app, &admin, "helper").await;
    let (status, body) = grant(&app, &admin, user, "root", community).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
}

async fn a_unit_admin_cannot_grant_district_admin(app: TestApp) {
    let admin = app.district_admin().await;
    let district = district_id(&app).await;
    let (street, _) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let (_, street_admin) = app
        .staff(&admin, "street-admin", "unit_admin", street)
        .await;
    let user = create_account(&app, &street_admin, "climber").await;

    for unit in [street, district] {
        let (status, body) = grant(&app, &street_admin, user, "district_admin", unit).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let me = me(&app, &app.login("climber", PASSWORD).await).await;
    assert_eq!(me["roles"], json!([]));
}

async fn district_admin_is_granted_on_the_district_only(app: TestApp) {
    let admin = app.district_admin().await;
    let district = district_id(&app).await;
    let (street, _) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let user = create_account(&app, &admin, "deputy").await;
    let (status, body) = grant(&app, &admin, user, "district_admin", street).await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_unit",
    );
    let (status, _) = grant(&app, &admin, user, "district_admin", district).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn a_role_on_a_street_holds_for_its_communities(app: TestApp) {
    let admin = app.district_admin().await;
    let (east, east_a) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let east_b = app.create_unit(&admin, "和平社区", "community", east).await;
    let (west, west_a) = app.street_and_community(&admin, "西街道", "光明社区").await;
    let (_, organizer) = app.staff(&admin, "organizer-east", "organizer", east).await;

    let (status, units) = app.get("/api/v1/units", Some(&organizer)).await;
    assert_eq!(status, StatusCode::OK, "{units}");
    let mut ids: Vec<i64> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![east, east_a, east_b];
    expected.sort();
    assert_eq!(ids, expected);

    let (status, unit) = app
        .get(&format!("/api/v1/units/{east_b}"), Some(&organizer))
        .await;
    assert_eq!(
        (status, unit["name"].as_str()),
        (StatusCode::OK, Some("和平社区"))
    );
    for unit in [west, west_a] {
        let (status, body) = app
            .get(&format!("/api/v1/units/{unit}"), Some(&organizer))
            .await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
}

async fn parallel_wrong_passwords_cannot_pass_the_limit(app: TestApp) {
    app.district_admin().await;
    let attempts = (0..12).map(|_| login_at(&app, &app.base, ADMIN_LOGIN, "wrong-password"));
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
    let (status, _, body) = login_at(&app, &app.base, ADMIN_LOGIN, PASSWORD).await;
    assert_error(
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
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

async fn a_wrong_method_is_a_json_405(app: TestApp) {
    let (status, _, body) = send(app.client.delete(format!("{}/api/v1/units", app.base))).await;
    assert_error(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}
