//! Importing volunteers from a CSV file: a report of bad rows, people already registered skipped,
//! Chinese headers read.

use crate::both_backends;
use crate::support::{
    PASSWORD, STANDARD_ID, TestApp, applicant, assert_hides_id_number, id_number, import, phone,
    register, row_errors, volunteers_of,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    import_reports_bad_rows_and_skips_people_already_registered,
    import_reads_chinese_headers,
    import_without_an_id_number_column_is_refused,
    only_unit_admins_import_volunteers,
    import_keeps_the_date_a_volunteer_first_registered,
);

async fn import_reports_bad_rows_and_skips_people_already_registered(app: TestApp) {
    let (admin, street, a) = app.district_with_community().await;
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
    assert_eq!(listed[0]["id_number_masked"], "1101*************X");
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
    let (admin, _, community) = app.district_with_community().await;
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
    let (admin, _, community) = app.district_with_community().await;
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
    let (admin, _, community) = app.district_with_community().await;
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

/// `registered_on` keeps the date a volunteer registered in the system they come from; a date
/// that is not one, or is after today, refuses that row only.
async fn import_keeps_the_date_a_volunteer_first_registered(app: TestApp) {
    let (admin, _, a) = app.district_with_community().await;
    let csv = format!(
        "姓名,身份证号,手机号,社区编号,注册日期\n\
         老队员,{id1},{p1},{a},2019-03-05\n\
         新队员,{id2},{p2},{a},\n\
         错日期,{id3},{p3},{a},2019-02-30\n\
         未来人,{id4},{p4},{a},2999-01-01\n",
        id1 = id_number(1),
        p1 = phone(1),
        id2 = id_number(2),
        p2 = phone(2),
        id3 = id_number(3),
        p3 = phone(3),
        id4 = id_number(4),
        p4 = phone(4),
    );
    let (status, report) = import(&app, &admin, &csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(
        row_errors(&report),
        vec![
            (4, "invalid_registered_on".to_owned()),
            (5, "invalid_registered_on".to_owned())
        ]
    );
    let (status, veteran) = app
        .get(
            &format!("/api/v1/volunteers?unit_id={a}&q={}", phone(1)),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{veteran}");
    let registered_at = veteran["volunteers"][0]["registered_at"]
        .as_str()
        .unwrap()
        .to_owned();
    // Midnight of 5 March 2019 in China.
    assert!(
        registered_at.starts_with("2019-03-04T16:00:00"),
        "{registered_at}"
    );
    // It counts among 2019's registered volunteers.
    let (_, rows) = app
        .get(
            &format!("/api/v1/reports/targets?unit_id={a}&year=2019"),
            Some(&admin),
        )
        .await;
    assert_eq!(rows[0]["registered"], 1, "{rows}");
}
