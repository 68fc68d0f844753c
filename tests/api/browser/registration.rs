//! A stranger scans a poster, registers from its login form on a phone, and lands checked in.

use super::{
    Driver, assert_fits_the_screen, assert_policy_kept, choose, click, element, phone_browser,
    save_screenshot, start_driver, text_of, type_into, wait_for_text,
};
use crate::both_backends;
use crate::support::{PASSWORD, TestApp, attendances, id_number, open_activity, phone, qr_url};
use fantoccini::{Client, Locator};

/// The form refusing a wrong check digit, left in the temporary folder for a person to look at.
const SCREENSHOT: &str = "vledger-register.png";

/// Counts, from now on, the requests the page's script sends.
const COUNT_REQUESTS: &str = "window.sent = 0; const send = window.fetch; \
    window.fetch = (...request) => { window.sent += 1; return send(...request); };";

async fn requests_sent(browser: &Client) -> u64 {
    let sent = browser.execute("return window.sent", vec![]).await.unwrap();
    sent.as_u64().unwrap()
}

/// Person 1's ID number with another last character: its check digit no longer matches.
fn with_wrong_check_digit(id: &str) -> String {
    let last = if id.ends_with('0') { '1' } else { '0' };
    format!("{}{last}", &id[..17])
}

async fn stranger_registers_from_a_poster(app: &TestApp, driver: &Driver, browser: &Client) {
    let s = app.scene().await;
    let activity = open_activity(app, &s, "static").await;
    let poster = qr_url(app, &s.organizer, activity).await;

    browser.goto(&poster).await.unwrap();
    wait_for_text(browser, "login-title", |t| t == "请先登录").await;
    assert_eq!(
        text_of(browser, "register-link").await,
        "还没有注册？实名注册"
    );
    click(browser, "#register-link").await;
    browser
        .wait()
        .for_element(Locator::Id("register-form"))
        .await
        .unwrap();
    assert_eq!(
        text_of(browser, "privacy").await.lines().next(),
        Some("个人信息处理告知")
    );
    assert_fits_the_screen(browser).await;

    browser.execute(COUNT_REQUESTS, vec![]).await.unwrap();
    type_into(browser, "#name", "林小雨").await;
    type_into(
        browser,
        "#id_number",
        &with_wrong_check_digit(&id_number(1)),
    )
    .await;
    type_into(browser, "#phone", &phone(1)).await;
    type_into(browser, "#password", PASSWORD).await;
    choose(browser, "#street", &s.street.to_string()).await;
    choose(browser, "#community_id", &s.community.to_string()).await;
    type_into(browser, "#skills", "急救、理发").await;
    click(browser, "#consent").await;
    click(browser, "#register-button").await;
    let said = wait_for_text(browser, "id_number-error", |t| !t.is_empty()).await;
    assert_eq!(said, "身份证号最后一位（校验位）不对，请对照身份证核对");
    assert_eq!(requests_sent(browser).await, 0, "nothing is sent");
    assert_fits_the_screen(browser).await;
    save_screenshot(browser, SCREENSHOT).await;

    element(browser, "#id_number").await.clear().await.unwrap();
    type_into(browser, "#id_number", &id_number(1)).await;
    click(browser, "#register-button").await;
    let shown = wait_for_text(browser, "result", |t| t.starts_with("签到成功")).await;
    assert!(shown.ends_with("敬老院义务理发"), "{shown}");
    assert_eq!(browser.current_url().await.unwrap().as_str(), poster);
    let present = attendances(app, &s.organizer, activity).await;
    assert_eq!(present.len(), 1);
    assert_eq!(present[0]["name"], "林小雨");
    assert_eq!(present[0]["state"], "checked_in");
    assert_fits_the_screen(browser).await;
    assert_policy_kept(driver, browser).await;
}

both_backends!(a_stranger_registers_from_a_poster_and_lands_checked_in);

async fn a_stranger_registers_from_a_poster_and_lands_checked_in(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    stranger_registers_from_a_poster(&app, &driver, &browser).await;
    browser.close().await.unwrap();
}
