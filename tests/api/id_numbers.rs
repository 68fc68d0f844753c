//! ID numbers 身份证号: masked in every answer, revealed only to a district admin, and every
//! reveal audited.

use crate::both_backends;
use crate::support::{
    PASSWORD, STANDARD_ID, TestApp, applicant, assert_hides_id_number, phone, register,
    volunteers_of,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    no_answer_holds_the_full_id_number,
    a_district_admin_reveals_an_id_number_and_the_lookup_is_audited,
    only_a_district_admin_may_reveal_an_id_number,
    staff_see_the_birth_year_and_only_a_district_admin_the_birth_date
);

async fn no_answer_holds_the_full_id_number(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let v = register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    let id = v["id"].as_i64().unwrap();
    let (_, login) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": phone(1), "password": PASSWORD}),
        )
        .await;
    assert_hides_id_number(&login);
    let me = login["token"].as_str().unwrap().to_owned();
    for (path, token) in [
        (format!("/api/v1/volunteers/{id}"), &admin),
        (format!("/api/v1/volunteers/{id}"), &me),
        ("/api/v1/volunteers/me".to_owned(), &me),
        (format!("/api/v1/volunteers?unit_id={community}"), &admin),
    ] {
        let (status, answer) = app.get(&path, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        assert!(
            answer.to_string().contains("1101*************X"),
            "{path}: {answer}"
        );
        assert_hides_id_number(&answer);
    }
    let (_, duplicate) = app
        .post(
            "/api/v1/volunteers",
            None,
            applicant("林小雨", STANDARD_ID, &phone(2), community),
        )
        .await;
    assert_hides_id_number(&duplicate);
}

async fn a_district_admin_reveals_an_id_number_and_the_lookup_is_audited(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let v = register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    let (status, answer) = app
        .get(
            &format!("/api/v1/volunteers/{}/id-number", v["id"]),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["id_number"], STANDARD_ID);
    let (_, me) = app.get("/api/v1/auth/me", Some(&admin)).await;
    let district = app.state.store.root_unit().await.unwrap().unwrap().id;
    let (status, audit) = app
        .get(&format!("/api/v1/audit?unit_id={district}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let reveals: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "reveal_id_number")
        .collect();
    assert_eq!(reveals.len(), 1, "{audit}");
    assert_eq!(reveals[0]["entity"], "volunteer");
    assert_eq!(
        reveals[0]["entity_id"].as_str(),
        Some(v["id"].to_string().as_str())
    );
    assert_eq!(reveals[0]["actor_id"], me["id"]);
    assert_eq!(reveals[0]["unit_id"], community);
    assert_hides_id_number(&audit);
    let res = app
        .client
        .get(format!(
            "{}/api/v1/volunteers/{}/id-number",
            app.base, v["id"]
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[reqwest::header::CACHE_CONTROL], "no-store");
}

async fn only_a_district_admin_may_reveal_an_id_number(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let v = register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    let (_, station) = app
        .staff(&admin, "station-admin", "unit_admin", community)
        .await;
    let me = app.login(&phone(1), PASSWORD).await;
    for (path, token) in [
        (
            format!("/api/v1/volunteers/{}/id-number", v["id"]),
            &station,
        ),
        ("/api/v1/volunteers/me/id-number".to_owned(), &me),
    ] {
        let (status, body) = app.get(&path, Some(token)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{path}"
        );
        assert_hides_id_number(&body);
    }
    let (_, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={community}"),
            Some(&station),
        )
        .await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "reveal_id_number"),
        "{audit}"
    );
}

async fn staff_see_the_birth_year_and_only_a_district_admin_the_birth_date(app: TestApp) {
    let (admin, street, community) = app.district_with_community().await;
    let v = register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    let profile = format!("/api/v1/volunteers/{}", v["id"]);
    let district = app.district_id().await;
    let (_, station) = app
        .staff(&admin, "station-admin", "unit_admin", community)
        .await;
    let (_, worker) = app
        .staff(&admin, "street-worker", "social_worker", street)
        .await;
    let (_, committee) = app.staff(&admin, "committee", "committee", district).await;
    for token in [&station, &worker, &committee] {
        let (status, one) = app.get(&profile, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{one}");
        let listed = volunteers_of(&app, token, community).await;
        for seen in [&one, &listed[0]] {
            assert_eq!(seen["birth_year"], 1949, "{seen}");
            assert!(seen.get("birth_date").is_none(), "{seen}");
            assert_eq!(seen["id_number_masked"], "1101*************X");
            assert_eq!(seen["gender"], "female");
        }
    }
    let me = app.login(&phone(1), PASSWORD).await;
    for token in [&admin, &me] {
        let (_, one) = app.get(&profile, Some(token)).await;
        assert_eq!(one["birth_date"], "1949-12-31", "{one}");
    }
    let listed = volunteers_of(&app, &admin, community).await;
    assert_eq!(listed[0]["birth_date"], "1949-12-31");
}
