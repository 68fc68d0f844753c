//! A volunteer without the activity's code at hand shows their own code 志愿者码 from their page;
//! the organizer, on a phone at the door, types it into the console's panel and checks them in.
//! The volunteer's card prints at the size of a bank card.

use super::{
    PHONE, assert_fits_the_screen, assert_policy_kept, click, log_in, open_browser, phone_browser,
    start_driver, type_into, wait_for_text,
};
use crate::both_backends;
use crate::support::{PASSWORD, TestApp, open_activity};
use serde_json::json;

both_backends!(an_organizer_checks_a_volunteer_in_by_the_code_on_their_page);

async fn an_organizer_checks_a_volunteer_in_by_the_code_on_their_page(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let s = app.scene().await;
    let (volunteer, token) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let id = open_activity(&app, &s, "static").await;

    // The volunteer's page shows the code, as a QR code and in groups to read out.
    let phone = phone_browser(&driver).await;
    phone.goto(&format!("{}/me", app.base)).await.unwrap();
    phone
        .execute(
            "document.cookie = 'vledger_session=' + arguments[0] + '; path=/'",
            vec![json!(token)],
        )
        .await
        .unwrap();
    phone.refresh().await.unwrap();
    wait_for_text(&phone, "l-code", |t| t == "志愿者码").await;
    let code = wait_for_text(&phone, "code-text", |t| t.len() >= 12).await;
    let qr = phone
        .execute(
            "const img = document.getElementById('code-qr');
             return [img.src.startsWith('data:image/svg+xml'), img.naturalWidth > 0]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(qr, json!([true, true]));
    assert_fits_the_screen(&phone).await;

    // Their card, at the size of a bank card, fits the phone too.
    click(&phone, "#card-link").await;
    wait_for_text(&phone, "card-name", |t| t == "志愿者1").await;
    let width = phone
        .execute(
            "return Math.round(document.getElementById('card').getBoundingClientRect().width)",
            vec![],
        )
        .await
        .unwrap();
    // 85.6 mm at 96 px to the inch.
    assert_eq!(width, json!(324));
    assert_fits_the_screen(&phone).await;
    assert_policy_kept(&driver, &phone).await;

    // The organizer types the code into the console's panel.
    let profile = tempfile::tempdir().unwrap();
    let staff = open_browser(&driver, PHONE, profile.path()).await;
    staff.goto(&format!("{}/console", app.base)).await.unwrap();
    log_in(&staff, "login", "organizer-a", PASSWORD).await;
    wait_for_text(&staff, "menu", |t| t.contains("我的活动")).await;
    staff
        .goto(&format!("{}/console/activities/{id}", app.base))
        .await
        .unwrap();
    wait_for_text(&staff, "code-scan", |t| t.contains("扫志愿者码")).await;
    type_into(&staff, "#code", &code).await;
    click(&staff, "#code-submit").await;
    let result = wait_for_text(&staff, "code-scan-result", |t| !t.is_empty()).await;
    assert!(result.starts_with("签到成功：志愿者1"), "{result}");
    wait_for_text(&staff, "attendance-list", |t| t.contains("志愿者1")).await;
    assert_fits_the_screen(&staff).await;
    assert_policy_kept(&driver, &staff).await;

    let (_, rows) = app
        .get(
            &format!("/api/v1/activities/{id}/attendances"),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(rows[0]["volunteer_id"], volunteer);
    assert_eq!(rows[0]["checked_in_by"], s.organizer_id);
    phone.close().await.unwrap();
    staff.close().await.unwrap();
}
