//! A phone logs in from a scanned code, checks in and later checks out, and sees its hours.

use super::{
    Driver, assert_fits_the_screen, assert_policy_kept, give_position, log_in, move_check_ins_back,
    phone_browser, save_screenshot, start_driver, text_of, wait_for_text,
};
use crate::both_backends;
use crate::support::{PASSWORD, TestApp, applicant, id_number, open_activity, phone, qr_url};
use chrono::{DateTime, Duration, Utc};
use fantoccini::Client;
use reqwest::StatusCode;
use serde_json::json;

/// The phone page after check-in, left in the temporary folder for a person to look at.
const SCREENSHOT: &str = "vledger-phone.png";

async fn phone_checks_in_and_out(app: &TestApp, driver: &Driver, browser: &Client) {
    let position = (30.657, 104.066);
    let s = app.scene().await;
    let id = open_activity(app, &s, "static").await;
    let title = app.stored_activity(id).await.title;
    let volunteer = applicant("林小雨", &id_number(1), &phone(1), s.community);
    let (status, body) = app.post("/api/v1/volunteers", None, volunteer).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = qr_url(app, &s.organizer, id).await;
    assert!(url.starts_with(&app.base), "{url}");

    give_position(driver, browser, &app.base, position).await;
    browser.goto(&url).await.unwrap();
    wait_for_text(browser, "login-title", |t| t == "请先登录").await;
    assert_eq!(text_of(browser, "phone-label").await, "手机号");
    assert_eq!(text_of(browser, "password-label").await, "密码");
    assert_eq!(text_of(browser, "title").await, title);
    assert_fits_the_screen(browser).await;
    assert_eq!(text_of(browser, "login-button").await, "登录并签到");
    log_in(browser, "phone", &phone(1), PASSWORD).await;

    let shown = wait_for_text(browser, "result", |t| t.starts_with("签到成功")).await;
    let (_, rows) = app
        .get(
            &format!("/api/v1/activities/{id}/attendances"),
            Some(&s.organizer),
        )
        .await;
    let at: DateTime<Utc> = serde_json::from_value(rows[0]["checked_in_at"].clone()).unwrap();
    assert_eq!(
        (rows[0]["in_lat"].as_f64(), rows[0]["in_lon"].as_f64()),
        (Some(position.0), Some(position.1))
    );
    let local = at.with_timezone(&app.state.settings.display_offset());
    assert_eq!(
        shown,
        format!("签到成功 {} · {title}", local.format("%H:%M"))
    );
    assert_fits_the_screen(browser).await;
    save_screenshot(browser, SCREENSHOT).await;

    move_check_ins_back(&app.database_url, Duration::minutes(90)).await;
    browser.goto(&url).await.unwrap();
    let shown = wait_for_text(browser, "result", |t| t.starts_with("已签退")).await;
    assert_eq!(shown, "已签退 · 1.50 小时");
    assert_eq!(text_of(browser, "detail").await, title);

    browser.goto(&format!("{url}?lang=en")).await.unwrap();
    let shown = wait_for_text(browser, "result", |t| t.starts_with("Checked out")).await;
    assert_eq!(shown, "Checked out · 1.50 h");
    assert_eq!(
        text_of(browser, "note").await,
        "Already recorded a moment ago"
    );

    let confirm = json!({"confirm_all_checked_out": true});
    let path = format!("/api/v1/activities/{id}/confirmations");
    let (status, body) = app.post(&path, Some(&s.organizer), confirm).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    browser.goto(&format!("{}/me", app.base)).await.unwrap();
    wait_for_text(browser, "year-hours", |t| t == "1.50").await;
    assert_eq!(text_of(browser, "who").await, "林小雨");
    assert_eq!(text_of(browser, "points").await, "1");
    assert_eq!(text_of(browser, "l-year").await, "本年服务时长");
    let record = text_of(browser, "records").await;
    assert!(
        record.contains(&title) && record.contains("扫码 · 已确认") && record.contains("1.50"),
        "{record}"
    );
    assert_fits_the_screen(browser).await;
    assert_policy_kept(driver, browser).await;
}

both_backends!(a_phone_logs_in_checks_in_and_later_checks_out);

async fn a_phone_logs_in_checks_in_and_later_checks_out(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    phone_checks_in_and_out(&app, &driver, &browser).await;
    browser.close().await.unwrap();
}
