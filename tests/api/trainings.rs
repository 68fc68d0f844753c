use crate::activities::{assert_error, id_of, volunteer, with};
use crate::both_backends;
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Two streets with a community each; a social worker on the first street, an organizer on its
/// community, two volunteers there and one in the other street.
struct Scene {
    admin: String,
    street: i64,
    community: i64,
    social_worker_id: i64,
    social_worker: String,
    organizer: String,
    /// `(id, token)` of the volunteers of the first street.
    v1: (i64, String),
    v2: (i64, String),
    /// A volunteer of the other street.
    other: (i64, String),
}

async fn scene(app: &TestApp) -> Scene {
    let admin = app.district_admin().await;
    let (street, community) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    let (_, other_community) = app
        .street_and_community(&admin, "西湖街道", "柳岸社区")
        .await;
    let (social_worker_id, social_worker) = app
        .staff(&admin, "social-worker-a", "social_worker", street)
        .await;
    let (_, organizer) = app
        .staff(&admin, "organizer-a", "organizer", community)
        .await;
    Scene {
        v1: volunteer(app, 1, community).await,
        v2: volunteer(app, 2, community).await,
        other: volunteer(app, 3, other_community).await,
        admin,
        street,
        community,
        social_worker_id,
        social_worker,
        organizer,
    }
}

fn training_body(unit_id: i64, held_on: &str, study_hours: Value, volunteer_ids: &[i64]) -> Value {
    json!({
        "unit_id": unit_id,
        "name": "养老照护技能培训",
        "content": "失能老人照护要点\n急救常识",
        "study_hours": study_hours,
        "host": "东湖街道社会服务中心",
        "held_on": held_on,
        "volunteer_ids": volunteer_ids,
    })
}

async fn record(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, training) = app.post("/api/v1/trainings", Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{training}");
    training
}

async fn my_trainings(app: &TestApp, token: &str, year: i32) -> Value {
    let (status, body) = app
        .get(
            &format!("/api/v1/volunteers/me/trainings?year={year}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn trainings_of_unit(app: &TestApp, token: &str, unit: i64) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/api/v1/trainings?unit_id={unit}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

/// The audit entries of `action` about the units under `unit`, as its admin sees them.
async fn audit_entries(app: &TestApp, admin: &str, unit: i64, action: &str) -> Vec<Value> {
    let (status, entries) = app
        .get(&format!("/api/v1/audit?unit_id={unit}"), Some(admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let entries = entries.as_array().unwrap();
    entries
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

both_backends!(
    attendees_see_the_training_with_its_study_hours,
    only_social_workers_and_admins_of_the_unit_record,
    volunteers_outside_the_unit_are_refused_and_nothing_is_written,
    invalid_trainings_are_refused,
    recording_a_training_is_audited,
    adding_attendees_twice_changes_nothing_the_second_time,
    the_year_filter_picks_the_trainings_held_that_year,
    the_training_endpoints_are_documented
);

async fn attendees_see_the_training_with_its_study_hours(app: TestApp) {
    let s = scene(&app).await;
    let body = training_body(s.street, "2026-03-14", json!("2.5"), &[s.v1.0, s.v2.0]);
    let training = record(&app, &s.social_worker, body).await;
    assert_eq!(training["study_hours"], "2.50");
    assert_eq!(training["attendee_count"], 2);
    assert_eq!(training["held_on"], "2026-03-14");
    assert_eq!(training["recorded_by"], s.social_worker_id);
    assert_eq!(training["content"], "失能老人照护要点\n急救常识");

    for (_, token) in [&s.v1, &s.v2] {
        let mine = my_trainings(&app, token, 2026).await;
        assert_eq!(mine["study_hours"], "2.50", "{mine}");
        let list = mine["trainings"].as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["id"], training["id"]);
        assert_eq!(list[0]["name"], "养老照护技能培训");
        assert_eq!(list[0]["host"], "东湖街道社会服务中心");
        assert_eq!(list[0]["held_on"], "2026-03-14");
        assert_eq!(list[0]["study_hours"], "2.50");
    }
    let mine = my_trainings(&app, &s.other.1, 2026).await;
    assert_eq!(
        mine,
        json!({"year": 2026, "study_hours": "0.00", "trainings": []})
    );

    // A number works as well as a string; the year's total adds up.
    let body = training_body(s.community, "2026-04-01", json!(1.25), &[s.v1.0]);
    record(&app, &s.social_worker, body).await;
    let mine = my_trainings(&app, &s.v1.1, 2026).await;
    assert_eq!(mine["study_hours"], "3.75");
    assert_eq!(mine["trainings"].as_array().unwrap().len(), 2);

    // The detail names the attendees; staff of the unit list it.
    let (status, detail) = app
        .get(
            &format!("/api/v1/trainings/{}", id_of(&training)),
            Some(&s.social_worker),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let names: Vec<&str> = detail["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["志愿者1", "志愿者2"]);
    assert!(detail["attendees"][0]["volunteer_no"].is_string());
    assert_eq!(
        trainings_of_unit(&app, &s.social_worker, s.street)
            .await
            .len(),
        2
    );
    assert_eq!(
        trainings_of_unit(&app, &s.organizer, s.community)
            .await
            .len(),
        1
    );

    // Staff of the volunteer's street see their trainings; another volunteer does not.
    let path = format!("/api/v1/volunteers/{}/trainings?year=2026", s.v1.0);
    let (status, seen) = app.get(&path, Some(&s.social_worker)).await;
    assert_eq!(
        (status, &seen["study_hours"]),
        (StatusCode::OK, &json!("3.75"))
    );
    assert_error(
        &app.get(&path, Some(&s.other.1)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}

async fn only_social_workers_and_admins_of_the_unit_record(app: TestApp) {
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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

async fn adding_attendees_twice_changes_nothing_the_second_time(app: TestApp) {
    let s = scene(&app).await;
    let body = training_body(s.community, "2026-03-14", json!("1.5"), &[s.v1.0]);
    let training = record(&app, &s.social_worker, body).await;
    assert_eq!(training["attendee_count"], 1);
    let path = format!("/api/v1/trainings/{}/attendees", id_of(&training));
    for _ in 0..2 {
        let (status, detail) = app
            .post(
                &path,
                Some(&s.social_worker),
                json!({"volunteer_ids": [s.v1.0, s.v2.0, s.v2.0]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        assert_eq!(detail["attendee_count"], 2);
        assert_eq!(detail["attendees"].as_array().unwrap().len(), 2);
    }
    let mine = my_trainings(&app, &s.v2.1, 2026).await;
    assert_eq!(mine["study_hours"], "1.50");
    let mine = my_trainings(&app, &s.v1.1, 2026).await;
    assert_eq!(mine["study_hours"], "1.50", "counted once");

    let added = audit_entries(&app, &s.admin, s.street, "add_training_attendees").await;
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0]["after"]["added"], json!([s.v2.0]));

    // Someone from another street is refused and nobody is added with them.
    let (v4, _) = volunteer(&app, 4, s.community).await;
    let answer = app
        .post(
            &path,
            Some(&s.social_worker),
            json!({"volunteer_ids": [v4, s.other.0]}),
        )
        .await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_volunteer",
    );
    let answer = app
        .post(
            "/api/v1/trainings/999999/attendees",
            Some(&s.social_worker),
            json!({"volunteer_ids": [s.v1.0]}),
        )
        .await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    let (_, detail) = app
        .get(
            &format!("/api/v1/trainings/{}", id_of(&training)),
            Some(&s.admin),
        )
        .await;
    assert_eq!(detail["attendee_count"], 2);
}

async fn the_year_filter_picks_the_trainings_held_that_year(app: TestApp) {
    let s = scene(&app).await;
    for (held_on, hours) in [
        ("2024-12-31", "2"),
        ("2025-01-01", "1.5"),
        ("2025-06-30", "0.75"),
    ] {
        let body = training_body(s.community, held_on, json!(hours), &[s.v1.0]);
        record(&app, &s.social_worker, body).await;
    }
    for (year, total, count) in [(2023, "0.00", 0), (2024, "2.00", 1), (2025, "2.25", 2)] {
        let mine = my_trainings(&app, &s.v1.1, year).await;
        assert_eq!(mine["study_hours"], total, "{year}: {mine}");
        assert_eq!(mine["trainings"].as_array().unwrap().len(), count, "{year}");
    }
    let mine = my_trainings(&app, &s.v1.1, 2025).await;
    let dates: Vec<&str> = mine["trainings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["held_on"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2025-01-01", "2025-06-30"]);

    let (status, list) = app
        .get(
            &format!("/api/v1/trainings?unit_id={}&year=2024", s.street),
            Some(&s.social_worker),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["held_on"], "2024-12-31");
    assert_eq!(
        trainings_of_unit(&app, &s.social_worker, s.street)
            .await
            .len(),
        3
    );

    // The store's study time for the hours view agrees.
    assert_eq!(
        app.state.store.study_minutes(s.v1.0, 2025).await.unwrap(),
        135
    );
    assert_eq!(
        app.state.store.study_minutes(s.v2.0, 2025).await.unwrap(),
        0
    );
}

async fn the_training_endpoints_are_documented(app: TestApp) {
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in [
        ("/api/v1/trainings", "get"),
        ("/api/v1/trainings", "post"),
        ("/api/v1/trainings/{id}", "get"),
        ("/api/v1/trainings/{id}/attendees", "post"),
        ("/api/v1/volunteers/{id}/trainings", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["schemas"]["Training"]["properties"]["study_hours"].is_object());
}
