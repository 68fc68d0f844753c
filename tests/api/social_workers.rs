//! Social workers lead volunteers 社工引领志愿者: an admin records a staff account's social-work
//! qualification and the targets report counts it; a volunteer is assigned a social worker of
//! their community or above; a social worker lists their volunteers with this year's hours, the
//! last service, backbone status and who has gone quiet — in the API and in the console.

use crate::both_backends;
use crate::console_units::{post_from, row};
use crate::support::{
    TestApp, assert_error, audit_entries, confirm, console_page, hours, post_form,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_qualified_social_worker_counts_in_the_targets_report,
    a_volunteer_is_led_by_a_social_worker_of_their_community_or_above,
    a_social_worker_sees_their_volunteers_and_who_has_gone_quiet,
    the_console_records_qualifications_assigns_and_lists_my_volunteers,
);

/// The targets report's row for `unit`, as `token` sees it.
async fn target_row(app: &TestApp, token: &str, unit: i64) -> Value {
    let (status, rows) = app
        .get(
            &format!("/api/v1/reports/targets?unit_id={unit}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == unit)
        .cloned()
        .unwrap()
}

/// Sets the qualification of the account `user` as `token`.
async fn qualify(app: &TestApp, token: &str, user: i64, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/users/{user}/qualification");
    app.put(&path, Some(token), body).await
}

/// Assigns the volunteer to `social_worker` (`null`: to none) as `token`.
async fn assign(
    app: &TestApp,
    token: &str,
    volunteer: i64,
    social_worker: Value,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/volunteers/{volunteer}/social_worker");
    app.put(
        &path,
        Some(token),
        json!({"social_worker_id": social_worker}),
    )
    .await
}

/// The volunteers the social worker `who` leads as `token` sees them, with `filter` as query.
async fn led(app: &TestApp, token: &str, who: &str, filter: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/social_workers/{who}/volunteers{filter}");
    app.get(&path, Some(token)).await
}

/// The volunteer numbers of a list.
fn numbers(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["volunteer_no"].as_str().unwrap())
        .collect()
}

async fn a_qualified_social_worker_counts_in_the_targets_report(app: TestApp) {
    let s = app.scene().await;
    let (worker, _) = app
        .staff(&s.admin, "sw-li", "social_worker", s.community)
        .await;
    let before = target_row(&app, &s.admin, s.community).await;
    assert_eq!(
        (
            &before["professional_social_workers"],
            &before["qualified_staff"]
        ),
        (&json!(0), &json!(0)),
        "{before}"
    );

    let body = json!({"level": "intermediate", "certificate_no": " Z2024-0031 "});
    let (status, account) = qualify(&app, &s.admin, worker, body).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["login"], "sw-li");
    assert_eq!(
        account["qualification"],
        json!({"level": "intermediate", "certificate_no": "Z2024-0031"})
    );
    let after = target_row(&app, &s.admin, s.community).await;
    assert_eq!(after["professional_social_workers"], 1, "{after}");
    assert_eq!(after["qualified_staff"], 1, "{after}");
    assert_eq!(
        after["staff"], 2,
        "the organizer and the social worker: {after}"
    );
    let street = target_row(&app, &s.admin, s.street).await;
    assert_eq!(street["professional_social_workers"], 1, "{street}");

    // A qualified organizer is qualified staff, not a professional social worker.
    let body = json!({"level": "assistant", "certificate_no": "A-77"});
    assert_eq!(
        qualify(&app, &s.admin, s.organizer_id, body).await.0,
        StatusCode::OK
    );
    let after = target_row(&app, &s.admin, s.community).await;
    assert_eq!(
        (
            &after["professional_social_workers"],
            &after["qualified_staff"]
        ),
        (&json!(1), &json!(2)),
        "{after}"
    );

    for refused in [
        json!({"level": "expert", "certificate_no": "X-1"}),
        json!({"level": "senior"}),
        json!({"level": "senior", "certificate_no": "   "}),
        json!({"level": "senior", "certificate_no": "9".repeat(51)}),
    ] {
        let answer = qualify(&app, &s.admin, worker, refused.clone()).await;
        assert_error(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_qualification",
        );
    }
    // Out of scope: an organizer, and the admin of another street.
    let (_, other_street) = app
        .street_and_community(&s.admin, "西街道", "光明社区")
        .await;
    let (_, other_admin) = app
        .staff(&s.admin, "admin-west", "unit_admin", other_street)
        .await;
    let body = json!({"level": "senior", "certificate_no": "S-1"});
    let answer = qualify(&app, &other_admin, worker, body.clone()).await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = qualify(&app, &s.organizer, worker, body.clone()).await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = qualify(&app, &s.admin, 999_999, body).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    let unchanged = target_row(&app, &s.admin, s.community).await;
    assert_eq!(unchanged["professional_social_workers"], 1);

    let cleared = json!({"level": null, "certificate_no": null});
    let (status, account) = qualify(&app, &s.admin, worker, cleared).await;
    assert_eq!(
        (status, &account["qualification"]),
        (StatusCode::OK, &Value::Null)
    );
    let after = target_row(&app, &s.admin, s.community).await;
    assert_eq!(after["professional_social_workers"], 0, "{after}");

    let audited = audit_entries(&app, &s.admin, s.community, "qualification").await;
    assert_eq!(audited.len(), 3, "{audited:?}");
    let cleared = audited
        .iter()
        .find(|e| e["after"]["qualification_level"].is_null())
        .unwrap();
    assert_eq!(cleared["entity_id"], worker.to_string());
    assert_eq!(
        cleared["before"],
        json!({"qualification_level": "intermediate", "qualification_no": "Z2024-0031"})
    );
}

async fn a_volunteer_is_led_by_a_social_worker_of_their_community_or_above(app: TestApp) {
    let t = app.tree().await;
    let (worker_a, worker_a_token) = app.staff(&t.admin, "sw-a", "social_worker", t.a).await;
    let (worker_east, _) = app
        .staff(&t.admin, "sw-east", "social_worker", t.east)
        .await;
    let (worker_c, worker_c_token) = app.staff(&t.admin, "sw-c", "social_worker", t.c).await;
    let (organizer, organizer_token) = app.staff(&t.admin, "org-a", "organizer", t.a).await;
    let (_, east_admin) = app
        .staff(&t.admin, "admin-east", "unit_admin", t.east)
        .await;
    let (volunteer, volunteer_token) = app.quick_volunteer(&t.admin, 1, t.a).await;

    let (status, none) = app
        .get(
            "/api/v1/volunteers/me/social_worker",
            Some(&volunteer_token),
        )
        .await;
    assert_eq!(
        (status, &none["social_worker_id"]),
        (StatusCode::OK, &Value::Null)
    );

    // The street's social worker leads a volunteer of one of its communities.
    let (status, assigned) = assign(&app, &worker_a_token, volunteer, json!(worker_east)).await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["social_worker_id"], worker_east);
    assert_eq!(assigned["social_worker_name"], "sw-east");
    assert_eq!(assigned["assigned_by"], worker_a);
    let (_, seen) = app
        .get(
            "/api/v1/volunteers/me/social_worker",
            Some(&volunteer_token),
        )
        .await;
    assert_eq!(seen["social_worker_name"], "sw-east", "{seen}");

    // A social worker of another community may not choose, nor be chosen.
    let answer = assign(&app, &worker_c_token, volunteer, json!(worker_c)).await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = assign(&app, &organizer_token, volunteer, json!(worker_a)).await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    for not_there in [worker_c, organizer, 999_999] {
        let answer = assign(&app, &worker_a_token, volunteer, json!(not_there)).await;
        assert_error(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_social_worker",
        );
    }
    let answer = assign(&app, &east_admin, 999_999, json!(worker_a)).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    let (_, still) = app
        .get(
            &format!("/api/v1/volunteers/{volunteer}/social_worker"),
            Some(&east_admin),
        )
        .await;
    assert_eq!(still["social_worker_id"], worker_east, "{still}");

    let (status, assigned) = assign(&app, &east_admin, volunteer, json!(worker_a)).await;
    assert_eq!(
        (status, &assigned["social_worker_id"]),
        (StatusCode::OK, &json!(worker_a))
    );
    let (status, unassigned) = assign(&app, &east_admin, volunteer, Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{unassigned}");
    assert_eq!(unassigned["social_worker_id"], Value::Null);
    assert_eq!(unassigned["volunteer_id"], volunteer);

    let audited = audit_entries(&app, &t.admin, t.a, "assign_social_worker").await;
    assert_eq!(audited.len(), 3, "{audited:?}");
    let last = audited
        .iter()
        .find(|e| e["after"]["social_worker_id"].is_null())
        .unwrap();
    assert_eq!(last["before"], json!({"social_worker_id": worker_a}));
    assert_eq!(last["entity_id"], volunteer.to_string());
}

async fn a_social_worker_sees_their_volunteers_and_who_has_gone_quiet(app: TestApp) {
    let (s, activity, (served, served_token), attendance) = app.served_volunteer().await;
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({"confirm": [attendance]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let served_on = hours(&app, &served_token, "me").await["entries"][0]["service_date"].clone();
    let idle = app.registered_by(&s.admin, 2, s.community).await;
    let (worker, worker_token) = app
        .staff(&s.admin, "sw-li", "social_worker", s.community)
        .await;
    let (_, other_worker) = app
        .staff(&s.admin, "sw-wang", "social_worker", s.community)
        .await;
    for v in [served, idle] {
        assert_eq!(
            assign(&app, &worker_token, v, json!(worker)).await.0,
            StatusCode::OK
        );
    }
    // A social worker's designation.
    let (status, body) = app
        .post(
            "/api/v1/backbone/designations",
            Some(&worker_token),
            json!({"volunteer_id": idle, "designated": true, "reason": "长期组织楼栋服务"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, list) = led(&app, &worker_token, "me", "").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let row = |id: i64| list.iter().find(|r| r["volunteer_id"] == id).unwrap();
    let active = row(served);
    assert_eq!(active["name"], "志愿者1");
    assert_eq!(active["community_id"], s.community);
    assert_eq!(active["hours_this_year"], "3.00");
    assert_eq!(active["last_service"], served_on);
    assert_eq!(
        (&active["backbone"], &active["quiet"]),
        (&json!(false), &json!(false))
    );
    let quiet = row(idle);
    assert_eq!(quiet["hours_this_year"], "0.00");
    assert_eq!(quiet["last_service"], Value::Null);
    assert_eq!(
        (&quiet["backbone"], &quiet["quiet"]),
        (&json!(true), &json!(true))
    );

    let (_, only_quiet) = led(&app, &worker_token, "me", "?quiet=true").await;
    assert_eq!(
        numbers(&only_quiet),
        [quiet["volunteer_no"].as_str().unwrap()]
    );
    let (_, not_quiet) = led(&app, &worker_token, "me", "?quiet=false").await;
    assert_eq!(
        numbers(&not_quiet),
        [active["volunteer_no"].as_str().unwrap()]
    );
    let answer = led(&app, &worker_token, "me", "?quiet=maybe").await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_query");

    // Admins over the social worker see the list; other staff do not.
    let (status, by_admin) = led(&app, &s.admin, &worker.to_string(), "").await;
    assert_eq!(
        (status, by_admin.as_array().unwrap().len()),
        (StatusCode::OK, 2)
    );
    let who = worker.to_string();
    assert_error(
        &led(&app, &other_worker, &who, "").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &led(&app, &s.organizer, &who, "").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &led(&app, &s.admin, "999999", "").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &led(&app, &s.admin, "nobody", "").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (status, own) = led(&app, &other_worker, "me", "").await;
    assert_eq!((status, own), (StatusCode::OK, json!([])));
}

async fn the_console_records_qualifications_assigns_and_lists_my_volunteers(app: TestApp) {
    let s = app.scene().await;
    let (worker, worker_session) = app
        .staff(&s.admin, "sw-li", "social_worker", s.community)
        .await;
    let volunteer = app.registered_by(&s.admin, 1, s.community).await;

    // The staff list shows the qualification and a form to set it.
    let (status, html) = console_page(&app, "/console/staff?q=sw-li", Some(&s.admin)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let cell = row(&html, &format!("account-{worker}"));
    assert!(
        cell.contains(&format!(
            r#"action="/console/staff/{worker}/qualification""#
        )) && cell.contains(r#"name="csrf_token""#),
        "{cell}"
    );
    let path = format!("/console/staff/{worker}/qualification");
    let form = [
        ("level", "senior"),
        ("certificate_no", "G-2025-8"),
        ("q", "sw-li"),
        ("page", "1"),
    ];
    let (status, _) = post_from(&app, &s.admin, "/console/staff", &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = console_page(&app, "/console/staff?q=sw-li", Some(&s.admin)).await;
    let cell = row(&html, &format!("account-{worker}"));
    assert!(cell.contains("高级社会工作师 · G-2025-8"), "{cell}");
    let refused = [
        ("level", "senior"),
        ("certificate_no", ""),
        ("q", ""),
        ("page", "1"),
    ];
    let (status, html) = post_from(&app, &s.admin, "/console/staff", &path, &refused).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未作任何更改"), "{html}");
    let (status, _) = post_form(&app, &path, &s.admin, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no change");
    let row_now = target_row(&app, &s.admin, s.community).await;
    assert_eq!(row_now["professional_social_workers"], 1);

    // The volunteer's page shows their social worker and a form to choose one.
    let page = format!("/console/volunteers/{volunteer}");
    let (status, html) = console_page(&app, &page, Some(&worker_session)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("未指派"), "{html}");
    let (_, form_html) = html.split_once(r#"id="assign-social-worker""#).unwrap();
    assert!(form_html.contains(r#"name="csrf_token""#), "{form_html}");
    assert!(
        form_html.contains(&format!(r#"<option value="{worker}">sw-li（sw-li）"#)),
        "{form_html}"
    );
    let chosen = worker.to_string();
    let assign_path = format!("{page}/social-worker");
    let form = [("social_worker_id", chosen.as_str())];
    let (status, _) = post_from(&app, &worker_session, &page, &assign_path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = console_page(&app, &page, Some(&worker_session)).await;
    let (_, shown) = html.split_once(r#"id="social-worker""#).unwrap();
    assert!(shown.starts_with(">sw-li<"), "{shown}");
    let form = [("social_worker_id", "999999")];
    let (status, html) = post_from(&app, &worker_session, &page, &assign_path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未作任何更改"), "{html}");

    // My volunteers: in the social worker's menu, quiet ones marked, and filtered.
    let (status, html) = console_page(&app, "/console/my-volunteers", Some(&worker_session)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains(r#"href="/console/my-volunteers">我的志愿者"#),
        "{html}"
    );
    let listed = row(&html, &format!("volunteer-{volunteer}"));
    assert!(
        listed.contains(r#"class="quiet""#)
            && listed.contains("沉寂")
            && listed.contains("志愿者1"),
        "{listed}"
    );
    assert!(
        listed.contains("从未服务") && listed.contains("0.00"),
        "{listed}"
    );
    let (_, html) = console_page(
        &app,
        "/console/my-volunteers?quiet=1",
        Some(&worker_session),
    )
    .await;
    assert!(
        html.contains(&format!("volunteer-{volunteer}")) && html.contains("checked"),
        "{html}"
    );
    let (_, html) = console_page(
        &app,
        "/console/my-volunteers?lang=en",
        Some(&worker_session),
    )
    .await;
    assert!(
        html.contains("My volunteers") && html.contains("Quiet"),
        "{html}"
    );
    let (status, _) = console_page(&app, "/console/my-volunteers", Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = console_page(&app, "/console", Some(&s.organizer)).await;
    assert!(!html.contains("/console/my-volunteers"), "{html}");
}
