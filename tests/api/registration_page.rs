//! Registering from the phone 实名注册 and a forgotten password reset at the community: the page
//! with its streets, communities and notice; a stranger's registration as the page makes it,
//! logged in by the cookie and back on the scan page they came from; and the reset, for an admin
//! of the volunteer's community only, which ends the volunteer's sessions and is audited.

use crate::both_backends;
use crate::support::{
    PASSWORD, Scene, TestApp, assert_error, assert_scanned, attendances, audit_entries, browser,
    console_page, csrf_token, id_number, open_activity, phone, post_form, qr_url, register,
};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

both_backends!(
    the_page_offers_each_street_with_its_communities_and_the_notice,
    the_page_goes_on_only_to_a_scan_page_or_the_volunteers_own,
    a_stranger_registers_as_the_page_does_and_the_scan_they_came_for_is_recorded,
    an_admin_of_the_community_resets_a_forgotten_password,
    nobody_else_resets_a_password,
    the_console_resets_a_password_with_the_volunteer_present,
);

/// The part of `html` from `start` to the first `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let (_, after) = html
        .split_once(start)
        .unwrap_or_else(|| panic!("{start:?} is not on the page: {html}"));
    after.split(end).next().unwrap()
}

async fn the_page_offers_each_street_with_its_communities_and_the_notice(app: TestApp) {
    let t = app.tree().await;
    let (status, html) = console_page(&app, "/register", None).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"<html lang="zh-CN">"#), "{html}");
    for (street, name) in [(t.east, "东街道"), (t.west, "西街道")] {
        let option = format!(r#"<option value="{street}">{name}</option>"#);
        assert!(html.contains(&option), "{option}: {html}");
    }
    let east = between(
        &html,
        &format!(r#"data-street="{}""#, t.east),
        "</optgroup>",
    );
    let west = between(
        &html,
        &format!(r#"data-street="{}""#, t.west),
        "</optgroup>",
    );
    let option = |id: i64, name: &str| format!(r#"<option value="{id}">{name}</option>"#);
    assert!(east.contains(&option(t.a, "幸福社区")), "{east}");
    assert!(east.contains(&option(t.b, "和平社区")), "{east}");
    assert!(!east.contains("光明社区"), "{east}");
    assert!(west.contains(&option(t.c, "光明社区")), "{west}");
    assert!(
        !html.contains("示范区"),
        "the district is no home community"
    );

    let notice = between(&html, r#"id="privacy""#, "</section>");
    for part in [
        "个人信息处理告知",
        "收集什么",
        "身份证号",
        "为什么",
        "敏感个人信息",
        "保存多久",
        "注销后",
        "谁能看到",
        "活动的负责人",
    ] {
        assert!(notice.contains(part), "{part}: {notice}");
    }
    assert!(html.contains(r#"<input type="checkbox" id="consent">"#));
    assert!(html.contains("同意按上述方式处理我的个人信息"), "{html}");

    let (status, english) = console_page(&app, "/register?lang=en", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(english.contains(r#"<html lang="en">"#), "{english}");
    assert!(
        english.contains("How your personal information is handled")
            && english.contains("Agree and register"),
        "{english}"
    );
}

async fn the_page_goes_on_only_to_a_scan_page_or_the_volunteers_own(app: TestApp) {
    let s = app.scene().await;
    let activity = open_activity(&app, &s, "static").await;
    let scan_page = qr_url(&app, &s.organizer, activity)
        .await
        .replace(&app.base, "");
    let goes_on_to = |html: &str| between(html, r#""next":""#, "\"").to_owned();

    let (_, html) = console_page(&app, &format!("/register?next={scan_page}"), None).await;
    assert_eq!(goes_on_to(&html), scan_page);
    assert!(html.contains(&format!(r#"href="{scan_page}""#)), "{html}");
    for elsewhere in ["https://evil.example/", "//evil.example", "/console", ""] {
        let (_, html) = console_page(&app, &format!("/register?next={elsewhere}"), None).await;
        assert_eq!(goes_on_to(&html), "/me", "{elsewhere}");
    }
}

/// Logs in as the page's script does; the session token the answer's cookie holds.
async fn cookie_login(app: &TestApp, login: &str, password: &str) -> String {
    let r = browser()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let (_, rest) = cookie.split_once("vledger_session=").unwrap();
    rest.split(';').next().unwrap().to_owned()
}

async fn a_stranger_registers_as_the_page_does_and_the_scan_they_came_for_is_recorded(
    app: TestApp,
) {
    let s = app.scene().await;
    let activity = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, activity).await;
    let scan_page = url.replace(&app.base, "");

    let (_, html) = console_page(&app, &format!("/register?next={scan_page}"), None).await;
    let offered = format!(r#"<option value="{}">花园社区</option>"#, s.community);
    assert!(html.contains(&offered), "{html}");
    let typed = json!({
        "name": "林小雨",
        "id_number": id_number(1),
        "phone": phone(1),
        "password": PASSWORD,
        "community_id": s.community,
        "skills": ["急救", "理发"],
        "service_categories": [],
        "consent": true,
    });
    let v = register(&app, typed).await;
    assert_eq!(v["skills"], json!(["急救", "理发"]));
    let session = cookie_login(&app, &phone(1), PASSWORD).await;

    let (status, html) = console_page(&app, &scan_page, Some(&session)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#""logged_in":true"#), "{html}");
    let r = app
        .client
        .post(format!("{}/api/v1/scans", app.base))
        .header(COOKIE, format!("vledger_session={session}"))
        .json(&json!({"url": scan_page}))
        .send()
        .await
        .unwrap();
    let answer = (r.status(), r.json::<Value>().await.unwrap());
    assert_scanned(&answer, "checked_in", true);
    let present = attendances(&app, &s.organizer, activity).await;
    assert_eq!(present.len(), 1);
    assert_eq!(present[0]["volunteer_id"], v["id"]);
}

/// `token` still opens a session.
async fn opens(app: &TestApp, token: &str) -> bool {
    app.get("/api/v1/auth/me", Some(token)).await.0 == StatusCode::OK
}

/// A password reset by `token`: `(status, answer)`.
async fn reset(app: &TestApp, token: &str, volunteer: i64, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/volunteers/{volunteer}/password_reset");
    app.post(&path, Some(token), body).await
}

/// The scene with an admin of its community, and person 1 registered there and logged in.
struct Station {
    s: Scene,
    admin_id: i64,
    admin: String,
    volunteer_id: i64,
    volunteer: String,
}

async fn station(app: &TestApp) -> Station {
    let s = app.scene().await;
    let (admin_id, admin) = app
        .staff(&s.admin, "station-admin", "unit_admin", s.community)
        .await;
    let (volunteer_id, volunteer) = app.volunteer(1, s.community).await;
    Station {
        s,
        admin_id,
        admin,
        volunteer_id,
        volunteer,
    }
}

async fn an_admin_of_the_community_resets_a_forgotten_password(app: TestApp) {
    let Station {
        s,
        admin_id: station_admin_id,
        admin: station_admin,
        volunteer_id: id,
        volunteer: phone_session,
    } = station(&app).await;
    let other_session = app.login(&phone(1), PASSWORD).await;

    let too_short = reset(&app, &station_admin, id, json!({"password": "short"})).await;
    assert_error(
        &too_short,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    );
    assert!(
        opens(&app, &phone_session).await,
        "a refused reset ends nothing"
    );

    let (status, answer) = reset(
        &app,
        &station_admin,
        id,
        json!({"password": "新的密码-2026"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"sessions_ended": 2}));
    assert!(!opens(&app, &phone_session).await && !opens(&app, &other_session).await);
    let (status, _, _) = app.try_login(&phone(1), PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password");
    let new_session = app.login(&phone(1), "新的密码-2026").await;

    let (status, answer) = reset(&app, &s.admin, id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["sessions_ended"], 1);
    assert!(!opens(&app, &new_session).await);
    let temporary = answer["temporary_password"].as_str().unwrap();
    assert_eq!(temporary.len(), 10, "{temporary}");
    app.login(&phone(1), temporary).await;

    let entries = audit_entries(&app, &s.admin, s.community, "reset_password").await;
    let by: Vec<(Value, Value)> = entries
        .iter()
        .map(|e| (e["actor_id"].clone(), e["after"].clone()))
        .collect();
    let district_admin_id = app.me(&s.admin).await["id"].clone();
    assert_eq!(
        by,
        [
            (
                district_admin_id,
                json!({"channel": "in_person", "sessions_ended": 1})
            ),
            (
                json!(station_admin_id),
                json!({"channel": "in_person", "sessions_ended": 2})
            ),
        ]
    );
    let volunteer = id.to_string();
    assert!(
        entries.iter().all(|e| e["entity_id"] == volunteer.as_str()),
        "{entries:?}"
    );
    let written = serde_json::to_string(&entries).unwrap();
    assert!(
        !written.contains(temporary) && !written.contains("新的密码"),
        "{written}"
    );
}

async fn nobody_else_resets_a_password(app: TestApp) {
    let s = app.scene().await;
    let (id, volunteer) = app.volunteer(1, s.community).await;
    let (_, elsewhere) = app
        .street_and_community(&s.admin, "西湖街道", "柳岸社区")
        .await;
    let (_, other_admin) = app
        .staff(&s.admin, "other-admin", "unit_admin", elsewhere)
        .await;
    let (_, worker) = app
        .staff(&s.admin, "worker-a", "social_worker", s.community)
        .await;

    let new = json!({"password": "taken-over-1"});
    for (who, token) in [
        ("another community's admin", &other_admin),
        ("the volunteer", &volunteer),
        ("the community's organizer", &s.organizer),
        ("the community's social worker", &worker),
    ] {
        let answer = reset(&app, token, id, new.clone()).await;
        assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
        assert!(opens(&app, &volunteer).await, "{who} ended a session");
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/volunteers/{id}/password_reset"),
            None,
            new.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let missing = reset(&app, &s.admin, id + 100, new).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
    app.login(&phone(1), PASSWORD).await;
    let entries = audit_entries(&app, &s.admin, s.community, "reset_password").await;
    assert!(entries.is_empty(), "{entries:?}");
}

async fn the_console_resets_a_password_with_the_volunteer_present(app: TestApp) {
    let Station {
        s,
        admin: station_admin,
        volunteer_id: id,
        volunteer,
        ..
    } = station(&app).await;
    let profile = format!("/console/volunteers/{id}");
    let form = format!("{profile}/password");

    let (_, html) = console_page(&app, &profile, Some(&station_admin)).await;
    assert!(
        html.contains(&format!(r#"href="{form}" id="reset-password""#)),
        "{html}"
    );
    let (_, html) = console_page(&app, &profile, Some(&s.organizer)).await;
    assert!(!html.contains("reset-password"), "{html}");
    let (status, _) = console_page(&app, &form, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, html) = console_page(&app, &form, Some(&station_admin)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("携带身份证到场"), "{html}");
    let token = csrf_token(&html);
    let (status, _) = post_form(&app, &form, &station_admin, &[("password", "x1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token");
    assert!(opens(&app, &volunteer).await);

    let typed = [("csrf_token", token.as_str()), ("password", "short")];
    let (status, html) = post_form(&app, &form, &station_admin, &typed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("密码须为 8 至 256 个字符"), "{html}");
    assert!(opens(&app, &volunteer).await);

    let made_up = [("csrf_token", token.as_str()), ("generate", "1")];
    let (status, html) = post_form(&app, &form, &station_admin, &made_up).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("密码已重置"), "{html}");
    let temporary = between(&html, r#"id="temporary-password">"#, "<");
    assert!(!opens(&app, &volunteer).await);
    app.login(&phone(1), temporary).await;

    let (_, html) = console_page(&app, &form, Some(&station_admin)).await;
    assert!(!html.contains(temporary), "shown once: {html}");
    let typed = [
        ("csrf_token", token.as_str()),
        ("password", "volunteer-typed-1"),
    ];
    let (status, html) = post_form(&app, &form, &station_admin, &typed).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(!html.contains("temporary-password"), "{html}");
    app.login(&phone(1), "volunteer-typed-1").await;
}
