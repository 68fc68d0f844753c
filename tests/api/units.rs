//! The unit tree 区—街道—社区: who creates streets and communities, where, under which names, and
//! who sees which units.

use crate::both_backends;
use crate::support::{
    PASSWORD, TestApp, assert_error, create_organisation, ids, organisations, set_population,
    sorted, unit_detail,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_district_admin_creates_a_street_and_a_community,
    only_streets_and_communities_can_be_created,
    a_unit_must_sit_under_the_right_kind_of_parent,
    a_sibling_with_the_same_name_is_duplicate_unit,
    an_unknown_parent_is_not_found,
    a_blank_overlong_or_control_character_name_is_invalid_name,
    a_body_with_wrong_types_is_invalid_body,
    malformed_json_is_a_bad_request,
    creating_units_needs_a_login_and_an_admin_of_the_parent,
    the_unit_list_holds_only_the_callers_subtree,
    an_account_without_roles_sees_no_units,
    an_admin_of_one_community_cannot_touch_another
);

async fn post_unit(
    app: &TestApp,
    token: &str,
    name: &str,
    kind: &str,
    parent_id: i64,
) -> (StatusCode, Value) {
    let body = json!({"name": name, "kind": kind, "parent_id": parent_id});
    app.post("/api/v1/units", Some(token), body).await
}

async fn a_district_admin_creates_a_street_and_a_community(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let (status, street) = post_unit(&app, &admin, "东街道", "street", district).await;
    assert_eq!(status, StatusCode::CREATED, "{street}");
    assert!(street["id"].as_i64().is_some());
    assert_eq!(street["name"], "东街道");
    assert_eq!(street["kind"], "street");
    assert_eq!(street["parent_id"], district);
    assert!(street.get("path").is_none());

    let street_id = street["id"].as_i64().unwrap();
    let (status, community) = post_unit(&app, &admin, "  幸福社区 ", "community", street_id).await;
    assert_eq!(status, StatusCode::CREATED, "{community}");
    assert_eq!(community["name"], "幸福社区");
    assert_eq!(community["kind"], "community");
    assert_eq!(community["parent_id"], street_id);

    let (status, shown) = unit_detail(&app, &admin, community["id"].as_i64().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["name"], "幸福社区");
    assert_eq!(shown["parent_id"], street_id);
    assert_eq!(shown["populations"], json!([]));
}

async fn only_streets_and_communities_can_be_created(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    for kind in ["district", "city", "Street", ""] {
        let answer = post_unit(&app, &admin, "新区", kind, district).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_kind");
    }
    let (_, units) = app.get("/api/v1/units", Some(&admin)).await;
    assert_eq!(ids(&units), vec![district]);
}

async fn a_unit_must_sit_under_the_right_kind_of_parent(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let (street, community) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    for (kind, parent) in [
        ("community", district),
        ("street", street),
        ("street", community),
        ("community", community),
    ] {
        let answer = post_unit(&app, &admin, "错位", kind, parent).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_parent");
    }
}

async fn a_sibling_with_the_same_name_is_duplicate_unit(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let (east, _) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let west = app.create_unit(&admin, "西街道", "street", district).await;
    let answer = post_unit(&app, &admin, "幸福社区 ", "community", east).await;
    assert_error(&answer, StatusCode::CONFLICT, "duplicate_unit");
    let answer = post_unit(&app, &admin, "东街道", "street", district).await;
    assert_error(&answer, StatusCode::CONFLICT, "duplicate_unit");
    app.create_unit(&admin, "幸福社区", "community", west).await;
}

async fn an_unknown_parent_is_not_found(app: TestApp) {
    let admin = app.district_admin().await;
    let answer = post_unit(&app, &admin, "东街道", "street", 987_654).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
}

async fn a_blank_overlong_or_control_character_name_is_invalid_name(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let too_long = "街".repeat(101);
    for name in ["", "   ", too_long.as_str(), "东\u{0}街道", "东\n街道"] {
        let answer = post_unit(&app, &admin, name, "street", district).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_name");
    }
    app.create_unit(&admin, &"街".repeat(100), "street", district)
        .await;
}

async fn a_body_with_wrong_types_is_invalid_body(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    for body in [
        json!({"name": "东街道", "kind": "street", "parent_id": "one"}),
        json!({"name": 7, "kind": "street", "parent_id": district}),
        json!({"kind": "street", "parent_id": district}),
    ] {
        let answer = app.post("/api/v1/units", Some(&admin), body).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    }
}

async fn malformed_json_is_a_bad_request(app: TestApp) {
    let admin = app.district_admin().await;
    let res = app
        .client
        .post(format!("{}/api/v1/units", app.base))
        .bearer_auth(&admin)
        .header("Content-Type", "application/json")
        .body(r#"{"name": "东街道", "kind": "street", "parent_id": "#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    assert!(body["message"].is_string());
}

async fn creating_units_needs_a_login_and_an_admin_of_the_parent(app: TestApp) {
    let t = app.tree().await;
    let body = json!({"name": "新社区", "kind": "community", "parent_id": t.east});
    let answer = app.post("/api/v1/units", None, body).await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized");

    let (_, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;
    let (_, organizer) = app
        .staff(&t.admin, "organizer-east", "organizer", t.east)
        .await;
    for token in [&admin_a, &organizer] {
        let answer = post_unit(&app, token, "新社区", "community", t.east).await;
        assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    }
    let (_, street_admin) = app
        .staff(&t.admin, "admin-east", "unit_admin", t.east)
        .await;
    app.create_unit(&street_admin, "新社区", "community", t.east)
        .await;
    let answer = post_unit(&app, &street_admin, "新社区", "community", t.west).await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
}

async fn the_unit_list_holds_only_the_callers_subtree(app: TestApp) {
    let t = app.tree().await;
    let district = app.district_id().await;
    let (_, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;
    let (_, admin_east) = app
        .staff(&t.admin, "admin-east", "unit_admin", t.east)
        .await;

    let (status, units) = app.get("/api/v1/units", Some(&admin_a)).await;
    assert_eq!(status, StatusCode::OK, "{units}");
    let a = json!({"id": t.a, "name": "幸福社区", "kind": "community", "parent_id": t.east});
    assert_eq!(units, json!([a]));

    let (_, units) = app.get("/api/v1/units", Some(&admin_east)).await;
    assert_eq!(ids(&units), sorted(vec![t.east, t.a, t.b]));

    let (_, units) = app.get("/api/v1/units", Some(&t.admin)).await;
    assert_eq!(
        ids(&units),
        sorted(vec![district, t.east, t.a, t.b, t.west, t.c])
    );
}

async fn an_account_without_roles_sees_no_units(app: TestApp) {
    let t = app.tree().await;
    let user = json!({"login": "no-roles", "password": PASSWORD, "name": "x"});
    let (status, _) = app.post("/api/v1/users", Some(&t.admin), user).await;
    assert_eq!(status, StatusCode::CREATED);
    let token = app.login("no-roles", PASSWORD).await;
    assert_error(
        &app.get("/api/v1/units", Some(&token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &unit_detail(&app, &token, t.a).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let answer = app.get("/api/v1/units", None).await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn an_admin_of_one_community_cannot_touch_another(app: TestApp) {
    let t = app.tree().await;
    let (_, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;

    assert_error(
        &unit_detail(&app, &admin_a, t.b).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let answer = set_population(&app, &admin_a, t.b, 2025, json!(5000)).await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = create_organisation(&app, &admin_a, t.b, "和平志愿队", "volunteer_service").await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    for unit in [t.b, t.east] {
        let answer = organisations(&app, &admin_a, unit).await;
        assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    }

    let (_, b) = unit_detail(&app, &t.admin, t.b).await;
    assert_eq!(b["populations"], json!([]));
    let (_, orgs) = organisations(&app, &t.admin, t.b).await;
    assert_eq!(orgs, json!([]));
}
