//! A volunteer's whole journey, on phones at 360 px in Chinese: a stranger opens a poster's URL,
//! registers (a wrong check digit first), lands checked in and checks out three hours later; signs
//! up for another activity, whose last place a second volunteer takes while a third waits and
//! moves up when the second cancels; the organizer checks the third in by the code on their page;
//! and the first, their hours confirmed, issues a certificate and redeems a reward from `/me`.

use super::{
    Driver, PHONE, assert_fits_the_screen, assert_policy_kept, choose, click, element, log_in,
    move_check_ins_back, open_browser, phone_browser, save_screenshot, start_driver, text_of,
    type_into, volunteer_logs_in, wait_for_path, wait_for_text,
};
use crate::both_backends;
use crate::support::{
    PASSWORD, Scene, TestApp, activity_body, attendances, create_activity, create_reward,
    id_number, id_of, phone, qr_url, this_minute, with,
};
use chrono::Duration;
use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use serde_json::json;

/// The form refusing a wrong check digit, the certificate on the phone and a volunteer's page with
/// their sign-up, left in the temporary folder for a person to look at.
const SCREENSHOTS: [&str; 3] = [
    "vledger-register.png",
    "vledger-certificate-phone.png",
    "vledger-me-signups.png",
];

/// The activity the volunteers sign up for.
const CLEAN_UP: &str = "楼道环境清洁";

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

both_backends!(a_stranger_registers_from_a_poster_and_goes_the_whole_way_on_a_phone);

async fn a_stranger_registers_from_a_poster_and_goes_the_whole_way_on_a_phone(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let shop = app.shop().await;
    let s = &shop.s;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 2, 5).await;
    let served = s
        .activity(&app, -Duration::hours(4), Duration::hours(1), "static")
        .await;
    let served = id_of(&served);
    let clean_up = recruiting(&app, s).await;
    app.volunteer(2, s.community).await;
    app.volunteer(3, s.community).await;

    let stranger = phone_browser(&driver).await;
    registers_from_a_poster(&app, &stranger, s, served).await;
    checks_out_later_and_is_confirmed(&app, &stranger, s, served).await;

    // The first place, found in the list of activities taking sign-ups.
    stranger
        .goto(&format!("{}/activities", app.base))
        .await
        .unwrap();
    click(&stranger, &format!("#activity-{clean_up} a")).await;
    wait_for_text(&stranger, "places", |t| t == "0 / 2").await;
    assert_fits_the_screen(&stranger).await;
    signs_up(&stranger, "报名成功！", "✔ 您已报名，序号 1").await;

    // Volunteer 2 takes the last place, volunteer 3 waits, and moves up when 2 cancels.
    let (second_profile, third_profile) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let second = logged_in(&app, &driver, second_profile.path(), 2).await;
    let third = logged_in(&app, &driver, third_profile.path(), 3).await;
    for browser in [&second, &third] {
        let page = format!("{}/activities/{clean_up}", app.base);
        browser.goto(&page).await.unwrap();
        wait_for_text(browser, "signup", |t| t.contains("我要报名")).await;
    }
    signs_up(&second, "报名成功！", "✔ 您已报名，序号 2").await;
    assert_eq!(text_of(&second, "places").await, "2 / 2");
    signs_up(
        &third,
        "名额已满，您已进入候补名单。",
        "您在候补名单中，位次 1",
    )
    .await;
    assert_eq!(text_of(&third, "places").await, "2 / 2 · 候补 1");
    assert_fits_the_screen(&third).await;
    click(&second, "#cancel-signup").await;
    wait_for_text(&second, "outcome", |t| t == "已取消报名。").await;
    third.refresh().await.unwrap();
    wait_for_text(&third, "mine", |t| t.starts_with("✔ 您已报名")).await;
    assert_eq!(text_of(&third, "places").await, "2 / 2");
    assert_policy_kept(&driver, &second).await;
    second.close().await.unwrap();

    checked_in_by_their_code(&app, &driver, &third, s, clean_up).await;
    assert_policy_kept(&driver, &third).await;
    third.close().await.unwrap();

    certificate_and_reward_from_me(&app, &stranger, reward).await;
    assert_policy_kept(&driver, &stranger).await;
    stranger.close().await.unwrap();
}

/// An activity of the scene's community starting in 20 minutes (its check-in is already open)
/// with two places, for which sign-up is required: its id.
async fn recruiting(app: &TestApp, s: &Scene) -> i64 {
    let starts = this_minute() + Duration::minutes(20);
    let mut body = activity_body(s.community, starts, starts + Duration::hours(2));
    for (field, value) in [
        ("title", json!(CLEAN_UP)),
        ("capacity", json!(2)),
        ("signup_required", json!(true)),
    ] {
        body = with(body, field, value);
    }
    id_of(&create_activity(app, &s.organizer, body).await)
}

/// The stranger opens the poster of `activity`, follows the login form's link to register, is
/// refused a wrong check digit in the page, then registers and lands checked in.
async fn registers_from_a_poster(app: &TestApp, browser: &Client, s: &Scene, activity: i64) {
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
    save_screenshot(browser, SCREENSHOTS[0]).await;

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
}

/// Three hours later the stranger scans the poster again and is checked out; the organizer
/// confirms the hours, which earns 3 points.
async fn checks_out_later_and_is_confirmed(
    app: &TestApp,
    browser: &Client,
    s: &Scene,
    activity: i64,
) {
    move_check_ins_back(&app.database_url, Duration::hours(3)).await;
    let poster = qr_url(app, &s.organizer, activity).await;
    browser.goto(&poster).await.unwrap();
    let shown = wait_for_text(browser, "result", |t| t.starts_with("已签退")).await;
    assert_eq!(shown, "已签退 · 3.00 小时");
    let path = format!("/api/v1/activities/{activity}/confirmations");
    let all = json!({"confirm_all_checked_out": true});
    let (status, body) = app.post(&path, Some(&s.organizer), all).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Volunteer `n`, registered earlier, logged in on `/me` in a phone of their own.
async fn logged_in(app: &TestApp, driver: &Driver, profile: &std::path::Path, n: u32) -> Client {
    let browser = open_browser(driver, PHONE, profile).await;
    volunteer_logs_in(app, &browser, n).await;
    browser
}

/// Taps 我要报名 on the open activity page: the page says `outcome` and shows the place `mine`.
async fn signs_up(browser: &Client, outcome: &str, mine: &str) {
    click(browser, "#sign-up").await;
    wait_for_text(browser, "outcome", |t| t == outcome).await;
    assert_eq!(text_of(browser, "mine").await, mine);
}

/// The organizer, on a phone at the door, types the code shown on the volunteer's page into the
/// console's panel of `activity`: the volunteer is checked in, by the organizer, with a place.
async fn checked_in_by_their_code(
    app: &TestApp,
    driver: &Driver,
    volunteer: &Client,
    s: &Scene,
    activity: i64,
) {
    volunteer.goto(&format!("{}/me", app.base)).await.unwrap();
    let code = wait_for_text(volunteer, "code-text", |t| t.len() >= 12).await;
    // Their page lists the place they moved up to.
    let listed = wait_for_text(volunteer, "signups", |t| t.contains(CLEAN_UP)).await;
    assert!(listed.ends_with("已报名，序号2"), "{listed}");
    let card = "document.getElementById('signups-card').scrollIntoView()";
    volunteer.execute(card, vec![]).await.unwrap();
    save_screenshot(volunteer, SCREENSHOTS[2]).await;
    assert_fits_the_screen(volunteer).await;

    let profile = tempfile::tempdir().unwrap();
    let staff = open_browser(driver, PHONE, profile.path()).await;
    staff.goto(&format!("{}/console", app.base)).await.unwrap();
    log_in(&staff, "login", "organizer-a", PASSWORD).await;
    wait_for_text(&staff, "menu", |t| t.contains("我的活动")).await;
    let page = format!("{}/console/activities/{activity}", app.base);
    staff.goto(&page).await.unwrap();
    wait_for_text(&staff, "code-scan", |t| t.contains("扫志愿者码")).await;
    type_into(&staff, "#code", &code).await;
    click(&staff, "#code-submit").await;
    let result = wait_for_text(&staff, "code-scan-result", |t| !t.is_empty()).await;
    assert!(result.starts_with("签到成功：志愿者3"), "{result}");
    assert_fits_the_screen(&staff).await;
    assert_policy_kept(driver, &staff).await;
    staff.close().await.unwrap();

    let present = attendances(app, &s.organizer, activity).await;
    assert_eq!(present.len(), 1);
    assert_eq!(present[0]["name"], "志愿者3");
    assert_eq!(present[0]["checked_in_by"], s.organizer_id);
    assert_eq!(present[0]["without_signup"], false, "they had a place");
}

/// Back on `/me`, the stranger issues a certificate of this year's service and opens it, then
/// redeems the reward (2 of their 3 points); the code it shows is valid on the partner's check.
async fn certificate_and_reward_from_me(app: &TestApp, browser: &Client, reward: i64) {
    browser.goto(&format!("{}/me", app.base)).await.unwrap();
    wait_for_text(browser, "year-hours", |t| t == "3.00").await;
    assert_eq!(text_of(browser, "who").await, "林小雨");
    click(browser, "#cert-issue").await;
    wait_for_path(browser, "/certificates/VC").await;
    let heading = element(browser, "h1").await.text().await.unwrap();
    assert_eq!(heading, "志愿服务记录证明");
    let sheet = element(browser, "body").await.text().await.unwrap();
    assert!(
        sheet.contains("林小雨") && sheet.contains("3.00"),
        "{sheet}"
    );
    assert_fits_the_screen(browser).await;
    save_screenshot(browser, SCREENSHOTS[1]).await;

    browser.back().await.unwrap();
    wait_for_text(browser, "balance", |t| t == "3").await;
    let button = format!("redeem-{reward}");
    wait_for_text(browser, &button, |t| t == "兑换").await;
    click(browser, &format!("#{button}")).await;
    wait_for_text(browser, &button, |t| t == "确认兑换").await;
    click(browser, &format!("#{button}")).await;
    let code = wait_for_text(browser, "redeemed-code", |t| t.starts_with("RD")).await;
    wait_for_text(browser, "balance", |t| t == "1").await;
    let listed = wait_for_text(browser, "redemptions", |t| t.contains(&code)).await;
    assert!(listed.contains("待领取"), "{listed}");
    assert_fits_the_screen(browser).await;

    // The code's page, as the partner opens it.
    let check = format!("{}/redemptions/{code}", app.base);
    browser.goto(&check).await.unwrap();
    wait_for_text(browser, "verdict", |t| t == "✔ 兑换码有效").await;
    assert_fits_the_screen(browser).await;
}
