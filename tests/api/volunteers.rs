use crate::both_backends;
use crate::support::{PASSWORD, TestApp, applicant, id_number, phone};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

/// The example of GB 11643: a woman born on 31 December 1949.
const STANDARD_ID: &str = "11010519491231002X";
/// The part of [`STANDARD_ID`] that its masked form hides.
const HIDDEN_PART: &str = "0519491231";

/// The district admin and one community: `(admin token, community)`.
async fn district_with_community(app: &TestApp) -> (String, i64) {
    let admin = app.district_admin().await;
    let (_, community) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    (admin, community)
}

async fn register(app: &TestApp, body: Value) -> Value {
    let (status, volunteer) = app.post("/api/v1/volunteers", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{volunteer}");
    volunteer
}

/// A volunteer registered by `staff` without a password (no password hashing: quick).
async fn register_by(app: &TestApp, staff: &str, n: u32, community: i64) -> i64 {
    let mut body = applicant(&format!("志愿者{n}"), &id_number(n), &phone(n), community);
    body.as_object_mut().unwrap().remove("password");
    let (status, volunteer) = app.post("/api/v1/volunteers", Some(staff), body).await;
    assert_eq!(status, StatusCode::CREATED, "{volunteer}");
    volunteer["id"].as_i64().unwrap()
}

async fn refused(app: &TestApp, body: Value) -> (StatusCode, String) {
    let (status, answer) = app.post("/api/v1/volunteers", None, body).await;
    (
        status,
        answer["error"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn volunteers_of(app: &TestApp, token: &str, unit: i64) -> Vec<Value> {
    let (status, page) = app
        .get(
            &format!("/api/v1/volunteers?unit_id={unit}&limit=500"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["volunteers"].as_array().unwrap().clone()
}

fn assert_hides_id_number(answer: &Value) {
    let text = answer.to_string();
    assert!(
        !text.contains(STANDARD_ID) && !text.contains(HIDDEN_PART),
        "full ID number shown: {text}"
    );
}

fn is_volunteer_no(s: &str) -> bool {
    s.len() == 10 && s.starts_with('V') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

async fn import(app: &TestApp, token: &str, csv: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(format!("{}/api/v1/volunteers/import", app.base))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{status} answer is not JSON: {text}"));
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    (status, body)
}

fn row_errors(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

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

both_backends!(
    self_registration_answers_the_profile_derived_from_the_id_number,
    a_male_id_number_gives_a_male_volunteer,
    no_answer_holds_the_full_id_number,
    the_same_person_cannot_register_twice,
    a_phone_number_belongs_to_one_volunteer,
    invalid_id_numbers_are_refused,
    invalid_phone_numbers_are_refused,
    names_and_tags_with_control_characters_are_refused,
    consent_is_required,
    self_registration_needs_a_password,
    the_home_community_must_be_a_community,
    simultaneous_registrations_of_one_person_make_one_volunteer,
    simultaneous_registrations_with_one_phone_make_one_volunteer,
    a_unit_admin_registers_a_volunteer_on_their_behalf,
    a_volunteer_logs_in_with_their_phone_and_sees_their_profile,
    staff_have_no_own_volunteer_profile,
    an_unknown_volunteer_is_not_found,
    a_volunteer_cannot_read_another_volunteer,
    staff_of_one_community_cannot_see_another_communitys_volunteers,
    a_street_lists_the_volunteers_of_all_its_communities_in_pages,
    a_district_admin_reveals_an_id_number_and_the_lookup_is_audited,
    only_a_district_admin_may_reveal_an_id_number,
    import_reports_bad_rows_and_skips_people_already_registered,
    import_reads_chinese_headers,
    import_without_an_id_number_column_is_refused,
    only_unit_admins_import_volunteers,
    staff_register_only_in_communities_they_administer,
    a_registration_by_staff_is_audited
);

async fn self_registration_answers_the_profile_derived_from_the_id_number(app: TestApp) {
    let (_, community) = district_with_community(&app).await;
    let v = register(
        &app,
        applicant("林小雨", STANDARD_ID, "139 0000 0001", community),
    )
    .await;
    assert!(is_volunteer_no(v["volunteer_no"].as_str().unwrap()), "{v}");
    assert_eq!(v["id_number_masked"], "1101**********002X");
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
    let (_, community) = district_with_community(&app).await;
    let v = register(
        &app,
        applicant("王建国", &id_number(1), &phone(1), community),
    )
    .await;
    assert_eq!(v["gender"], "male");
    assert_eq!(v["birth_date"], "1980-01-02");
    assert_eq!(
        v["id_number_masked"],
        format!("3401**********{}", &id_number(1)[14..])
    );
}

async fn no_answer_holds_the_full_id_number(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
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
            answer.to_string().contains("1101**********002X"),
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

async fn the_same_person_cannot_register_twice(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
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
    assert_eq!(listed[0]["phone"], phone(1));
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
    let (admin, community) = district_with_community(&app).await;
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
    let (admin, community) = district_with_community(&app).await;
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
    let (_, community) = district_with_community(&app).await;
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
    let (admin, community) = district_with_community(&app).await;
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
    let (admin, community) = district_with_community(&app).await;
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
    let (admin, community) = district_with_community(&app).await;
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
    let admin = app.district_admin().await;
    let (street, _) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
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

async fn simultaneous_registrations_of_one_person_make_one_volunteer(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
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
    let (admin, community) = district_with_community(&app).await;
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
        [json!(phone(0)), json!(phone(1)), json!(phone(2))]
    );
}

async fn a_unit_admin_registers_a_volunteer_on_their_behalf(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
    let (_, station) = app
        .staff(&admin, "station-admin", "unit_admin", community)
        .await;
    let mut body = applicant("赵大爷", STANDARD_ID, &phone(1), community);
    body.as_object_mut().unwrap().remove("password");
    let (status, v) = app.post("/api/v1/volunteers", Some(&station), body).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["registered_via"], "staff");
    assert_eq!(v["name"], "赵大爷");
    assert_eq!(v["id_number_masked"], "1101**********002X");
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

async fn a_volunteer_logs_in_with_their_phone_and_sees_their_profile(app: TestApp) {
    let (_, community) = district_with_community(&app).await;
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
    let (admin, _) = district_with_community(&app).await;
    let (status, body) = app.get("/api/v1/volunteers/me", Some(&admin)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = app.get("/api/v1/volunteers/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_unknown_volunteer_is_not_found(app: TestApp) {
    let (admin, _) = district_with_community(&app).await;
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
    let (_, community) = district_with_community(&app).await;
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
    let admin = app.district_admin().await;
    let (street, a) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    let b = app
        .create_unit(&admin, "翠竹社区", "community", street)
        .await;
    let in_a = register_by(&app, &admin, 1, a).await;
    let in_b = register_by(&app, &admin, 2, b).await;
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
    let admin = app.district_admin().await;
    let (street, a) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    let b = app
        .create_unit(&admin, "翠竹社区", "community", street)
        .await;
    let (_, elsewhere) = app
        .street_and_community(&admin, "西山街道", "幸福社区")
        .await;
    let mut expected = Vec::new();
    for (n, community) in [(1, a), (2, b), (3, a), (4, elsewhere), (5, b), (6, a)] {
        let id = register_by(&app, &admin, n, community).await;
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

async fn a_district_admin_reveals_an_id_number_and_the_lookup_is_audited(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
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
    let (admin, community) = district_with_community(&app).await;
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

async fn import_reports_bad_rows_and_skips_people_already_registered(app: TestApp) {
    let admin = app.district_admin().await;
    let (street, a) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    let b = app
        .create_unit(&admin, "翠竹社区", "community", street)
        .await;
    let (_, station) = app.staff(&admin, "station-a", "unit_admin", a).await;
    let csv = format!(
        "name,id_number,phone,community_id,skills\n\
         林小雨,{standard},{p1},{a},急救;助老\n\
         王建国,{id2},{p2},{a},\n\
         错号码,110105194912310021,{p3},{a},\n\
         错手机,{id4},12345,{a},\n\
         无社区,{id5},{p5},999999,\n\
         他社区,{id6},{p6},{b},\n\
         重手机,{id7},{p1},{a},\n",
        standard = STANDARD_ID,
        p1 = phone(1),
        id2 = id_number(2),
        p2 = phone(2),
        p3 = phone(3),
        id4 = id_number(4),
        id5 = id_number(5),
        p5 = phone(5),
        id6 = id_number(6),
        p6 = phone(6),
        id7 = id_number(7),
    );
    let (status, report) = import(&app, &station, &csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 2);
    assert_eq!(report["already_registered"], 0);
    let bad_rows = [
        (4, "invalid_id_number".to_owned()),
        (5, "invalid_phone".to_owned()),
        (6, "invalid_community".to_owned()),
        (7, "out_of_scope".to_owned()),
        (8, "duplicate_phone".to_owned()),
    ];
    assert_eq!(row_errors(&report), bad_rows);
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["message"].is_string())
    );
    assert_hides_id_number(&report);

    let listed = volunteers_of(&app, &station, a).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["name"], "林小雨");
    assert_eq!(listed[0]["id_number_masked"], "1101**********002X");
    assert_eq!(listed[0]["skills"], json!(["急救", "助老"]));
    assert_eq!(listed[1]["name"], "王建国");
    assert!(listed.iter().all(|v| v["registered_via"] == "import"));
    assert!(volunteers_of(&app, &admin, b).await.is_empty());

    let (status, again) = import(&app, &station, &csv).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["imported"], 0);
    assert_eq!(again["already_registered"], 2);
    assert_eq!(row_errors(&again), bad_rows);
    assert_eq!(volunteers_of(&app, &station, a).await.len(), 2);
}

async fn import_reads_chinese_headers(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
    let csv = format!(
        "\u{feff}姓名,身份证号,手机号,社区编号\r\n林小雨,{STANDARD_ID},{},{community}\r\n王建国,{},{},{community}\r\n",
        phone(1),
        id_number(2),
        phone(2),
    );
    let (status, report) = import(&app, &admin, &csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (
            report["imported"].as_u64(),
            report["already_registered"].as_u64()
        ),
        (Some(2), Some(0))
    );
    assert!(row_errors(&report).is_empty(), "{report}");
    let names: Vec<_> = volunteers_of(&app, &admin, community)
        .await
        .iter()
        .map(|v| v["name"].clone())
        .collect();
    assert_eq!(names, [json!("林小雨"), json!("王建国")]);
}

async fn import_without_an_id_number_column_is_refused(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
    let csv = format!("name,phone,community_id\n林小雨,{},{community}\n", phone(1));
    let (status, body) = import(&app, &admin, &csv).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_csv"))
    );
    assert!(
        body["message"].as_str().unwrap().contains("id_number"),
        "{body}"
    );
    assert!(volunteers_of(&app, &admin, community).await.is_empty());
}

async fn only_unit_admins_import_volunteers(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
    let (_, organizer) = app.staff(&admin, "organizer", "organizer", community).await;
    register(&app, applicant("林小雨", STANDARD_ID, &phone(1), community)).await;
    let volunteer = app.login(&phone(1), PASSWORD).await;
    let csv = format!(
        "name,id_number,phone,community_id\n王建国,{},{},{community}\n",
        id_number(2),
        phone(2)
    );
    for token in [&organizer, &volunteer] {
        let (status, body) = import(&app, token, &csv).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
    }
    assert_eq!(volunteers_of(&app, &admin, community).await.len(), 1);
}

async fn staff_register_only_in_communities_they_administer(app: TestApp) {
    let (admin, community) = district_with_community(&app).await;
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
    let (admin, community) = district_with_community(&app).await;
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
