//! Reading volunteers: a volunteer's own profile, and the lists staff see of their units.

use crate::both_backends;
use crate::support::{
    PASSWORD, STANDARD_ID, TestApp, applicant, id_number, phone, register, volunteers_of,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    a_volunteer_logs_in_with_their_phone_and_sees_their_profile,
    staff_have_no_own_volunteer_profile,
    an_unknown_volunteer_is_not_found,
    a_volunteer_cannot_read_another_volunteer,
    staff_of_one_community_cannot_see_another_communitys_volunteers,
    a_street_lists_the_volunteers_of_all_its_communities_in_pages
);

async fn a_volunteer_logs_in_with_their_phone_and_sees_their_profile(app: TestApp) {
    let (_, _, community) = app.district_with_community().await;
    let v = register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    let (status, login) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": phone(1), "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["user"]["id"], v["id"]);
    assert_eq!(login["user"]["is_volunteer"], true);
    let token = login["token"].as_str().unwrap();
    let (status, me) = app.get("/api/v1/volunteers/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    for field in [
        "id",
        "volunteer_no",
        "name",
        "id_number_masked",
        "gender",
        "birth_date",
        "phone",
        "community_id",
    ] {
        assert_eq!(me[field], v[field], "{field}");
    }
    let (status, own) = app
        .get(&format!("/api/v1/volunteers/{}", v["id"]), Some(token))
        .await;
    assert_eq!(
        (status, &own["volunteer_no"]),
        (StatusCode::OK, &v["volunteer_no"])
    );
}

async fn staff_have_no_own_volunteer_profile(app: TestApp) {
    let (admin, _, _) = app.district_with_community().await;
    let (status, body) = app.get("/api/v1/volunteers/me", Some(&admin)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = app.get("/api/v1/volunteers/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_unknown_volunteer_is_not_found(app: TestApp) {
    let (admin, _, _) = app.district_with_community().await;
    for path in [
        "/api/v1/volunteers/999999",
        "/api/v1/volunteers/nobody",
        "/api/v1/volunteers/999999/id-number",
    ] {
        let (status, body) = app.get(path, Some(&admin)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{path}"
        );
    }
}

async fn a_volunteer_cannot_read_another_volunteer(app: TestApp) {
    let (_, _, community) = app.district_with_community().await;
    register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    let other = register(
        &app,
        applicant("王建国", &id_number(2), &phone(2), community),
    )
    .await;
    let me = app.login(&phone(1), PASSWORD).await;
    let (status, body) = app
        .get(&format!("/api/v1/volunteers/{}", other["id"]), Some(&me))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    assert!(body.get("name").is_none());
    let (status, _) = app
        .get(
            &format!("/api/v1/volunteers?unit_id={community}"),
            Some(&me),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn staff_of_one_community_cannot_see_another_communitys_volunteers(app: TestApp) {
    let (admin, street, a) = app.district_with_community().await;
    let b = app
        .create_unit(&admin, "翠竹社区", "community", street)
        .await;
    let in_a = app.registered_by(&admin, 1, a).await;
    let in_b = app.registered_by(&admin, 2, b).await;
    let (_, station_a) = app.staff(&admin, "station-a", "unit_admin", a).await;
    let (status, body) = app
        .get(&format!("/api/v1/volunteers/{in_b}"), Some(&station_a))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, body) = app
        .get(&format!("/api/v1/volunteers?unit_id={b}"), Some(&station_a))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, body) = app
        .get(
            &format!("/api/v1/volunteers?unit_id={street}"),
            Some(&station_a),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, body) = app
        .get(&format!("/api/v1/volunteers/{in_a}"), Some(&station_a))
        .await;
    assert_eq!((status, body["id"].as_i64()), (StatusCode::OK, Some(in_a)));
    let listed: Vec<_> = volunteers_of(&app, &station_a, a)
        .await
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [in_a]);
}

async fn a_street_lists_the_volunteers_of_all_its_communities_in_pages(app: TestApp) {
    let (admin, street, a) = app.district_with_community().await;
    let b = app
        .create_unit(&admin, "翠竹社区", "community", street)
        .await;
    let (_, elsewhere) = app
        .street_and_community(&admin, "西山街道", "幸福社区")
        .await;
    let mut expected = Vec::new();
    for (n, community) in [(1, a), (2, b), (3, a), (4, elsewhere), (5, b), (6, a)] {
        let id = app.registered_by(&admin, n, community).await;
        if community != elsewhere {
            expected.push(id);
        }
    }
    let (_, centre) = app
        .staff(&admin, "street-centre", "social_worker", street)
        .await;
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut after = 0;
    loop {
        let (status, page) = app
            .get(
                &format!("/api/v1/volunteers?unit_id={street}&limit=2&after={after}"),
                Some(&centre),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let volunteers = page["volunteers"].as_array().unwrap();
        pages.push(volunteers.len());
        seen.extend(volunteers.iter().map(|v| v["id"].as_i64().unwrap()));
        match page["next_after"].as_i64() {
            Some(next) => {
                assert_eq!(Some(next), seen.last().copied());
                after = next;
            }
            None => break,
        }
        assert!(pages.len() < 10, "paging does not end: {pages:?}");
    }
    assert_eq!(pages, [2, 2, 1]);
    assert_eq!(seen, expected);
    let (status, _) = app
        .get(
            &format!("/api/v1/volunteers?unit_id={elsewhere}"),
            Some(&centre),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
