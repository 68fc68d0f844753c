//! The organizer's day in the staff console, on a phone at the door (360 px) and on a desktop
//! (1280 px): log in, create an activity, open its poster and read its code, let volunteers check
//! in and out, then confirm one attendance, adjust another with a reason and reject a third; the
//! volunteer's own page then shows the confirmed hours.

use super::{
    DESKTOP, PHONE, Screen, assert_fits, assert_policy_kept, click, log_in, move_check_ins_back,
    open_browser, phone_browser, start_driver, text_of, type_into, wait_for_text,
    wait_for_text_within,
};
use crate::both_backends;
use crate::support::{PASSWORD, TestApp, applicant, decode_qr, hours, id_number, phone};
use chrono::{Duration, Utc};
use fantoccini::Client;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    an_organizers_day_on_a_phone_at_the_door,
    an_organizers_day_at_a_desk,
);

async fn an_organizers_day_on_a_phone_at_the_door(app: TestApp) {
    organizers_day(app, PHONE).await;
}

async fn an_organizers_day_at_a_desk(app: TestApp) {
    organizers_day(app, DESKTOP).await;
}

/// Sets the form field `id` to `value` as a person picking it would (date and time pickers
/// differ between browsers; their value does not).
async fn set_field(browser: &Client, id: &str, value: &str) {
    browser
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1]",
            vec![json!(id), json!(value)],
        )
        .await
        .unwrap();
}

/// The attendance of the volunteer with `volunteer_id` among `rows`.
fn attendance_of(rows: &Value, volunteer_id: i64) -> &Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["volunteer_id"] == json!(volunteer_id))
        .expect("an attendance")
}

async fn organizers_day(app: TestApp, screen: Screen) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let s = app.scene().await;
    let (status, body) = app
        .post(
            "/api/v1/volunteers",
            None,
            applicant("林小雨", &id_number(1), &phone(1), s.community),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let lin = body["id"].as_i64().unwrap();
    let (wang, wang_token) = app.quick_volunteer(&s.admin, 2, s.community).await;
    let (zhao, zhao_token) = app.quick_volunteer(&s.admin, 3, s.community).await;

    let profile = tempfile::tempdir().unwrap();
    let staff = open_browser(&driver, screen, profile.path()).await;
    organizer_creates_the_activity(&app, &staff, screen).await;
    let page_url = staff.current_url().await.unwrap().to_string();
    let id: i64 = page_url
        .rsplit('/')
        .next()
        .and_then(|last| last.parse().ok())
        .unwrap_or_else(|| panic!("the activity's page, not {page_url}"));

    // The poster, as printed: its code is what a phone will open.
    click(&staff, "#poster-link").await;
    let svg = staff.source().await.unwrap();
    let url = decode_qr(&svg, 1200);
    assert!(url.starts_with(&format!("{}/s/", app.base)), "{url}");

    // 林小雨 checks in on her phone; the other two scan from theirs. The organizer watches the
    // attendance list fill in without reloading it.
    staff.goto(&page_url).await.unwrap();
    let phone_browser = phone_browser(&driver).await;
    phone_browser.goto(&url).await.unwrap();
    wait_for_text(&phone_browser, "login-title", |t| t == "请先登录").await;
    log_in(&phone_browser, "phone", &phone(1), PASSWORD).await;
    wait_for_text(&phone_browser, "result", |t| t.starts_with("签到成功")).await;
    let scan = |token: String| {
        let (app, url) = (&app, url.clone());
        async move {
            let (status, body) = app
                .post("/api/v1/scans", Some(&token), json!({"url": url}))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["state"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(scan(wang_token.clone()).await, "checked_in");
    assert_eq!(scan(zhao_token.clone()).await, "checked_in");
    wait_for_text_within(&staff, "attendance-list", 20, |t| {
        ["林小雨", "志愿者2", "志愿者3"]
            .iter()
            .all(|name| t.contains(name))
    })
    .await;
    move_check_ins_back(&app.database_url, Duration::minutes(90)).await;
    phone_browser.goto(&url).await.unwrap();
    wait_for_text(&phone_browser, "result", |t| t.starts_with("已签退")).await;
    assert_eq!(scan(wang_token.clone()).await, "checked_out");
    assert_eq!(scan(zhao_token.clone()).await, "checked_out");

    // Back in the console: one confirmed, one adjusted with a reason, one rejected.
    staff.goto(&page_url).await.unwrap();
    let (_, rows) = app
        .get(
            &format!("/api/v1/activities/{id}/attendances"),
            Some(&s.organizer),
        )
        .await;
    let row = |volunteer| format!("#attendance-{}", attendance_of(&rows, volunteer)["id"]);
    let (lin_row, wang_row, zhao_row) = (row(lin), row(wang), row(zhao));
    assert_fits(&staff, screen.width).await;
    click(&staff, &format!("{lin_row} button[value=confirm]")).await;
    wait_for_text(&staff, &lin_row[1..], |t| t.contains("已确认")).await;
    type_into(&staff, &format!("{wang_row} input[name=minutes]"), "60").await;
    type_into(
        &staff,
        &format!("{wang_row} form:nth-of-type(2) input[name=reason]"),
        "提前一小时离开",
    )
    .await;
    click(&staff, &format!("{wang_row} button[value=adjust]")).await;
    wait_for_text(&staff, &wang_row[1..], |t| t.contains("已调整")).await;
    type_into(
        &staff,
        &format!("{zhao_row} form:nth-of-type(3) input[name=reason]"),
        "未见本人到场",
    )
    .await;
    click(&staff, &format!("{zhao_row} input[name=fraudulent]")).await;
    click(&staff, &format!("{zhao_row} button[value=reject]")).await;
    wait_for_text(&staff, &zhao_row[1..], |t| t.contains("不予认定")).await;
    assert_fits(&staff, screen.width).await;

    let (_, rows) = app
        .get(
            &format!("/api/v1/activities/{id}/attendances"),
            Some(&s.organizer),
        )
        .await;
    let review = |v| {
        let r = attendance_of(&rows, v);
        (r["review"].clone(), r["fraudulent"].clone())
    };
    assert_eq!(review(lin), (json!("confirmed"), json!(false)));
    assert_eq!(review(wang), (json!("adjusted"), json!(false)));
    assert_eq!(review(zhao), (json!("rejected"), json!(true)));
    for (token, total) in [(&wang_token, "1.00"), (&zhao_token, "0.00")] {
        let h = hours(&app, token, "me").await;
        assert_eq!(h["total_hours"], total, "{h}");
    }
    assert_policy_kept(&driver, &staff).await;

    // 林小雨's own page shows the confirmed hours.
    phone_browser
        .goto(&format!("{}/me", app.base))
        .await
        .unwrap();
    wait_for_text(&phone_browser, "year-hours", |t| t == "1.50").await;
    let record = text_of(&phone_browser, "records").await;
    assert!(record.contains("已确认"), "{record}");
    // Not (yet) a backbone volunteer, and what it takes.
    let backbone = text_of(&phone_browser, "backbone").await;
    assert!(
        backbone.starts_with("尚未成为骨干志愿者：骨干志愿者标准"),
        "{backbone}"
    );
    staff.close().await.unwrap();
    phone_browser.close().await.unwrap();
}

/// Logs in to the console as the scene's organizer and creates an activity that started 100
/// minutes ago and ends in 20, leaving the browser on its page.
async fn organizer_creates_the_activity(app: &TestApp, staff: &Client, screen: Screen) {
    staff.goto(&format!("{}/console", app.base)).await.unwrap();
    log_in(staff, "login", "organizer-a", PASSWORD).await;
    wait_for_text(staff, "menu", |t| t.contains("我的活动")).await;
    assert_fits(staff, screen.width).await;
    staff
        .goto(&format!("{}/console/activities/new", app.base))
        .await
        .unwrap();
    let zone = app.state.settings.display_offset();
    let starts = (Utc::now() - Duration::minutes(100)).with_timezone(&zone);
    let ends = starts + Duration::hours(2);
    for (field, value) in [
        ("date", starts.format("%Y-%m-%d").to_string()),
        ("starts", starts.format("%H:%M").to_string()),
        ("end_date", ends.format("%Y-%m-%d").to_string()),
        ("ends", ends.format("%H:%M").to_string()),
    ] {
        set_field(staff, field, &value).await;
    }
    type_into(staff, "#title", "周六敬老院陪伴").await;
    type_into(staff, "#place", "花园社区敬老院").await;
    type_into(staff, "#content", "陪老人聊天、读报").await;
    type_into(staff, "#category", "敬老助残").await;
    assert_fits(staff, screen.width).await;
    click(staff, "#save-activity").await;
    wait_for_text(staff, "attendances", |t| t.contains("签到记录")).await;
}
