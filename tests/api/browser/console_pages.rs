//! Every section of the console, with something in it, on a 360 px phone and in English: each
//! page fits the screen, breaks none of the security policy and shows its texts.

use super::{PHONE, assert_fits, assert_policy_kept, log_in, open_browser, start_driver, text_of};
use crate::both_backends;
use crate::support::{
    ADMIN_LOGIN, PASSWORD, TestApp, confirm, create_partner, create_reward, finished_activity,
    id_of, record, today, training_body,
};
use chrono::Datelike;
use fantoccini::Locator;
use serde_json::json;

both_backends!(every_console_section_fits_a_phone_in_both_languages);

async fn every_console_section_fits_a_phone_in_both_languages(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let s = app.scene().await;
    let (activity, start) = finished_activity(&app, &s).await;
    let (volunteer, _) = app.quick_volunteer(&s.admin, 1, s.community).await;
    app.served(
        activity,
        volunteer,
        start,
        Some(start + chrono::Duration::hours(2)),
    )
    .await;
    // A second volunteer's confirmed hours make a candidate of this year's selection round.
    let (candidate, _) = app.quick_volunteer(&s.admin, 2, s.community).await;
    let end = Some(start + chrono::Duration::hours(2));
    let served = app.served(activity, candidate, start, end).await;
    confirm(&app, &s.organizer, activity, json!({"confirm": [served]})).await;
    let partner = create_partner(&app, &s.admin, s.community, "爱心超市").await;
    create_reward(&app, &s.admin, partner, 50, 10).await;
    let body = training_body(
        s.community,
        &today().to_string(),
        json!("2.0"),
        &[volunteer],
    );
    record(&app, &s.admin, body).await;
    let this_year = app.state.settings.local_now().year();
    let opened = json!({"unit_id": s.community, "year": this_year});
    let (_, round) = app.post("/api/v1/selections", Some(&s.admin), opened).await;
    let round = id_of(&round);

    let profile = tempfile::tempdir().unwrap();
    let browser = open_browser(&driver, PHONE, profile.path()).await;
    browser
        .goto(&format!("{}/console", app.base))
        .await
        .unwrap();
    log_in(&browser, "login", ADMIN_LOGIN, PASSWORD).await;
    super::wait_for_text(&browser, "menu", |t| t.contains("操作日志")).await;
    let menu = browser.find(Locator::Id("menu")).await.unwrap();
    let mut sections = Vec::new();
    for link in menu.find_all(Locator::Css("a")).await.unwrap() {
        sections.push(link.attr("href").await.unwrap().unwrap());
    }
    assert_eq!(
        sections.len(),
        11,
        "a district admin opens every section: {sections:?}"
    );
    let pages = sections.iter().cloned().chain([
        format!("/console/activities/{activity}"),
        format!("/console/activities/{activity}/manual-entries?q=志愿者1"),
        format!("/console/activities/new?from={activity}"),
        format!("/console/units/{}", s.community),
        format!("/console/volunteers/{volunteer}"),
        "/console/volunteers/new".to_owned(),
        "/console/volunteers/import".to_owned(),
        format!("/console/selections/{round}"),
    ]);
    for path in pages {
        for lang in ["", "?lang=en"] {
            let joint = if path.contains('?') && !lang.is_empty() {
                "&lang=en"
            } else {
                lang
            };
            browser
                .goto(&format!("{}{path}{joint}", app.base))
                .await
                .unwrap();
            let heading = text_of(&browser, "menu").await;
            assert!(!heading.is_empty(), "{path}{joint} shows the console");
            let html = browser.source().await.unwrap();
            assert!(!html.contains(r#""error":"#), "{path}{joint}: {html}");
            if path == "/console/targets" {
                assert!(html.contains("<svg"), "the targets chart: {html}");
            }
            if path.starts_with("/console/selections/") {
                assert!(html.contains(r#"id="candidate-"#), "a candidate: {html}");
            }
            if !lang.is_empty() {
                assert!(
                    heading.contains("Audit log"),
                    "{path}{joint} in English: {heading}"
                );
            }
            assert_fits(&browser, PHONE.width).await;
        }
    }
    assert!(
        text_of(&browser, "menu").await.contains("Volunteers"),
        "the last page is in English"
    );
    assert_policy_kept(&driver, &browser).await;
    browser.close().await.unwrap();
}
