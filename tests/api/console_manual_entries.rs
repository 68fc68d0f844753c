//! 补录 in the console: an organizer finds a volunteer who served without scanning by name,
//! number or phone, and records their hours with a reason, through the API's rules.

use crate::both_backends;
use crate::support::{
    TestApp, console_page, csrf_token, finished_activity, hours, phone, post_form,
};
use reqwest::StatusCode;

both_backends!(organizers_record_hours_by_hand_for_a_volunteer_they_find);

async fn organizers_record_hours_by_hand_for_a_volunteer_they_find(app: TestApp) {
    let s = app.scene().await;
    let (activity, _) = finished_activity(&app, &s).await;
    let (volunteer, token) = app.quick_volunteer(&s.admin, 1, s.community).await;
    app.quick_volunteer(&s.admin, 2, s.community).await;
    let page = format!("/console/activities/{activity}/manual-entries");
    let (_, profile) = app
        .get(&format!("/api/v1/volunteers/{volunteer}"), Some(&s.admin))
        .await;
    let number = profile["volunteer_no"].as_str().unwrap().to_owned();

    for search in ["志愿者1", number.as_str(), phone(1).as_str()] {
        let (status, html) =
            console_page(&app, &format!("{page}?q={search}"), Some(&s.organizer)).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            html.contains(&format!(r#"id="volunteer-{volunteer}""#)),
            "{search}: {html}"
        );
        assert!(
            !html.contains("志愿者2<"),
            "{search} finds one person: {html}"
        );
    }
    let (_, html) = console_page(&app, &format!("{page}?q=志愿者1"), Some(&s.organizer)).await;
    let csrf = csrf_token(&html);
    let id = volunteer.to_string();
    let entry = |minutes: &'static str, reason: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("volunteer_id", id.clone()),
            ("minutes", minutes.to_owned()),
            ("reason", reason.to_owned()),
            ("q", "志愿者1".to_owned()),
        ]
    };
    let post = |form: Vec<(&'static str, String)>| {
        let (app, organizer, page) = (&app, s.organizer.clone(), page.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, &page, &organizer, &form).await
        }
    };

    // Refused without a reason, or for longer than the activity: nothing recorded.
    let (status, html) = post(entry("120", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("未作任何更改") && html.contains("志愿者1"),
        "{html}"
    );
    let (status, _) = post(entry("999", "手机没电")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hours(&app, &token, "me").await["total_hours"], "0.00");

    let (status, _) = post(entry("120", "手机没电，负责人核实在场")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let h = hours(&app, &token, "me").await;
    assert_eq!(h["total_hours"], "2.00", "{h}");
    assert_eq!(h["entries"][0]["source"], "manual", "{h}");
    let (status, html) = post(entry("120", "再记一次")).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one record per activity: {html}"
    );

    // Another community's organizer finds nobody here, and cannot open this activity.
    let (_, other_community) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app
        .staff(&s.admin, "organizer-b", "organizer", other_community)
        .await;
    let (status, _) = console_page(&app, &format!("{page}?q=志愿者1"), Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
