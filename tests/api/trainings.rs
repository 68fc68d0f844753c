//! Trainings 志愿者培训 as attendees and staff read them: study hours per year, attendees added
//! once, and the documented endpoints.

use crate::both_backends;
use crate::support::{
    TestApp, assert_error, audit_entries, id_of, my_trainings, record, training_body,
    trainings_of_unit,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    attendees_see_the_training_with_its_study_hours,
    adding_attendees_twice_changes_nothing_the_second_time,
    the_year_filter_picks_the_trainings_held_that_year,
    the_training_endpoints_are_documented
);

async fn attendees_see_the_training_with_its_study_hours(app: TestApp) {
    let s = app.classroom().await;
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

async fn adding_attendees_twice_changes_nothing_the_second_time(app: TestApp) {
    let s = app.classroom().await;
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
    let (v4, _) = app.volunteer(4, s.community).await;
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
    let s = app.classroom().await;
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
