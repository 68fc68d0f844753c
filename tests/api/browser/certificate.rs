//! The printable certificate carries its own style, which the service's Content-Security-Policy
//! lets through: the sheet still prints as designed. An award's winner prints its certificate
//! from their own page.

use super::{
    assert_fits_the_screen, assert_policy_kept, click, element, log_in, phone_browser,
    start_driver, text_of, wait_for_path, wait_for_text,
};
use crate::both_backends;
use crate::selection_review::finalised;
use crate::support::{PASSWORD, TestApp, issued, phone};
use serde_json::json;

both_backends!(
    the_certificate_keeps_its_style_under_the_policy,
    the_winner_prints_the_award_certificate_from_their_page,
);

async fn the_certificate_keeps_its_style_under_the_policy(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    let s = app.credited().await;
    let cert = issued(&app, &s).await;
    browser.goto(&format!("{}/me", app.base)).await.unwrap();
    wait_for_text(&browser, "login-button", |t| t == "登录").await;
    log_in(&browser, "phone", &phone(1), PASSWORD).await;
    wait_for_text(&browser, "who", |t| t == "志愿者1").await;

    let print = cert["print_url"].as_str().unwrap();
    browser.goto(print).await.unwrap();
    let style = browser
        .execute(
            "const h = getComputedStyle(document.querySelector('h1'));
             const code = document.querySelector('.qr svg').getBoundingClientRect();
             return [h.textAlign, h.fontSize, Math.round(code.width)]",
            vec![],
        )
        .await
        .unwrap();
    // 32 mm at 96 px to the inch.
    assert_eq!(style, json!(["center", "26px", 121]));

    browser
        .goto(cert["verify_url"].as_str().unwrap())
        .await
        .unwrap();
    let verdict = browser
        .execute(
            "const v = document.querySelector('.ok');
             return [v.textContent, getComputedStyle(v).color]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(verdict, json!(["✔ 证明真实有效", "rgb(19, 115, 51)"]));
    assert_policy_kept(&driver, &browser).await;
    browser.close().await.unwrap();
}

async fn the_winner_prints_the_award_certificate_from_their_page(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    let p = finalised(&app).await;
    // The winner was imported without a password: their session goes in as the login's would.
    let token = app.session_of(p.volunteers[1]).await;
    browser.goto(&format!("{}/me", app.base)).await.unwrap();
    browser
        .execute(
            "document.cookie = 'vledger_session=' + arguments[0] + '; path=/'",
            vec![json!(token)],
        )
        .await
        .unwrap();
    browser.refresh().await.unwrap();
    wait_for_text(&browser, "who", |t| t == "志愿者1").await;
    let awards = text_of(&browser, "awards-card").await;
    assert!(
        awards.starts_with("荣誉") && awards.contains("年度优秀志愿者 · 花园社区"),
        "{awards}"
    );
    assert_fits_the_screen(&browser).await;

    click(&browser, "#awards button").await;
    wait_for_path(&browser, "/certificates/VC").await;
    let heading = element(&browser, "h1").await.text().await.unwrap();
    assert_eq!(heading, "荣誉证书");
    assert_policy_kept(&driver, &browser).await;
    browser.close().await.unwrap();
}
