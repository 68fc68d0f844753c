//! Staff accounts and the roles granted to them: who may create and grant what, on which units.

use crate::both_backends;
use crate::support::{ADMIN_LOGIN, PASSWORD, TestApp, assert_error_parts};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
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
    a_role_on_a_street_holds_for_its_communities
);

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

async fn an_admin_creates_a_staff_account_that_can_log_in(app: TestApp) {
    let admin = app.district_admin().await;
    let (status, body) = new_user(&app, Some(&admin), " li.si@station-1 ", PASSWORD, "李四").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["login"], "li.si@station-1");
    assert_eq!(body["name"], "李四");

    let me = app.me(&app.login("li.si@station-1", PASSWORD).await).await;
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
        assert_error_parts(
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
    assert_error_parts(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    );
    let (status, _, _) = app.try_login("new-staff", "1234567").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_empty_or_control_character_name_is_invalid_name(app: TestApp) {
    let admin = app.district_admin().await;
    for name in ["  ", "张\u{0}三"] {
        let (status, body) = new_user(&app, Some(&admin), "new-staff", PASSWORD, name).await;
        assert_error_parts(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
        );
    }
}

async fn a_taken_login_is_duplicate_login(app: TestApp) {
    let admin = app.district_admin().await;
    app.account(&admin, "wang-wu").await;
    for login in ["wang-wu", ADMIN_LOGIN] {
        let (status, body) = new_user(&app, Some(&admin), login, "another-pass-9", "x").await;
        assert_error_parts(status, &body, StatusCode::CONFLICT, "duplicate_login");
    }
    app.login("wang-wu", PASSWORD).await;
}

async fn only_admins_create_accounts(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let (_, organizer) = app
        .staff(&admin, "organizer-1", "organizer", community)
        .await;
    let (status, body) = new_user(&app, Some(&organizer), "sneaky", PASSWORD, "x").await;
    assert_error_parts(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, _, _) = app.try_login("sneaky", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = new_user(&app, None, "anonymous", PASSWORD, "x").await;
    assert_error_parts(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn a_granted_role_appears_on_the_account(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let user = app.account(&admin, "station-admin").await;
    let (status, body) = grant(&app, &admin, user, "unit_admin", community).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body,
        json!({"user_id": user, "role": "unit_admin", "unit_id": community})
    );

    let me = app.me(&app.login("station-admin", PASSWORD).await).await;
    assert_eq!(
        me["roles"],
        json!([{"role": "unit_admin", "unit_id": community}])
    );
}

async fn an_admin_of_one_community_cannot_grant_on_another(app: TestApp) {
    let (admin, street, a) = app.district_with_community().await;
    let b = app
        .create_unit(&admin, "和平社区", "community", street)
        .await;
    let (_, admin_a) = app.staff(&admin, "admin-a", "unit_admin", a).await;
    let user = app.account(&admin_a, "helper").await;

    for unit in [b, street] {
        let (status, body) = grant(&app, &admin_a, user, "organizer", unit).await;
        assert_error_parts(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let me = app.me(&app.login("helper", PASSWORD).await).await;
    assert_eq!(me["roles"], json!([]));

    let (status, _) = grant(&app, &admin_a, user, "organizer", a).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn granting_to_an_unknown_user_or_unit_is_not_found(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let user = app.account(&admin, "helper").await;
    let (status, body) = grant(&app, &admin, 987_654, "organizer", community).await;
    assert_error_parts(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = grant(&app, &admin, user, "organizer", 987_654).await;
    assert_error_parts(status, &body, StatusCode::NOT_FOUND, "not_found");
}

async fn an_unknown_role_is_invalid_body(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let user = app.account(&admin, "helper").await;
    let (status, body) = grant(&app, &admin, user, "root", community).await;
    assert_error_parts(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    );
}

async fn a_unit_admin_cannot_grant_district_admin(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let (street, _) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let (_, street_admin) = app
        .staff(&admin, "street-admin", "unit_admin", street)
        .await;
    let user = app.account(&street_admin, "climber").await;

    for unit in [street, district] {
        let (status, body) = grant(&app, &street_admin, user, "district_admin", unit).await;
        assert_error_parts(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let me = app.me(&app.login("climber", PASSWORD).await).await;
    assert_eq!(me["roles"], json!([]));
}

async fn district_admin_is_granted_on_the_district_only(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let (street, _) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let user = app.account(&admin, "deputy").await;
    let (status, body) = grant(&app, &admin, user, "district_admin", street).await;
    assert_error_parts(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_unit",
    );
    let (status, _) = grant(&app, &admin, user, "district_admin", district).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn a_role_on_a_street_holds_for_its_communities(app: TestApp) {
    let (admin, east, east_a) = app.district_with_community().await;
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
        assert_error_parts(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
}
