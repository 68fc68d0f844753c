//! A volunteer on their own page, on a phone in Chinese: they issue a certificate for this year
//! so far and open it to print, redeem a reward and show the code, which the partner checks and
//! hands over; they report a wrong record and a missing one, change their phone and password,
//! and withdraw 注销.

use super::{
    assert_fits_the_screen, assert_policy_kept, click, element, phone_browser, save_screenshot,
    start_driver, text_of, type_into, volunteer_logs_in, wait_for_path, wait_for_text,
};
use crate::both_backends;
use crate::support::{
    Db, PASSWORD, Scene, TestApp, confirm, create_reward, finished_activity, give_points, today,
};
use chrono::Duration;
use fantoccini::Client;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Instant;

/// The page after a redemption, left in the temporary folder for a person to look at.
const SCREENSHOT: &str = "vledger-me.png";

both_backends!(
    a_volunteer_issues_a_certificate_and_redeems_a_reward_from_their_page,
    a_volunteer_reports_changes_their_account_and_withdraws_from_their_page,
);

/// Volunteer 1 of the scene's community, who served three hours at an activity that ended an hour
/// ago, confirmed: `(volunteer, activity)`.
async fn served(app: &TestApp, s: &Scene) -> (i64, i64) {
    let (activity, start) = finished_activity(app, s).await;
    let (volunteer, _) = app.volunteer(1, s.community).await;
    let attendance = app
        .served(activity, volunteer, start, Some(start + Duration::hours(3)))
        .await;
    let (status, body) = confirm(
        app,
        &s.organizer,
        activity,
        json!({"confirm": [attendance]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (volunteer, activity)
}

/// The value of the field `css` picks.
async fn value_of(browser: &Client, css: &str) -> String {
    let value = element(browser, css).await.prop("value").await.unwrap();
    value.unwrap_or_default()
}

/// Waits up to 10 s for the image `id` to load, and answers its width.
async fn loaded_width(browser: &Client, id: &str) -> u64 {
    let started = Instant::now();
    loop {
        let width = browser
            .execute(
                "const img = document.getElementById(arguments[0]);
                 return img.complete ? img.naturalWidth : 0",
                vec![json!(id)],
            )
            .await
            .unwrap();
        match width.as_u64() {
            Some(w) if w > 0 => return w,
            _ => assert!(started.elapsed().as_secs() < 10, "#{id} did not load"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn a_volunteer_issues_a_certificate_and_redeems_a_reward_from_their_page(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    let shop = app.shop().await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 30, 5).await;
    let (volunteer, _) = served(&app, &shop.s).await;
    give_points(&app, volunteer, 100).await;
    let balance = app.state.store.points_balance(volunteer).await.unwrap();
    volunteer_logs_in(&app, &browser, 1).await;

    // This year so far, unless the volunteer picks other dates.
    let today = today();
    assert_eq!(
        value_of(&browser, "#cert-from").await,
        format!("{}-01-01", today.format("%Y"))
    );
    assert_eq!(value_of(&browser, "#cert-to").await, today.to_string());
    assert_eq!(text_of(&browser, "cert-issue").await, "出具证明");
    assert_fits_the_screen(&browser).await;
    click(&browser, "#cert-issue").await;
    wait_for_path(&browser, "/certificates/VC").await;
    let heading = element(&browser, "h1").await.text().await.unwrap();
    assert_eq!(heading, "志愿服务记录证明");
    let sheet = element(&browser, "body").await.text().await.unwrap();
    assert!(sheet.contains("3.00"), "{sheet}");

    // Back on the page: the reward costs 30 of the balance; the second tap redeems it.
    browser.back().await.unwrap();
    wait_for_text(&browser, "balance", |t| t == balance.to_string()).await;
    let button = format!("redeem-{reward}");
    wait_for_text(&browser, &button, |t| t == "兑换").await;
    let rewards = text_of(&browser, "rewards").await;
    assert!(rewards.contains("大米一袋 · 惠民超市"), "{rewards}");
    click(&browser, &format!("#{button}")).await;
    wait_for_text(&browser, &button, |t| t == "确认兑换").await;
    click(&browser, &format!("#{button}")).await;
    let code = wait_for_text(&browser, "redeemed-code", |t| t.starts_with("RD")).await;
    assert_eq!(code.len(), 10, "{code}");
    let left = (balance - 30).to_string();
    wait_for_text(&browser, "balance", |t| t == left).await;
    assert_eq!(text_of(&browser, "points").await, left);
    let listed = wait_for_text(&browser, "redemptions", |t| t.contains(&code)).await;
    assert!(listed.contains("待领取"), "{listed}");
    assert_eq!(loaded_width(&browser, "redeemed-qr").await, 240);
    assert_fits_the_screen(&browser).await;
    save_screenshot(&browser, SCREENSHOT).await;

    // The partner opens the code's page and hands the reward over.
    browser
        .goto(&format!("{}/redemptions/{code}", app.base))
        .await
        .unwrap();
    wait_for_text(&browser, "verdict", |t| t == "✔ 兑换码有效").await;
    assert_fits_the_screen(&browser).await;
    click(&browser, "#hand-over").await;
    wait_for_text(&browser, "verdict", |t| t == "该兑换码的物品已领取").await;
    assert_policy_kept(&driver, &browser).await;
    browser.close().await.unwrap();
}

async fn a_volunteer_reports_changes_their_account_and_withdraws_from_their_page(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    let s = app.scene().await;
    let (volunteer, _) = served(&app, &s).await;
    // Another activity of the community, for which the volunteer has no record.
    let (missing, _) = finished_activity(&app, &s).await;
    let mut db = Db::open(&app).await;
    let sql = "SELECT id FROM ledger_entries WHERE volunteer_id = ?";
    let entry = db.number(sql, &[volunteer]).await;
    volunteer_logs_in(&app, &browser, 1).await;

    // A wrong record, from its line.
    click(&browser, &format!("#report-{entry}")).await;
    wait_for_text(&browser, "report-title", |t| t == "这条记录有误").await;
    type_into(&browser, "#report-hours", "3.5").await;
    type_into(&browser, "#report-message", "实际服务到五点半").await;
    assert_fits_the_screen(&browser).await;
    click(&browser, "#report-send").await;
    let reports = wait_for_text(&browser, "reports", |t| t.contains("实际服务到五点半")).await;
    assert!(
        reports.contains("敬老院义务理发") && reports.contains("处理中"),
        "{reports}"
    );
    // A missing one, picked from the list.
    click(&browser, "#report-missing").await;
    wait_for_text(&browser, "report-title", |t| t == "报告漏记的服务").await;
    assert_eq!(
        value_of(&browser, "#report-activity").await,
        missing.to_string()
    );
    type_into(&browser, "#report-message", "手机没电没能扫码").await;
    click(&browser, "#report-send").await;
    wait_for_text(&browser, "reports", |t| t.contains("手机没电没能扫码")).await;
    let path = format!("/api/v1/reports?unit_id={}", s.community);
    let (_, reports) = app.get(&path, Some(&s.organizer)).await;
    let filed: Vec<_> = (reports.as_array().unwrap().iter())
        .map(|r| (r["kind"].clone(), r["minutes_claimed"].clone()))
        .collect();
    assert_eq!(
        filed,
        [
            (json!("wrong"), json!(210)),
            (json!("missing"), json!(null))
        ]
    );

    // A new phone, then a new password; the phone of another is refused.
    let phone_field = element(&browser, "#profile-phone").await;
    phone_field.clear().await.unwrap();
    phone_field.send_keys("13988880001").await.unwrap();
    type_into(&browser, "#profile-skills", "、摄影").await;
    click(&browser, "#profile-save").await;
    wait_for_text(&browser, "profile-said", |t| t == "已保存").await;
    assert_eq!(value_of(&browser, "#profile-skills").await, "急救、摄影");
    type_into(&browser, "#current-password", "not-my-password").await;
    type_into(&browser, "#new-password", "a-new-secret-1").await;
    type_into(&browser, "#repeat-password", "a-new-secret-1").await;
    click(&browser, "#password-change").await;
    wait_for_text(&browser, "password-said", |t| t == "密码不正确").await;
    let current = element(&browser, "#current-password").await;
    current.clear().await.unwrap();
    current.send_keys(PASSWORD).await.unwrap();
    click(&browser, "#password-change").await;
    wait_for_text(&browser, "password-said", |t| t.starts_with("密码已修改")).await;
    app.login("13988880001", "a-new-secret-1").await;

    // Withdrawal: the warning, the box to tick, the password.
    click(&browser, "#withdraw-open").await;
    let warning = wait_for_text(&browser, "withdraw-warning", |t| !t.is_empty()).await;
    assert!(
        warning.contains("永久删除") && warning.contains("无法撤销"),
        "{warning}"
    );
    type_into(&browser, "#withdraw-password", "a-new-secret-1").await;
    click(&browser, "#withdraw-button").await;
    wait_for_text(&browser, "withdraw-error", |t| t == "请先勾选确认").await;
    click(&browser, "#withdraw-tick").await;
    assert_fits_the_screen(&browser).await;
    click(&browser, "#withdraw-button").await;
    wait_for_text(&browser, "farewell-text", |t| {
        t.starts_with("您的志愿者账号已注销")
    })
    .await;
    browser.refresh().await.unwrap();
    wait_for_text(&browser, "login-button", |t| t == "登录").await;
    let (status, _, _) = app.try_login("13988880001", "a-new-secret-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_policy_kept(&driver, &browser).await;
    browser.close().await.unwrap();
}
