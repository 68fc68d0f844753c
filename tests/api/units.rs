use crate::both_backends;
use crate::support::{PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn district_id(app: &TestApp) -> i64 {
    app.state.store.root_unit().await.unwrap().unwrap().id
}

#[track_caller]
fn assert_error(answer: &(StatusCode, Value), expected: StatusCode, code: &str) {
    let (status, body) = answer;
    assert_eq!(
        (*status, body["error"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

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

async fn unit_detail(app: &TestApp, token: &str, id: i64) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/units/{id}"), Some(token)).await
}

async fn set_population(
    app: &TestApp,
    token: &str,
    unit: i64,
    year: i32,
    population: Value,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/units/{unit}/population/{year}");
    app.put(
        &path,
        Some(token),
        json!({"resident_population": population}),
    )
    .await
}

async fn create_organisation(
    app: &TestApp,
    token: &str,
    unit: i64,
    name: &str,
    org_type: &str,
) -> (StatusCode, Value) {
    let body = json!({"unit_id": unit, "name": name, "org_type": org_type});
    app.post("/api/v1/organisations", Some(token), body).await
}

async fn organisations(app: &TestApp, token: &str, unit: i64) -> (StatusCode, Value) {
    app.get(
        &format!("/api/v1/organisations?unit_id={unit}"),
        Some(token),
    )
    .await
}

async fn audit(app: &TestApp, token: &str, unit: i64) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/audit?unit_id={unit}"), Some(token))
        .await
}

fn ids(list: &Value) -> Vec<i64> {
    sorted(
        list.as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect(),
    )
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

/// Two streets; the east one holds communities A and B, the west one community C.
struct Tree {
    admin: String,
    east: i64,
    a: i64,
    b: i64,
    west: i64,
    c: i64,
}

async fn tree(app: &TestApp) -> Tree {
    let admin = app.district_admin().await;
    let (east, a) = app.street_and_community(&admin, "东街道", "幸福社区").await;
    let b = app.create_unit(&admin, "和平社区", "community", east).await;
    let (west, c) = app.street_and_community(&admin, "西街道", "光明社区").await;
    Tree {
        admin,
        east,
        a,
        b,
        west,
        c,
    }
}

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
    an_admin_of_one_community_cannot_touch_another,
    a_population_is_set_per_year_and_replaced_on_update,
    a_population_belongs_to_a_community,
    an_out_of_range_year_or_population_is_refused,
    organisations_are_registered_to_communities_and_listed_by_subtree,
    a_community_admin_registers_organisations_in_their_community,
    an_unknown_org_type_is_invalid_org_type,
    an_organisation_name_with_a_control_character_is_invalid_name,
    an_organisation_on_a_street_is_not_a_community,
    the_same_organisation_name_twice_in_a_community_is_a_conflict,
    the_audit_log_records_a_population_change_from_before_to_after,
    a_community_admin_reads_only_their_communitys_audit_entries,
    an_organizer_may_not_read_the_audit_log
);

async fn a_district_admin_creates_a_street_and_a_community(app: TestApp) {
    let admin = app.district_admin().await;
    let district = district_id(&app).await;
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
    let district = district_id(&app).await;
    for kind in ["district", "city", "Street", ""] {
        let answer = post_unit(&app, &admin, "新区", kind, district).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_kind");
    }
    let (_, units) = app.get("/api/v1/units", Some(&admin)).await;
    assert_eq!(ids(&units), vec![district]);
}

async fn a_unit_must_sit_under_the_right_kind_of_parent(app: TestApp) {
    let admin = app.district_admin().await;
    let district = district_id(&app).await;
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
    let district = district_id(&app).await;
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
    let district = district_id(&app).await;
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
    let district = district_id(&app).await;
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
    let t = tree(&app).await;
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
    let t = tree(&app).await;
    let district = district_id(&app).await;
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
    let t = tree(&app).await;
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
    let t = tree(&app).await;
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

async fn a_population_is_set_per_year_and_replaced_on_update(app: TestApp) {
    let t = tree(&app).await;
    let (_, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;
    let (status, body) = set_population(&app, &admin_a, t.a, 2025, json!(12_000)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"unit_id": t.a, "year": 2025, "resident_population": 12_000})
    );
    set_population(&app, &admin_a, t.a, 2024, json!(11_500)).await;

    let (_, unit) = unit_detail(&app, &admin_a, t.a).await;
    assert_eq!(
        unit["populations"],
        json!([
            {"year": 2024, "resident_population": 11_500},
            {"year": 2025, "resident_population": 12_000},
        ])
    );

    let (status, _) = set_population(&app, &t.admin, t.a, 2025, json!(12_345)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, unit) = unit_detail(&app, &admin_a, t.a).await;
    assert_eq!(
        unit["populations"],
        json!([
            {"year": 2024, "resident_population": 11_500},
            {"year": 2025, "resident_population": 12_345},
        ])
    );
}

async fn a_population_belongs_to_a_community(app: TestApp) {
    let t = tree(&app).await;
    for unit in [t.east, district_id(&app).await] {
        let answer = set_population(&app, &t.admin, unit, 2025, json!(50_000)).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "not_a_community");
    }
    let (_, street) = unit_detail(&app, &t.admin, t.east).await;
    assert_eq!(street["populations"], json!([]));
    let answer = set_population(&app, &t.admin, 987_654, 2025, json!(50_000)).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
}

async fn an_out_of_range_year_or_population_is_refused(app: TestApp) {
    let t = tree(&app).await;
    for year in [1800, 1948, 2101, 99_999] {
        let answer = set_population(&app, &t.admin, t.a, year, json!(1000)).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_year");
    }
    for population in [json!(-1), json!(10_000_001), json!(i64::MAX)] {
        let answer = set_population(&app, &t.admin, t.a, 2025, population).await;
        assert_error(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_population",
        );
    }
    for population in [json!("many"), json!(1.5), json!(null)] {
        let answer = set_population(&app, &t.admin, t.a, 2025, population).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    }
    let (_, unit) = unit_detail(&app, &t.admin, t.a).await;
    assert_eq!(unit["populations"], json!([]));
    let (status, _) = set_population(&app, &t.admin, t.a, 1949, json!(0)).await;
    assert_eq!(status, StatusCode::OK);
}

async fn organisations_are_registered_to_communities_and_listed_by_subtree(app: TestApp) {
    let t = tree(&app).await;
    let (status, org) =
        create_organisation(&app, &t.admin, t.a, " 幸福志愿服务队 ", "volunteer_service").await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    assert!(org["id"].as_i64().is_some());
    assert_eq!(org["unit_id"], t.a);
    assert_eq!(org["name"], "幸福志愿服务队");
    assert_eq!(org["org_type"], "volunteer_service");
    let (_, org_b) =
        create_organisation(&app, &t.admin, t.b, "和平议事会", "community_social").await;
    let (_, org_c) =
        create_organisation(&app, &t.admin, t.c, "光明志愿队", "volunteer_service").await;

    let (status, east) = organisations(&app, &t.admin, t.east).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&east), ids(&json!([org, org_b])));

    let (_, a) = organisations(&app, &t.admin, t.a).await;
    assert_eq!(a, json!([org]));

    let (_, all) = organisations(&app, &t.admin, district_id(&app).await).await;
    assert_eq!(ids(&all), ids(&json!([org, org_b, org_c])));
}

async fn a_community_admin_registers_organisations_in_their_community(app: TestApp) {
    let t = tree(&app).await;
    let (_, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;
    let (status, org) =
        create_organisation(&app, &admin_a, t.a, "幸福志愿服务队", "volunteer_service").await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    let (_, listed) = organisations(&app, &admin_a, t.a).await;
    assert_eq!(listed, json!([org]));
}

async fn an_unknown_org_type_is_invalid_org_type(app: TestApp) {
    let t = tree(&app).await;
    for org_type in ["charity", "", "Volunteer_Service"] {
        let answer = create_organisation(&app, &t.admin, t.a, "幸福志愿服务队", org_type).await;
        assert_error(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_org_type",
        );
    }
}

async fn an_organisation_name_with_a_control_character_is_invalid_name(app: TestApp) {
    let t = tree(&app).await;
    for name in ["", "幸福\u{0}志愿队"] {
        let answer = create_organisation(&app, &t.admin, t.a, name, "volunteer_service").await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_name");
    }
}

async fn an_organisation_on_a_street_is_not_a_community(app: TestApp) {
    let t = tree(&app).await;
    let answer = create_organisation(
        &app,
        &t.admin,
        t.east,
        "东街志愿服务中心",
        "volunteer_service",
    )
    .await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "not_a_community");
    let answer = create_organisation(&app, &t.admin, 987_654, "无名", "volunteer_service").await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    let (_, orgs) = organisations(&app, &t.admin, t.east).await;
    assert_eq!(orgs, json!([]));
}

async fn the_same_organisation_name_twice_in_a_community_is_a_conflict(app: TestApp) {
    let t = tree(&app).await;
    let name = "幸福志愿服务队";
    let (status, _) = create_organisation(&app, &t.admin, t.a, name, "volunteer_service").await;
    assert_eq!(status, StatusCode::CREATED);
    let answer = create_organisation(&app, &t.admin, t.a, name, "community_social").await;
    assert_error(&answer, StatusCode::CONFLICT, "duplicate_organisation");
    let (status, _) = create_organisation(&app, &t.admin, t.b, name, "volunteer_service").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, orgs) = organisations(&app, &t.admin, t.a).await;
    assert_eq!(orgs.as_array().unwrap().len(), 1);
    assert_eq!(orgs[0]["org_type"], "volunteer_service");
}

async fn the_audit_log_records_a_population_change_from_before_to_after(app: TestApp) {
    let t = tree(&app).await;
    let (admin_a_id, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;
    set_population(&app, &t.admin, t.a, 2025, json!(12_000)).await;
    set_population(&app, &admin_a, t.a, 2025, json!(12_500)).await;

    let (status, entries) = audit(&app, &t.admin, t.a).await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let changes: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "set_population")
        .collect();
    assert_eq!(changes.len(), 2, "{entries}");
    let latest = changes[0];
    assert_eq!(latest["actor_id"], admin_a_id);
    assert_eq!(latest["unit_id"], t.a);
    assert_eq!(latest["entity"], "unit");
    assert_eq!(latest["entity_id"].as_str(), Some(t.a.to_string().as_str()));
    assert_eq!(
        latest["before"],
        json!({"year": 2025, "resident_population": 12_000})
    );
    assert_eq!(
        latest["after"],
        json!({"year": 2025, "resident_population": 12_500})
    );
    assert!(latest["at"].is_string());
    assert_eq!(changes[1]["before"], Value::Null);
    assert_eq!(
        changes[1]["after"],
        json!({"year": 2025, "resident_population": 12_000})
    );
}

async fn a_community_admin_reads_only_their_communitys_audit_entries(app: TestApp) {
    let t = tree(&app).await;
    let (_, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;
    set_population(&app, &t.admin, t.a, 2025, json!(12_000)).await;
    set_population(&app, &t.admin, t.b, 2025, json!(8_000)).await;
    create_organisation(&app, &t.admin, t.b, "和平议事会", "community_social").await;

    let (status, entries) = audit(&app, &admin_a, t.a).await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let entries = entries.as_array().unwrap();
    assert!(entries.iter().any(|e| e["action"] == "set_population"));
    assert!(entries.iter().all(|e| e["unit_id"] == t.a), "{entries:?}");

    for unit in [t.b, t.east] {
        assert_error(
            &audit(&app, &admin_a, unit).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
    }

    let (_, east) = audit(&app, &t.admin, t.east).await;
    let east = east.as_array().unwrap();
    assert!(
        east.iter()
            .any(|e| e["unit_id"] == t.b && e["action"] == "set_population")
    );
    assert!(
        east.iter()
            .all(|e| e["unit_id"] != t.c && e["unit_id"] != t.west)
    );
}

async fn an_organizer_may_not_read_the_audit_log(app: TestApp) {
    let t = tree(&app).await;
    let (_, organizer) = app.staff(&t.admin, "organizer-a", "organizer", t.a).await;
    assert_error(
        &audit(&app, &organizer, t.a).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}
