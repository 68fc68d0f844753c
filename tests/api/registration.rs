//! Self-registration 志愿者注册: the profile derived from the ID number, and the refusals of
//! duplicates and invalid input.

use crate::both_backends;
use crate::support::{
    PASSWORD, STANDARD_ID, TestApp, applicant, assert_hides_id_number, id_number, import,
    is_volunteer_no, phone, refused, register, row_errors, volunteers_of, with,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    self_registration_answers_the_profile_derived_from_the_id_number,
    a_male_id_number_gives_a_male_volunteer,
    the_same_person_cannot_register_twice,
    a_phone_number_belongs_to_one_volunteer,
    invalid_id_numbers_are_refused,
    invalid_phone_numbers_are_refused,
    names_and_tags_with_control_characters_are_refused,
    consent_is_required,
    self_registration_needs_a_password,
    the_home_community_must_be_a_community
);

async fn self_registration_answers_the_profile_derived_from_the_id_number(app: TestApp) {
    let (_, _, community) = app.district_with_community().await;
    let v = register(
        &app,
        applicant("林小雨", STANDARD_ID, "139 0000 0001", community),
    )
    .await;
    assert!(is_volunteer_no(v["volunteer_no"].as_str().unwrap()), "{v}");
    assert_eq!(v["id_number_masked"], "1101*************X");
    assert_eq!(v["gender"], "female");
    assert_eq!(v["birth_date"], "1949-12-31");
    assert_eq!(v["name"], "林小雨");
    assert_eq!(v["phone"], "13900000001");
    assert_eq!(v["community_id"], community);
    assert_eq!(v["registered_via"], "self");
    assert_eq!(v["status"], "active");
    assert_eq!(v["skills"], json!(["急救"]));
    assert_eq!(v["service_categories"], json!(["扶老助残"]));
    assert_hides_id_number(&v);
}

async fn a_male_id_number_gives_a_male_volunteer(app: TestApp) {
    let (_, _, community) = app.district_with_community().await;
    let v = register(
        &app,
        applicant("王建国", &id_number(1), &phone(1), community),
    )
    .await;
    assert_eq!(v["gender"], "male");
    assert_eq!(v["birth_date"], "1980-01-02");
    assert_eq!(
        v["id_number_masked"],
        format!("3401*************{}", &id_number(1)[17..])
    );
}

async fn the_same_person_cannot_register_twice(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    for id in [STANDARD_ID, "11010519491231002x", " 11010519491231002X "] {
        let refusal = refused(&app, applicant("林小雨", id, &phone(2), community)).await;
        assert_eq!(
            refusal,
            (StatusCode::CONFLICT, "duplicate_id_number".into()),
            "{id}"
        );
    }
    let listed = volunteers_of(&app, &admin, community).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["phone"], "139****0001");
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": phone(2), "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
}

async fn a_phone_number_belongs_to_one_volunteer(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    register(
        &app,
        applicant("林小雨", STANDARD_ID, "13900000001", community),
    )
    .await;
    for spelling in ["13900000001", "+86 139-0000-0001"] {
        let refusal = refused(
            &app,
            applicant("王建国", &id_number(1), spelling, community),
        )
        .await;
        assert_eq!(
            refusal,
            (StatusCode::CONFLICT, "duplicate_phone".into()),
            "{spelling}"
        );
    }
    let listed = volunteers_of(&app, &admin, community).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "林小雨");
}

async fn invalid_id_numbers_are_refused(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let mut feb30 = String::from("34010419900230123");
    feb30.push(vledger::domain::id_number::check_char(feb30.as_bytes()) as char);
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let future = vledger::domain::id_number::compose(340104, tomorrow, 123);
    for id in [
        "110105194912310021",
        feb30.as_str(),
        future.as_str(),
        "1101051949",
        "身份证号码",
        "",
    ] {
        let refusal = refused(&app, applicant("林小雨", id, &phone(1), community)).await;
        assert_eq!(
            refusal,
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_id_number".into()),
            "{id}"
        );
    }
    assert!(volunteers_of(&app, &admin, community).await.is_empty());
}

async fn invalid_phone_numbers_are_refused(app: TestApp) {
    let (_, _, community) = app.district_with_community().await;
    for bad in ["12345", "02112345678", "12812345678", "1390000000a", ""] {
        let refusal = refused(&app, applicant("林小雨", STANDARD_ID, bad, community)).await;
        assert_eq!(
            refusal,
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone".into()),
            "{bad}"
        );
    }
}

async fn names_and_tags_with_control_characters_are_refused(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let body = applicant("林小雨", STANDARD_ID, &phone(1), community);
    for (field, value, code) in [
        ("name", json!("林\u{0}小雨"), "invalid_name"),
        ("name", json!("   "), "invalid_name"),
        ("name", json!("林".repeat(51)), "invalid_name"),
        ("skills", json!(["急\u{0}救"]), "invalid_tags"),
        (
            "service_categories",
            json!(["扶老\u{7}助残"]),
            "invalid_tags",
        ),
    ] {
        let refusal = refused(&app, with(body.clone(), field, value.clone())).await;
        assert_eq!(
            refusal,
            (StatusCode::UNPROCESSABLE_ENTITY, code.into()),
            "{field}: {value}"
        );
    }
    let csv = format!(
        "name,id_number,phone,community_id\n\"林\u{0}小雨\",{STANDARD_ID},{},{community}\n",
        phone(1)
    );
    let (status, report) = import(&app, &admin, &csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(row_errors(&report), [(2, "invalid_name".to_owned())]);
    assert!(volunteers_of(&app, &admin, community).await.is_empty());
}

async fn consent_is_required(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let body = applicant("林小雨", STANDARD_ID, &phone(1), community);
    let refusal = refused(&app, with(body.clone(), "consent", json!(false))).await;
    assert_eq!(
        refusal,
        (StatusCode::UNPROCESSABLE_ENTITY, "consent_required".into())
    );
    let mut silent = body;
    silent.as_object_mut().unwrap().remove("consent");
    let refusal = refused(&app, silent).await;
    assert_eq!(
        refusal,
        (StatusCode::UNPROCESSABLE_ENTITY, "consent_required".into())
    );
    assert!(volunteers_of(&app, &admin, community).await.is_empty());
}

async fn self_registration_needs_a_password(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let mut without = applicant("林小雨", STANDARD_ID, &phone(1), community);
    without.as_object_mut().unwrap().remove("password");
    let refusal = refused(&app, without).await;
    assert_eq!(
        refusal,
        (StatusCode::UNPROCESSABLE_ENTITY, "weak_password".into())
    );
    let short = with(
        applicant("林小雨", STANDARD_ID, &phone(1), community),
        "password",
        json!("1234567"),
    );
    let refusal = refused(&app, short).await;
    assert_eq!(
        refusal,
        (StatusCode::UNPROCESSABLE_ENTITY, "weak_password".into())
    );
    assert!(volunteers_of(&app, &admin, community).await.is_empty());
}

async fn the_home_community_must_be_a_community(app: TestApp) {
    let (admin, street, _) = app.district_with_community().await;
    let district = app.state.store.root_unit().await.unwrap().unwrap().id;
    for unit in [street, district, 999_999] {
        let refusal = refused(&app, applicant("林小雨", STANDARD_ID, &phone(1), unit)).await;
        assert_eq!(
            refusal,
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_community".into()),
            "{unit}"
        );
    }
    assert!(volunteers_of(&app, &admin, district).await.is_empty());
}
