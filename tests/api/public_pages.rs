//! What the pages show to whom: the door screen only to staff of the activity's unit, the scan
//! page an activity's title only for a genuine code, and a stale session cookie taken as no
//! session at all.

use crate::both_backends;
use crate::support::{TestApp, open_activity, qr_url};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use serde_json::json;

both_backends!(
    the_door_screen_shows_its_activity_only_to_staff_of_its_unit,
    the_scan_page_names_the_activity_only_for_a_genuine_code,
    a_stale_session_cookie_gets_the_login_form_on_every_page
);

const TITLE: &str = "敬老院义务理发";

/// A page as a browser gets it, with the session cookie `token` if any: `(status, content type,
/// html)`.
async fn page(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.header(COOKIE, format!("vledger_session={t}"));
    }
    let res = req.header("accept", "text/html").send().await.unwrap();
    let content_type = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    (res.status(), content_type, res.text().await.unwrap())
}

/// The page answers `status` with HTML that does not name the activity.
#[track_caller]
fn assert_discreet(answer: &(StatusCode, String, String), status: StatusCode, who: &str) {
    let (got, content_type, html) = answer;
    assert_eq!(*got, status, "{who}: {html}");
    assert!(
        content_type.starts_with("text/html"),
        "{who}: {content_type}"
    );
    assert!(!html.contains(TITLE), "{who} sees the title: {html}");
}

async fn the_door_screen_shows_its_activity_only_to_staff_of_its_unit(app: TestApp) {
    let s = app.scene().await;
    let id = open_activity(&app, &s, "rotating").await;
    let door = format!("/activities/{id}/display");
    let (_, other_community) = app
        .street_and_community(&s.admin, "西湖街道", "柳岸社区")
        .await;
    let (_, elsewhere) = app
        .staff(&s.admin, "organizer-b", "organizer", other_community)
        .await;
    let (_, volunteer) = app.volunteer(1, s.community).await;

    let anyone = page(&app, &door, None).await;
    assert_discreet(&anyone, StatusCode::UNAUTHORIZED, "anyone");
    assert!(anyone.2.contains(r#"id="login-form""#), "the login form");
    let foreign = page(&app, &door, Some(&elsewhere)).await;
    assert_discreet(
        &foreign,
        StatusCode::FORBIDDEN,
        "another community's organizer",
    );
    let mine = page(&app, &door, Some(&volunteer)).await;
    assert_discreet(&mine, StatusCode::FORBIDDEN, "a volunteer of the community");
    // An activity that does not exist looks like one out of reach.
    let missing = format!("/activities/{}/display", id + 1000);
    let missing = page(&app, &missing, Some(&elsewhere)).await;
    assert_discreet(&missing, StatusCode::FORBIDDEN, "a missing activity");
    // What the screen polls is scoped the same way.
    for data in ["qr.svg", "attendances", "qr"] {
        let path = format!("/api/v1/activities/{id}/{data}");
        let (status, _, body) = app.fetch_text(&path, Some(&elsewhere), "*/*").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(!body.contains(TITLE), "{path}: {body}");
    }

    for staff in [&s.organizer, &s.admin] {
        let (status, _, html) = page(&app, &door, Some(staff)).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains(TITLE), "staff of the unit see the title");
    }
}

async fn the_scan_page_names_the_activity_only_for_a_genuine_code(app: TestApp) {
    let s = app.scene().await;
    let id = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, id).await;
    let code = url.rsplit("/s/").next().unwrap();
    let (status, content_type, html) = page(&app, &format!("/s/{code}"), None).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(content_type.starts_with("text/html"));
    assert!(html.contains(TITLE), "a genuine code names its activity");

    // The same activity's number with a signature that is not its own.
    let (number, _) = code.split_once('.').unwrap();
    let forged = page(&app, &format!("/s/{number}.AAAAAAAAAAAA"), None).await;
    assert_discreet(&forged, StatusCode::FORBIDDEN, "a forged code");
    assert!(forged.2.contains("invalid_qr"), "{}", forged.2);
    assert!(!forged.2.contains(r#"id="page-data">{"code""#));
    // A rotating code of a static activity, and text that is no code at all.
    for other in [
        format!("{number}-1.{}", &code[code.len() - 12..]),
        "hello".into(),
    ] {
        let answer = page(&app, &format!("/s/{other}"), None).await;
        assert_discreet(&answer, StatusCode::FORBIDDEN, &other);
    }
}

async fn a_stale_session_cookie_gets_the_login_form_on_every_page(app: TestApp) {
    let s = app.scene().await;
    let id = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, id).await;
    let code = url.rsplit("/s/").next().unwrap();
    let (volunteer_id, ended) = app.volunteer(1, s.community).await;
    let (status, _) = app
        .post("/api/v1/auth/logout", Some(&ended), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (expired, hash) = vledger::crypto::new_session_token();
    let past = Utc::now() - Duration::minutes(1);
    let store = &app.state.store;
    store
        .start_session(volunteer_id, &hash, past)
        .await
        .unwrap();

    for stale in [ended.as_str(), expired.as_str(), "no-such-session"] {
        let (status, content_type, html) = page(&app, &format!("/s/{code}"), Some(stale)).await;
        assert_eq!(status, StatusCode::OK, "{stale}: {html}");
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(html.contains(r#""logged_in":false"#), "{html}");
        let (status, _, html) = page(&app, "/me", Some(stale)).await;
        assert_eq!(status, StatusCode::OK, "{stale}: {html}");
        assert!(html.contains(r#"id="login-form""#));
        let door = page(&app, &format!("/activities/{id}/display"), Some(stale)).await;
        assert_discreet(&door, StatusCode::UNAUTHORIZED, stale);
    }
}
