//! The volunteer's personal code 志愿者码: the code on their own page and on their printed card,
//! which the organizer scans or types to check them in and out of the organizer's activity, by
//! the API and by the console's form.

use crate::both_backends;
use crate::support::{
    Db, Scene, TestApp, activity_body, assert_error, attendances, console_page, create_activity,
    csrf_token, decode_page_qr, decode_qr, id_of, open_activity, post_form, this_minute, with,
};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vledger::domain::{personal_code, qr};

both_backends!(
    the_code_on_the_volunteers_page_checks_them_in_then_out,
    stale_forged_and_foreign_codes_are_invalid,
    a_new_card_makes_the_old_one_invalid,
    only_the_activitys_organizers_scan_codes,
    only_the_volunteer_sees_their_phone_code,
    the_activitys_rules_apply_to_a_scanned_code,
    the_console_form_checks_in_by_code,
);

/// The code the volunteer's page shows now, as the API answers it.
async fn my_code(app: &TestApp, token: &str) -> Value {
    let (status, code) = app.get("/api/v1/volunteers/me/code", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    code
}

async fn scan_code(app: &TestApp, token: &str, activity: i64, code: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/activities/{activity}/code_scans"),
        Some(token),
        json!({"code": code}),
    )
    .await
}

/// The organizer's scan of `code` was recorded with `state`, `changed` or not: the answer.
async fn scanned(
    app: &TestApp,
    s: &Scene,
    activity: i64,
    code: &str,
    (state, changed): (&str, bool),
) -> Value {
    let (status, body) = scan_code(app, &s.organizer, activity, code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["state"].as_str(), body["changed"].as_bool()),
        (Some(state), Some(changed)),
        "{body}"
    );
    body
}

/// The code on the volunteer's card, read from the printed page as a phone would.
async fn card_code(app: &TestApp, token: &str, volunteer: i64) -> String {
    let (status, _, html) = app
        .fetch_text(
            &format!("/volunteers/{volunteer}/card"),
            Some(token),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    decode_page_qr(&html)
}

async fn the_code_on_the_volunteers_page_checks_them_in_then_out(app: TestApp) {
    let s = app.scene().await;
    let (volunteer, token) = app.volunteer(1, s.community).await;
    let id = open_activity(&app, &s, "static").await;

    let asked_at = Utc::now();
    let shown = my_code(&app, &token).await;
    let code = shown["code"].as_str().unwrap();
    assert!(code.len() <= 40, "{code}");
    assert_eq!(decode_qr(shown["svg"].as_str().unwrap(), 480), code);
    let expires_at = crate::support::time(&shown["expires_at"]);
    assert!(expires_at > asked_at && expires_at <= asked_at + Duration::seconds(61));
    let display = shown["display"].as_str().unwrap();
    assert_eq!(display.replace(' ', ""), code);

    // Typed as read out: in small letters, in groups.
    let answer = scanned(&app, &s, id, &display.to_lowercase(), ("checked_in", true)).await;
    assert_eq!(answer["volunteer_id"], volunteer);
    assert_eq!(answer["name"], "志愿者1");
    assert!(answer["volunteer_no"].is_string());
    let attendance = answer["attendance_id"].as_i64().unwrap();
    let repeat = scanned(&app, &s, id, code, ("checked_in", false)).await;
    assert_eq!(repeat["attendance_id"], attendance);

    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["volunteer_id"], volunteer);
    assert_eq!(list[0]["checked_in_by"], s.organizer_id);
    assert_eq!(list[0]["checked_out_by"], Value::Null);

    // Checked in since the start, two hours ago: the next scan checks out and credits them.
    let mut db = Db::open(&app).await;
    db.run(
        "UPDATE attendances SET
             checked_in_at = (SELECT starts_at FROM activities WHERE id = ?),
             last_scan_at = (SELECT starts_at FROM activities WHERE id = ?)
         WHERE id = ?",
        &[id, id, attendance],
    )
    .await
    .unwrap();
    let out = my_code(&app, &token).await;
    let answer = scanned(
        &app,
        &s,
        id,
        out["code"].as_str().unwrap(),
        ("checked_out", true),
    )
    .await;
    assert_eq!(answer["attendance_id"], attendance);
    assert_eq!(answer["credited_minutes"], 120);
    assert_eq!(answer["hours"], "2.00");
    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(list[0]["state"], "checked_out");
    assert_eq!(list[0]["checked_in_by"], s.organizer_id);
    assert_eq!(list[0]["checked_out_by"], s.organizer_id);
}

async fn stale_forged_and_foreign_codes_are_invalid(app: TestApp) {
    let s = app.scene().await;
    let (volunteer, token) = app.volunteer(1, s.community).await;
    let id = open_activity(&app, &s, "static").await;
    let key = &app.state.keys.personal_code;
    let step = qr::rotation_step(Utc::now());

    let stale = personal_code::phone_code(key, volunteer, step - 2);
    let current = my_code(&app, &token).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut altered = current.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let other_key = personal_code::phone_code(&[9; 32], volunteer, step);
    let unknown = personal_code::phone_code(key, 987_654, step);
    let next_card = personal_code::card_code(key, volunteer, 2);
    for code in [
        stale.as_str(),
        &altered,
        &other_key,
        &unknown,
        &next_card,
        "",
        "hello",
        "https://example.gov.cn/s/2n9c.AbCdEfGhIjKl",
        "志愿者码\u{0}",
    ] {
        assert_error(
            &scan_code(&app, &s.organizer, id, code).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_code",
        );
    }
    assert_eq!(
        attendances(&app, &s.organizer, id).await,
        Vec::<Value>::new()
    );
    scanned(&app, &s, id, &current, ("checked_in", true)).await;
}

async fn a_new_card_makes_the_old_one_invalid(app: TestApp) {
    let s = app.scene().await;
    let (volunteer, token) = app.volunteer(1, s.community).await;
    let id = open_activity(&app, &s, "static").await;

    // The community's admin prints the card from the volunteer's page in the console; the
    // volunteer sees the same one.
    let (_, station) = app
        .staff(&s.admin, "station", "unit_admin", s.community)
        .await;
    let profile = format!("/console/volunteers/{volunteer}");
    let card_link = format!(r#"href="/volunteers/{volunteer}/card""#);
    let (_, page) = console_page(&app, &profile, Some(&station)).await;
    assert!(page.contains(&card_link), "{page}");
    let (status, page) = console_page(&app, &profile, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&card_link), "{page}");
    let (status, _, card) = app
        .fetch_text(
            &format!("/volunteers/{volunteer}/card"),
            Some(&station),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        card.contains("志愿者1") && card.contains("志愿者卡"),
        "{card}"
    );
    let first = decode_page_qr(&card);
    assert!(first.starts_with('C') && first.len() <= 40, "{first}");
    assert_eq!(card_code(&app, &token, volunteer).await, first);
    let answer = scanned(&app, &s, id, &first, ("checked_in", true)).await;
    assert!(card.contains(answer["volunteer_no"].as_str().unwrap()));

    // Lost: the admin issues a new one; the old card no longer checks in.
    let (status, issued) = app
        .post(
            &format!("/api/v1/volunteers/{volunteer}/cards"),
            Some(&station),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["serial"], 2);
    assert!(
        issued["card_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/volunteers/{volunteer}/card"))
    );
    assert_error(
        &scan_code(&app, &s.organizer, id, &first).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_code",
    );
    let second = card_code(&app, &station, volunteer).await;
    assert_ne!(second, first);
    scanned(&app, &s, id, &second, ("checked_in", false)).await;

    // The volunteer may replace their own card, from its page; the second card then fails too.
    let path = format!("/volunteers/{volunteer}/card");
    let (_, page) = console_page(&app, &path, Some(&token)).await;
    let (status, _) = post_form(&app, &path, &token, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without its token");
    let (status, _) = post_form(&app, &path, &token, &[("csrf_token", &csrf_token(&page))]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = console_page(&app, &format!("{path}?reissued=true"), Some(&token)).await;
    assert!(page.contains("旧卡已失效"), "{page}");
    assert_error(
        &scan_code(&app, &s.organizer, id, &second).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_code",
    );
    let (_, entries) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", s.community),
            Some(&s.admin),
        )
        .await;
    let issued: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "issue_card")
        .collect();
    assert_eq!(issued.len(), 2, "{entries}");
    assert_eq!(issued[0]["after"]["card_serial"], 3);

    // Organizers scan codes, they do not make them; nor may another community's staff.
    let (_, other) = app
        .street_and_community(&s.admin, "西湖街道", "柳岸社区")
        .await;
    let (_, elsewhere) = app.staff(&s.admin, "elsewhere", "unit_admin", other).await;
    for staff in [&s.organizer, &elsewhere] {
        let (status, _, _) = app.fetch_text(&path, Some(staff), "text/html").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_error(
            &app.post(
                &format!("/api/v1/volunteers/{volunteer}/cards"),
                Some(staff),
                json!({}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
    }
    let (status, _, _) = app.fetch_text(&path, None, "text/html").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn only_the_activitys_organizers_scan_codes(app: TestApp) {
    let s = app.scene().await;
    let (_, token) = app.volunteer(1, s.community).await;
    let (_, neighbour) = app.volunteer(2, s.community).await;
    let id = open_activity(&app, &s, "static").await;
    let (_, other) = app
        .street_and_community(&s.admin, "西湖街道", "柳岸社区")
        .await;
    let (_, elsewhere) = app.staff(&s.admin, "organizer-b", "organizer", other).await;
    let code = my_code(&app, &token).await["code"]
        .as_str()
        .unwrap()
        .to_owned();

    for caller in [&elsewhere, &neighbour] {
        assert_error(
            &scan_code(&app, caller, id, &code).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/activities/{id}/code_scans"),
            None,
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(
        &scan_code(&app, &s.organizer, 987_654, &code).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        attendances(&app, &s.organizer, id).await,
        Vec::<Value>::new()
    );
    // The street's admin runs the community's activities too.
    scanned(&app, &s, id, &code, ("checked_in", true)).await;
    let (_, street_admin) = app.staff(&s.admin, "street", "unit_admin", s.street).await;
    let (status, body) = scan_code(&app, &street_admin, id, &code).await;
    assert_eq!(
        (status, &body["changed"]),
        (StatusCode::OK, &json!(false)),
        "{body}"
    );
}

async fn only_the_volunteer_sees_their_phone_code(app: TestApp) {
    let s = app.scene().await;
    let (volunteer, token) = app.volunteer(1, s.community).await;
    assert_error(
        &app.get("/api/v1/volunteers/me/code", Some(&s.organizer))
            .await,
        StatusCode::FORBIDDEN,
        "not_a_volunteer",
    );
    for caller in [&token, &s.admin] {
        assert_error(
            &app.get(
                &format!("/api/v1/volunteers/{volunteer}/code"),
                Some(caller),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let (status, _) = app.get("/api/v1/volunteers/me/code", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = app
        .client
        .get(format!("{}/api/v1/volunteers/me/code", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
}

async fn the_activitys_rules_apply_to_a_scanned_code(app: TestApp) {
    let s = app.scene().await;
    let (_, first) = app.volunteer(1, s.community).await;
    let (_, second) = app.volunteer(2, s.community).await;
    let code = |token: String| {
        let app = &app;
        async move {
            my_code(app, &token).await["code"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let later = s
        .activity(&app, Duration::hours(2), Duration::hours(4), "static")
        .await;
    assert_error(
        &scan_code(
            &app,
            &s.organizer,
            id_of(&later),
            &code(first.clone()).await,
        )
        .await,
        StatusCode::CONFLICT,
        "outside_window",
    );

    let now = this_minute();
    let body = activity_body(
        s.community,
        now - Duration::minutes(10),
        now + Duration::hours(2),
    );
    let full = id_of(&create_activity(&app, &s.organizer, with(body, "capacity", json!(1))).await);
    scanned(
        &app,
        &s,
        full,
        &code(first.clone()).await,
        ("checked_in", true),
    )
    .await;
    assert_error(
        &scan_code(&app, &s.organizer, full, &code(second.clone()).await).await,
        StatusCode::CONFLICT,
        "activity_full",
    );

    let cancelled = open_activity(&app, &s, "static").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/activities/{cancelled}/cancel"),
            Some(&s.organizer),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &scan_code(&app, &s.organizer, cancelled, &code(second).await).await,
        StatusCode::CONFLICT,
        "activity_cancelled",
    );
}

async fn the_console_form_checks_in_by_code(app: TestApp) {
    let s = app.scene().await;
    let (volunteer, token) = app.volunteer(1, s.community).await;
    let id = open_activity(&app, &s, "static").await;
    let path = format!("/console/activities/{id}");
    let (status, page) = console_page(&app, &path, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("扫志愿者码") && page.contains(r#"id="code-scan""#),
        "{page}"
    );
    let csrf = csrf_token(&page);
    let code = my_code(&app, &token).await["display"]
        .as_str()
        .unwrap()
        .to_owned();
    let form_path = format!("{path}/code-scans");

    let (status, _) = post_form(&app, &form_path, &s.organizer, &[("code", &code)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without its token");
    let (status, refused) = post_form(
        &app,
        &form_path,
        &s.organizer,
        &[("csrf_token", &csrf), ("code", "P1ABCDEFGHJK")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("志愿者码无效或已过期"), "{refused}");
    assert_eq!(
        attendances(&app, &s.organizer, id).await,
        Vec::<Value>::new()
    );

    let (status, _) = post_form(
        &app,
        &form_path,
        &s.organizer,
        &[("csrf_token", &csrf), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let list = attendances(&app, &s.organizer, id).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["volunteer_id"], volunteer);
    assert_eq!(list[0]["checked_in_by"], s.organizer_id);
    let attendance = list[0]["id"].as_i64().unwrap();
    let (_, page) = console_page(
        &app,
        &format!("{path}?scanned={attendance}"),
        Some(&s.organizer),
    )
    .await;
    let volunteer_no = list[0]["volunteer_no"].as_str().unwrap();
    assert!(
        page.contains(&format!("签到成功：志愿者1（{volunteer_no}）")),
        "{page}"
    );
}
