//! What a community keeps on record: its population per year, its registered organisations, and
//! the audit log of those changes.

use crate::both_backends;
use crate::support::{
    TestApp, assert_error, create_organisation, ids, organisations, set_population, unit_detail,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
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

async fn audit(app: &TestApp, token: &str, unit: i64) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/audit?unit_id={unit}"), Some(token))
        .await
}

async fn a_population_is_set_per_year_and_replaced_on_update(app: TestApp) {
    let t = app.tree().await;
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
    let t = app.tree().await;
    for unit in [t.east, app.district_id().await] {
        let answer = set_population(&app, &t.admin, unit, 2025, json!(50_000)).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "not_a_community");
    }
    let (_, street) = unit_detail(&app, &t.admin, t.east).await;
    assert_eq!(street["populations"], json!([]));
    let answer = set_population(&app, &t.admin, 987_654, 2025, json!(50_000)).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
}

async fn an_out_of_range_year_or_population_is_refused(app: TestApp) {
    let t = app.tree().await;
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
    let t = app.tree().await;
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

    let (_, all) = organisations(&app, &t.admin, app.district_id().await).await;
    assert_eq!(ids(&all), ids(&json!([org, org_b, org_c])));
}

async fn a_community_admin_registers_organisations_in_their_community(app: TestApp) {
    let t = app.tree().await;
    let (_, admin_a) = app.staff(&t.admin, "admin-a", "unit_admin", t.a).await;
    let (status, org) =
        create_organisation(&app, &admin_a, t.a, "幸福志愿服务队", "volunteer_service").await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    let (_, listed) = organisations(&app, &admin_a, t.a).await;
    assert_eq!(listed, json!([org]));
}

async fn an_unknown_org_type_is_invalid_org_type(app: TestApp) {
    let t = app.tree().await;
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
    let t = app.tree().await;
    for name in ["", "幸福\u{0}志愿队"] {
        let answer = create_organisation(&app, &t.admin, t.a, name, "volunteer_service").await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_name");
    }
}

async fn an_organisation_on_a_street_is_not_a_community(app: TestApp) {
    let t = app.tree().await;
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
    let t = app.tree().await;
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
    let t = app.tree().await;
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
    let t = app.tree().await;
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
    let t = app.tree().await;
    let (_, organizer) = app.staff(&t.admin, "organizer-a", "organizer", t.a).await;
    assert_error(
        &audit(&app, &organizer, t.a).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}
