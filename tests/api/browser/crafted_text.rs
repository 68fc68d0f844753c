//! Text that looks like markup — an activity titled `<!--<script>`, or such text in the scanned
//! address — shows as text, and the pages' scripts still run: on the phone page and, once its
//! organizer has logged in on it, on the door screen.

use super::{assert_policy_kept, log_in, phone_browser, start_driver, text_of, wait_for_text};
use crate::both_backends;
use crate::support::{
    PASSWORD, TestApp, activity_body, applicant, create_activity, id_number, id_of, phone, qr_url,
    this_minute, with,
};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_title_that_looks_like_markup_shows_as_text);

/// Would end the page's data block, or open a comment that swallows what follows, were it written
/// into the page as is; U+2028 ends a line inside a string for older JavaScript.
const CRAFTED: &str = "<!--<script>\u{2028}</script>&amp; 义务理发";

async fn a_title_that_looks_like_markup_shows_as_text(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    let s = app.scene().await;
    let now = this_minute();
    let body = activity_body(
        s.community,
        now - Duration::hours(1),
        now + Duration::hours(2),
    );
    let created = create_activity(&app, &s.organizer, with(body, "title", json!(CRAFTED))).await;
    let id = id_of(&created);
    let volunteer = applicant("林小雨", &id_number(1), &phone(1), s.community);
    let (status, body) = app.post("/api/v1/volunteers", None, volunteer).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The scanned address carries more markup after the code, which the page must ignore.
    let url = qr_url(&app, &s.organizer, id).await;
    browser
        .goto(&format!("{url}%3F%3C!--%3Cscript%3E"))
        .await
        .unwrap();
    wait_for_text(&browser, "login-title", |t| t == "请先登录").await;
    let title = browser.execute("return DATA.activity_title", vec![]).await;
    assert_eq!(title.unwrap(), json!(CRAFTED));
    let shown = text_of(&browser, "title").await;
    assert!(shown.starts_with("<!--<script>") && shown.ends_with("</script>&amp; 义务理发"));
    log_in(&browser, "phone", &phone(1), PASSWORD).await;
    let result = wait_for_text(&browser, "result", |t| t.starts_with("签到成功")).await;
    assert!(result.ends_with("</script>&amp; 义务理发"), "{result}");

    // The volunteer's session is no organizer's: the door screen names nothing until one logs in.
    let door = format!("{}/activities/{id}/display", app.base);
    browser.goto(&door).await.unwrap();
    wait_for_text(&browser, "denied", |t| !t.is_empty()).await;
    let source = browser.source().await.unwrap();
    assert!(!source.contains("义务理发"), "{source}");
    log_in(&browser, "login-name", "organizer-a", PASSWORD).await;
    let shown = wait_for_text(&browser, "title", |t| t.starts_with("<!--<script>")).await;
    assert!(shown.ends_with("</script>&amp; 义务理发"), "{shown}");
    wait_for_text(&browser, "present", |t| t == "1 / 1").await;
    let code_width = browser
        .execute("return document.getElementById('qr').naturalWidth", vec![])
        .await
        .unwrap();
    assert!(code_width.as_u64().unwrap_or(0) > 0, "the code is drawn");
    // The poster, opened as a document of its own, under the same policy.
    let poster = format!("{}/api/v1/activities/{id}/poster.svg", app.base);
    browser.goto(&poster).await.unwrap();
    let root =
        "return [document.documentElement.localName, document.querySelectorAll('text').length]";
    let root = browser.execute(root, vec![]).await.unwrap();
    assert_eq!(root, json!(["svg", 10]));
    assert_policy_kept(&driver, &browser).await;
    browser.close().await.unwrap();
}
