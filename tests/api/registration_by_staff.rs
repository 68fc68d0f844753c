//! Staff registering volunteers on their behalf: where they may, the audit, and one volunteer per
//! person or phone even when registrations arrive at once.

use crate::both_backends;
use crate::support::{
    STANDARD_ID, TestApp, applicant, id_number, is_volunteer_no, phone, volunteers_of,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

both_backends!(
    simultaneous_registrations_of_one_person_make_one_volunteer,
    simultaneous_registrations_with_one_phone_make_one_volunteer,
    a_unit_admin_registers_a_volunteer_on_their_behalf,
    staff_register_only_in_communities_they_administer,
    a_registration_by_staff_is_audited
);

/// Fires `bodies` at the registration endpoint all at once, as `staff` registering volunteers
/// without passwords: with connections already open and no password hashing, the requests reach
/// the database together.
async fn register_at_once(
    app: &TestApp,
    staff: &str,
    bodies: Vec<Value>,
) -> Vec<(StatusCode, Value)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(bodies.len()));
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|mut body| {
            body.as_object_mut().unwrap().remove("password");
            let (app, barrier, staff) = (app.clone(), barrier.clone(), staff.to_owned());
            tokio::spawn(async move {
                app.get("/api/v1/auth/me", Some(&staff)).await;
                barrier.wait().await;
                app.post("/api/v1/volunteers", Some(&staff), body).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

/// The id of the one volunteer created among `answers`; every other answer is a 409 `code`.
fn one_created(answers: &[(StatusCode, Value)], code: &str) -> i64 {
    let created: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(
            (*status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some(code)),
            "{body}"
        );
    }
    created[0].1["id"].as_i64().unwrap()
}

async fn simultaneous_registrations_of_one_person_make_one_volunteer(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let mut created = Vec::new();
    for person in 0..3 {
        let bodies = (0..10)
            .map(|i| {
                applicant(
                    "林小雨",
                    &id_number(person),
                    &phone(person * 10 + i),
                    community,
                )
            })
            .collect();
        created.push(one_created(
            &register_at_once(&app, &admin, bodies).await,
            "duplicate_id_number",
        ));
    }
    let listed: Vec<_> = volunteers_of(&app, &admin, community)
        .await
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, created);
}

async fn simultaneous_registrations_with_one_phone_make_one_volunteer(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let mut created = Vec::new();
    for number in 0..3 {
        let bodies = (0..10)
            .map(|i| {
                applicant(
                    &format!("志愿者{i}"),
                    &id_number(number * 10 + i),
                    &phone(number),
                    community,
                )
            })
            .collect();
        created.push(one_created(
            &register_at_once(&app, &admin, bodies).await,
            "duplicate_phone",
        ));
    }
    let listed = volunteers_of(&app, &admin, community).await;
    assert_eq!(
        listed
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        created
    );
    assert_eq!(
        listed
            .iter()
            .map(|v| v["phone"].clone())
            .collect::<Vec<_>>(),
        ["139****0000", "139****0001", "139****0002"]
    );
}

async fn a_unit_admin_registers_a_volunteer_on_their_behalf(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let (_, station) = app
        .staff(&admin, "station-admin", "unit_admin", community)
        .await;
    let mut body = applicant("赵大爷", STANDARD_ID, &phone(1), community);
    body.as_object_mut().unwrap().remove("password");
    let (status, v) = app.post("/api/v1/volunteers", Some(&station), body).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["registered_via"], "staff");
    assert_eq!(v["name"], "赵大爷");
    assert_eq!(v["id_number_masked"], "1101*************X");
    assert!(is_volunteer_no(v["volunteer_no"].as_str().unwrap()));
    let listed = volunteers_of(&app, &station, community).await;
    assert_eq!(listed.len(), 1);
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": phone(1), "password": ""}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
}

async fn staff_register_only_in_communities_they_administer(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let other = app
        .create_unit(
            &admin,
            "和平社区",
            "community",
            app.state
                .store
                .unit(community)
                .await
                .unwrap()
                .unwrap()
                .parent_id
                .unwrap(),
        )
        .await;
    let (_, station) = app
        .staff(&admin, "station-admin", "unit_admin", community)
        .await;
    let (status, body) = app
        .post(
            "/api/v1/volunteers",
            Some(&station),
            applicant("周六", STANDARD_ID, &phone(1), other),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    assert!(volunteers_of(&app, &admin, other).await.is_empty());
}

async fn a_registration_by_staff_is_audited(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let (station_id, station) = app
        .staff(&admin, "station-admin", "unit_admin", community)
        .await;
    let mut body = applicant("赵大爷", STANDARD_ID, &phone(1), community);
    body.as_object_mut().unwrap().remove("password");
    let (_, v) = app.post("/api/v1/volunteers", Some(&station), body).await;
    let (status, entries) = app
        .get(
            &format!("/api/v1/audit?unit_id={community}"),
            Some(&station),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let entry = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "register")
        .expect("a register entry");
    assert_eq!(entry["actor_id"].as_i64(), Some(station_id));
    assert_eq!(entry["entity_id"], v["id"].to_string());
    assert_eq!(entry["after"]["volunteer_no"], v["volunteer_no"]);
    assert_eq!(entry["after"]["registered_via"], "staff");
}
