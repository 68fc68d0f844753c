//! The volunteers of the caller's units in the console: found by number, name or phone, a page
//! at a time, downloaded as a spreadsheet-safe CSV file, each profile with its ID number masked
//! (shown in full only to a district admin who confirms, and audited), and a volunteer
//! registered on their behalf only with their consent.

use crate::both_backends;
use crate::support::{
    STANDARD_ID, TestApp, applicant, audit_entries, console_page, csrf_token, id_number, phone,
    post_form, volunteers_of,
};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::Value;

both_backends!(
    staff_find_a_volunteer_by_number_name_or_phone_only_in_their_units,
    a_long_list_has_a_second_page,
    the_csv_download_has_a_bom_and_neutralises_formulas,
    a_profile_shows_the_id_number_masked,
    only_a_district_admin_sees_a_full_id_number_after_confirming_and_it_is_audited,
    registering_on_behalf_needs_consent_and_stores_nothing_when_refused,
);

/// `name` with `id` and person `n`'s phone, registered by `staff` in `community` (no password):
/// the answer.
async fn registered(
    app: &TestApp,
    staff: &str,
    (name, id): (&str, &str),
    n: u32,
    community: i64,
) -> Value {
    let mut body = applicant(name, id, &phone(n), community);
    body.as_object_mut().unwrap().remove("password");
    let (status, registered) = app.post("/api/v1/volunteers", Some(staff), body).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    registered
}

/// Person `n` named `name`, registered by `staff` in `community`.
async fn named(app: &TestApp, staff: &str, n: u32, name: &str, community: i64) -> Value {
    registered(app, staff, (name, &id_number(n)), n, community).await
}

/// The CSV file of the list for `query` as `session` downloads it: its type and bytes.
async fn download(app: &TestApp, session: &str, query: &str) -> (String, Vec<u8>) {
    let r = app
        .client
        .get(format!("{}/console/volunteers.csv?{query}", app.base))
        .header(COOKIE, format!("vledger_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let kind = r.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    (kind, r.bytes().await.unwrap().to_vec())
}

fn no(v: &Value) -> &str {
    v["volunteer_no"].as_str().unwrap()
}

/// The list's page for `query` as `session` sees it: (status, page).
async fn listed(app: &TestApp, session: &str, query: &str) -> (StatusCode, String) {
    console_page(app, &format!("/console/volunteers?{query}"), Some(session)).await
}

async fn staff_find_a_volunteer_by_number_name_or_phone_only_in_their_units(app: TestApp) {
    let s = app.scene().await;
    let wang_fang = named(&app, &s.admin, 1, "王芳", s.community).await;
    let wang_jianguo = named(&app, &s.admin, 2, "王建国", s.community).await;
    let li_si = named(&app, &s.admin, 3, "李四", s.community).await;
    let (_, worker) = app
        .staff(&s.admin, "worker-a", "social_worker", s.community)
        .await;

    let (status, html) = listed(&app, &worker, "").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for v in [&wang_fang, &wang_jianguo, &li_si] {
        assert!(html.contains(no(v)), "{html}");
    }
    assert!(
        html.contains("花园社区") && html.contains("139****0001"),
        "{html}"
    );
    assert!(
        !html.contains(&phone(1)),
        "a list never shows a full phone number"
    );

    let finds = |html: &str, found: &[&Value]| {
        for v in [&wang_fang, &wang_jianguo, &li_si] {
            let name = v["name"].as_str().unwrap();
            assert_eq!(html.contains(no(v)), found.contains(&v), "{name}: {html}");
        }
    };
    let search = |q: &str| format!("q={}", urlencode(q));
    finds(
        &listed(&app, &worker, &search("王")).await.1,
        &[&wang_fang, &wang_jianguo],
    );
    finds(
        &listed(&app, &worker, &search("王建")).await.1,
        &[&wang_jianguo],
    );
    finds(&listed(&app, &worker, &search("建国")).await.1, &[]);
    finds(
        &listed(&app, &worker, &search(&phone(3))).await.1,
        &[&li_si],
    );
    finds(
        &listed(&app, &worker, &search("139-0000-0003")).await.1,
        &[&li_si],
    );
    finds(
        &listed(&app, &worker, &search(no(&wang_fang))).await.1,
        &[&wang_fang],
    );
    let without_check_digit = &no(&wang_jianguo)[..9];
    finds(
        &listed(&app, &worker, &search(without_check_digit)).await.1,
        &[&wang_jianguo],
    );
    finds(
        &listed(&app, &worker, &search(&without_check_digit[1..]))
            .await
            .1,
        &[&wang_jianguo],
    );
    finds(&listed(&app, &worker, &search("V")).await.1, &[]);
    let (_, html) = listed(&app, &worker, &format!("unit_id={}&q=", s.community)).await;
    finds(&html, &[&wang_fang, &wang_jianguo, &li_si]);

    // Staff of another community see none of them, and none of their profiles.
    let (_, west) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app.staff(&s.admin, "worker-b", "social_worker", west).await;
    let (status, html) = listed(&app, &other, "").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    finds(&html, &[]);
    assert!(html.contains(r#"id="no-volunteers""#), "{html}");
    finds(&listed(&app, &other, &search("王")).await.1, &[]);
    let (status, _) = listed(&app, &other, &format!("unit_id={}", s.community)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let profile = format!("/console/volunteers/{}", li_si["id"]);
    let (status, html) = console_page(&app, &profile, Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("李四"), "{html}");
    let (status, html) = console_page(&app, &profile, Some(&worker)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("李四"), "{html}");

    // In English on asking; logged out, the login form.
    let (_, html) = listed(&app, &worker, "lang=en").await;
    assert!(html.contains("Volunteer number"), "{html}");
    let (status, html) = console_page(&app, "/console/volunteers", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains(r#"name="password""#));
}

fn urlencode(q: &str) -> String {
    serde_urlencoded::to_string([("", q)]).unwrap()[1..].to_owned()
}

async fn a_long_list_has_a_second_page(app: TestApp) {
    let s = app.scene().await;
    for n in 1..=53 {
        app.registered_by(&s.admin, n, s.community).await;
    }
    let (status, first) = listed(&app, &s.admin, "").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let rows = |html: &str| {
        html.matches("<tr><td><a href=\"/console/volunteers/")
            .count()
    };
    assert_eq!(rows(&first), 50);
    assert!(first.contains(r#"rel="next""#), "{first}");
    assert!(first.contains("139****0050") && !first.contains("139****0051"));
    let (status, second) = listed(&app, &s.admin, "q=&page=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&second), 3);
    assert!(second.contains("139****0053") && !second.contains("139****0001"));
    assert!(second.contains(r#"rel="prev""#) && !second.contains(r#"rel="next""#));
    // A unit chosen stays chosen from page to page.
    let (_, first) = listed(&app, &s.admin, &format!("unit_id={}", s.street)).await;
    let next = format!("page=2&#38;unit_id={}", s.street);
    assert!(first.contains(&next), "{first}");
}

async fn the_csv_download_has_a_bom_and_neutralises_formulas(app: TestApp) {
    let s = app.scene().await;
    named(&app, &s.admin, 1, "=HYPERLINK(\"x\")", s.community).await;
    registered(&app, &s.admin, ("林小雨", STANDARD_ID), 2, s.community).await;

    let (kind, bytes) = download(&app, &s.admin, "q=").await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark first"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("志愿者编号,姓名,所属社区,手机号"),
        "{text}"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(text.contains(r#""'=HYPERLINK(""x"")""#), "{text}");
    assert!(
        text.contains("林小雨") && text.contains("139****0002"),
        "{text}"
    );
    assert!(
        !text.contains(STANDARD_ID) && !text.contains(&phone(2)),
        "{text}"
    );

    // A search narrows the file as it narrows the list.
    let (_, bytes) = download(&app, &s.admin, "q=%E6%9E%97").await;
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("林小雨"), "{text}");
}

async fn a_profile_shows_the_id_number_masked(app: TestApp) {
    let s = app.scene().await;
    let v = registered(&app, &s.admin, ("林小雨", STANDARD_ID), 1, s.community).await;
    let (_, station) = app
        .staff(&s.admin, "station-a", "unit_admin", s.community)
        .await;
    let (status, html) = console_page(
        &app,
        &format!("/console/volunteers/{}", v["id"]),
        Some(&station),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for shown in [
        "林小雨",
        no(&v),
        "1101*************X",
        "女",
        "1949",
        "花园社区",
        "139****0001",
        "急救",
        "扶老助残",
        "工作人员代为注册",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    assert!(
        !html.contains(STANDARD_ID) && !html.contains("0519491231"),
        "{html}"
    );
    assert!(
        !html.contains("1949-12-31"),
        "only a district admin sees the birth date"
    );
    assert!(!html.contains(r#"id="reveal""#), "{html}");
}

async fn only_a_district_admin_sees_a_full_id_number_after_confirming_and_it_is_audited(
    app: TestApp,
) {
    let s = app.scene().await;
    let v = registered(&app, &s.admin, ("林小雨", STANDARD_ID), 1, s.community).await;
    let profile = format!("/console/volunteers/{}", v["id"]);
    let reveal = format!("{profile}/id-number");
    let reveals = || audit_entries(&app, &s.admin, s.community, "reveal_id_number");

    let (_, station) = app
        .staff(&s.admin, "station-a", "unit_admin", s.community)
        .await;
    let (_, html) = console_page(&app, &profile, Some(&station)).await;
    let token = csrf_token(&html);
    let (status, _) = console_page(&app, &reveal, Some(&station)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = post_form(&app, &reveal, &station, &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains(STANDARD_ID));
    assert!(reveals().await.is_empty());

    let (status, html) = console_page(&app, &profile, Some(&s.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!(r#"href="{reveal}""#)), "{html}");
    assert!(
        html.contains("1949-12-31"),
        "a district admin sees the birth date"
    );
    let (status, html) = console_page(&app, &reveal, Some(&s.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("记入操作日志"), "{html}");
    assert!(!html.contains(STANDARD_ID), "not before confirming: {html}");
    assert!(reveals().await.is_empty(), "asking is not seeing");
    let token = csrf_token(&html);
    let (status, html) = post_form(&app, &reveal, &s.admin, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains(STANDARD_ID));
    let (status, html) = post_form(&app, &reveal, &s.admin, &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(STANDARD_ID), "{html}");
    let audited = reveals().await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert_eq!(audited[0]["entity_id"], v["id"].to_string());
}

async fn registering_on_behalf_needs_consent_and_stores_nothing_when_refused(app: TestApp) {
    let s = app.scene().await;
    let (_, station) = app
        .staff(&s.admin, "station-a", "unit_admin", s.community)
        .await;
    let (status, html) = console_page(&app, "/console/volunteers/new", Some(&station)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("花园社区") && html.contains(r#"name="consent""#),
        "{html}"
    );
    let token = csrf_token(&html);
    let community = s.community.to_string();
    let (id_1, phone_1) = (id_number(1), phone(1));
    let form = |consent: bool, id: &str| {
        let mut form = vec![
            ("csrf_token", token.clone()),
            ("name", "林小雨".to_owned()),
            ("id_number", id.to_owned()),
            ("phone", phone_1.clone()),
            ("community_id", community.clone()),
            ("skills", "急救、助老".to_owned()),
            ("service_categories", "".to_owned()),
            ("password", "".to_owned()),
        ];
        if consent {
            form.push(("consent", "1".to_owned()));
        }
        form
    };
    let post = |form: Vec<(&'static str, String)>| {
        let (app, station) = (&app, station.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, "/console/volunteers", &station, &form).await
        }
    };

    let (status, html) = post(form(false, &id_1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("须经志愿者本人同意"), "{html}");
    assert!(html.contains("林小雨"), "the form shows again as typed");
    let (status, html) = post(form(true, "110105194912310021")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("身份证号无效"), "{html}");
    assert!(volunteers_of(&app, &s.admin, s.community).await.is_empty());

    // Without the session's token: refused before anything is read.
    let mut forged = form(true, &id_1);
    forged.remove(0);
    assert_eq!(post(forged).await.0, StatusCode::FORBIDDEN);
    // Only an admin of the community registers on a volunteer's behalf.
    let (status, _) = console_page(&app, "/console/volunteers/new", Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(volunteers_of(&app, &s.admin, s.community).await.is_empty());

    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/console/volunteers", app.base))
        .header(COOKIE, format!("vledger_session={station}"))
        .form(&form(true, &id_1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()[LOCATION].to_str().unwrap().to_owned();
    let stored = volunteers_of(&app, &s.admin, s.community).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(location, format!("/console/volunteers/{}", stored[0]["id"]));
    assert_eq!(stored[0]["registered_via"], "staff");
    assert_eq!(stored[0]["skills"], serde_json::json!(["急救", "助老"]));
    let (status, html) = console_page(&app, &location, Some(&station)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("林小雨"), "{html}");

    // The same phone again: refused, still one.
    let (status, html) = post(form(true, &id_number(2))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("该手机号已被其他账号使用"), "{html}");
    assert_eq!(volunteers_of(&app, &s.admin, s.community).await.len(), 1);
}
