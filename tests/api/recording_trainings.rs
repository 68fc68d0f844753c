//! Recording a training: who may, which attendees and values are refused, and the audit.

use crate::both_backends;
use crate::support::{
    TestApp, assert_error, audit_entries, id_of, my_trainings, record, training_body,
    trainings_of_unit, with,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    only_social_workers_and_admins_of_the_unit_record,
    volunteers_outside_the_unit_are_refused_and_nothing_is_written,
    invalid_trainings_are_refused,
    recording_a_training_is_audited
);

async fn only_social_workers_and_admins_of_the_unit_record(app: TestApp) {
    let s = app.classroom().await;
    let body = training_body(s.community, "2026-03-14", json!("2"), &[s.v1.0]);
    for token in [&s.organizer, &s.v1.1] {
        let answer = app
            .post("/api/v1/trainings", Some(token), body.clone())
            .await;
        assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    }
    let (other_street, _) = app
        .street_and_community(&s.admin, "南湖街道", "荷花社区")
        .await;
    let (_, elsewhere) = app
        .staff(&s.admin, "social-worker-b", "social_worker", other_street)
        .await;
    let answer = app
        .post("/api/v1/trainings", Some(&elsewhere), body.clone())
        .await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    assert!(trainings_of_unit(&app, &s.admin, s.street).await.is_empty());

    // The social worker of the street above and the district admin may.
    record(&app, &s.social_worker, body.clone()).await;
    record(&app, &s.admin, body.clone()).await;

    let answer = app
        .post(
            "/api/v1/trainings",
            Some(&s.social_worker),
            with(body, "unit_id", json!(999_999)),
        )
        .await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    let answer = app
        .get("/api/v1/trainings/999999", Some(&s.social_worker))
        .await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");

    // The organizer may read trainings, not add attendees.
    let training = trainings_of_unit(&app, &s.organizer, s.community).await[0].clone();
    let path = format!("/api/v1/trainings/{}/attendees", id_of(&training));
    let answer = app
        .post(
            &path,
            Some(&s.organizer),
            json!({"volunteer_ids": [s.v2.0]}),
        )
        .await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = app
        .get(
            &format!("/api/v1/trainings/{}", id_of(&training)),
            Some(&elsewhere),
        )
        .await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        trainings_of_unit(&app, &s.organizer, s.community)
            .await
            .len(),
        2
    );
}

async fn volunteers_outside_the_unit_are_refused_and_nothing_is_written(app: TestApp) {
    let s = app.classroom().await;
    let body = training_body(
        s.street,
        "2026-03-14",
        json!("2.5"),
        &[s.v1.0, s.other.0, 999_999],
    );
    let answer = app
        .post("/api/v1/trainings", Some(&s.social_worker), body)
        .await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_volunteer",
    );
    let message = answer.1["message"].as_str().unwrap();
    // Only the two unknown ones are named.
    assert!(
        message.ends_with(&format!(" {}, 999999", s.other.0)),
        "{message}"
    );

    assert!(trainings_of_unit(&app, &s.admin, s.street).await.is_empty());
    let mine = my_trainings(&app, &s.v1.1, 2026).await;
    assert_eq!(mine["trainings"], json!([]));
    assert!(
        audit_entries(&app, &s.admin, s.street, "record_training")
            .await
            .is_empty()
    );
}

async fn invalid_trainings_are_refused(app: TestApp) {
    let s = app.classroom().await;
    let valid = training_body(s.community, "2026-03-14", json!("2.5"), &[s.v1.0]);
    let next_year = (chrono::Utc::now() + chrono::Duration::days(400))
        .date_naive()
        .to_string();
    let cases = [
        ("name", json!(""), "invalid_field"),
        ("name", json!("   "), "invalid_field"),
        ("name", json!("培".repeat(201)), "invalid_field"),
        ("name", json!("培训\t名称"), "invalid_field"),
        ("name", json!("培训\n名称"), "invalid_field"),
        ("name", json!("培训\u{0}"), "invalid_field"),
        ("content", json!("内容\u{0}内容"), "invalid_field"),
        ("content", json!("内容\u{7}"), "invalid_field"),
        ("host", json!("\u{0}"), "invalid_field"),
        ("host", json!(""), "invalid_field"),
        ("study_hours", json!("0"), "invalid_study_hours"),
        ("study_hours", json!(0), "invalid_study_hours"),
        ("study_hours", json!("-1"), "invalid_study_hours"),
        ("study_hours", json!("24.5"), "invalid_study_hours"),
        ("study_hours", json!(25), "invalid_study_hours"),
        ("study_hours", json!("two"), "invalid_study_hours"),
        ("held_on", json!("1948-12-31"), "invalid_held_on"),
        ("held_on", json!(next_year), "invalid_held_on"),
        ("held_on", json!("2026-02-30"), "invalid_body"),
        ("volunteer_ids", json!(["x"]), "invalid_body"),
    ];
    for (field, value, code) in cases {
        let answer = app
            .post(
                "/api/v1/trainings",
                Some(&s.social_worker),
                with(valid.clone(), field, value.clone()),
            )
            .await;
        assert_eq!(
            (answer.0, answer.1["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{field} = {value}: {}",
            answer.1
        );
    }
    assert!(trainings_of_unit(&app, &s.admin, s.street).await.is_empty());

    // The limits themselves are accepted: 200 characters, 24 hours, 1949-01-01.
    let edge = with(valid.clone(), "name", json!("培".repeat(200)));
    let edge = with(edge, "study_hours", json!("24"));
    let training = record(
        &app,
        &s.social_worker,
        with(edge, "held_on", json!("1949-01-01")),
    )
    .await;
    assert_eq!(training["study_hours"], "24.00");

    let answer = app
        .get("/api/v1/volunteers/me/trainings?year=1800", Some(&s.v1.1))
        .await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_year");
}

async fn recording_a_training_is_audited(app: TestApp) {
    let s = app.classroom().await;
    let (_, unit_admin) = app
        .staff(&s.admin, "street-admin", "unit_admin", s.street)
        .await;
    let body = training_body(s.community, "2026-03-14", json!("2.5"), &[s.v1.0, s.v2.0]);
    let training = record(&app, &s.social_worker, body).await;
    let entries = audit_entries(&app, &unit_admin, s.street, "record_training").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry["entity"], "training");
    assert_eq!(entry["entity_id"], id_of(&training).to_string());
    assert_eq!(entry["actor_id"], s.social_worker_id);
    assert_eq!(entry["unit_id"], s.community);
    assert_eq!(entry["after"]["training"]["study_hours"], "2.50");
    assert_eq!(entry["after"]["volunteer_ids"], json!([s.v1.0, s.v2.0]));
}
