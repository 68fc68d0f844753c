//! Backbone volunteers in the console: a social worker designates one by number with a reason
//! and sees them listed with it; a decision without a reason, or about someone outside their
//! units, is refused saying why and changes nothing.

use crate::both_backends;
use crate::support::{TestApp, console_page, csrf_token, post_form};
use reqwest::StatusCode;
use vledger::domain::volunteer_no::volunteer_no;

both_backends!(
    a_social_worker_designates_and_revokes_from_the_list,
    refused_decisions_change_nothing,
);

/// Posts a decision from the unit's backbone page.
async fn decide(
    app: &TestApp,
    session: &str,
    unit: i64,
    number: &str,
    decision: &str,
    reason: &str,
) -> (StatusCode, String) {
    let from = format!("/console/backbone?unit_id={unit}");
    let (status, html) = console_page(app, &from, Some(session)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token = csrf_token(&html);
    let unit = unit.to_string();
    let form = [
        ("csrf_token", token.as_str()),
        ("unit_id", unit.as_str()),
        ("volunteer_no", number),
        ("decision", decision),
        ("reason", reason),
    ];
    post_form(app, "/console/backbone", session, &form).await
}

async fn a_social_worker_designates_and_revokes_from_the_list(app: TestApp) {
    let s = app.scene().await;
    let (_, worker) = app
        .staff(&s.admin, "worker-a", "social_worker", s.community)
        .await;
    let (volunteer, token) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let number = volunteer_no(volunteer);
    let (status, _) = decide(
        &app,
        &worker,
        s.community,
        &number,
        "designate",
        "带领楼栋志愿服务队三年",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = console_page(
        &app,
        &format!("/console/backbone?unit_id={}", s.community),
        Some(&worker),
    )
    .await;
    assert!(
        html.contains(&number)
            && html.contains("带领楼栋志愿服务队三年")
            && html.contains("社工认定"),
        "{html}"
    );
    let (_, me) = app.get("/api/v1/volunteers/me", Some(&token)).await;
    assert_eq!(me["backbone"]["status"], "backbone");

    let (status, _) = decide(
        &app,
        &worker,
        s.community,
        &number,
        "revoke",
        "已搬离本社区",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = console_page(
        &app,
        &format!("/console/backbone?unit_id={}", s.community),
        Some(&worker),
    )
    .await;
    assert!(!html.contains(&number), "{html}");
    let (_, me) = app.get("/api/v1/volunteers/me", Some(&token)).await;
    assert_eq!(me["backbone"]["status"], "none");
    assert_eq!(me["backbone"]["reason"], "已搬离本社区");
}

async fn refused_decisions_change_nothing(app: TestApp) {
    let s = app.scene().await;
    let other = app
        .create_unit(&s.admin, "翠竹社区", "community", s.street)
        .await;
    let (_, worker) = app
        .staff(&s.admin, "worker-a", "social_worker", s.community)
        .await;
    let (mine, _) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let (theirs, _) = app.quick_volunteer(&s.admin, 2, other).await;

    let (status, html) = decide(
        &app,
        &worker,
        s.community,
        &volunteer_no(mine),
        "designate",
        " ",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="refused""#), "{html}");
    let (status, html) = decide(
        &app,
        &worker,
        s.community,
        &volunteer_no(theirs),
        "designate",
        "理由",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(&volunteer_no(theirs)),
        "the form shows again as typed: {html}"
    );
    // Without the page's token: refused before anything.
    let form = [
        ("unit_id", s.community.to_string()),
        ("volunteer_no", volunteer_no(mine)),
        ("decision", "designate".to_owned()),
        ("reason", "理由".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = post_form(&app, "/console/backbone", &worker, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Organizers have no backbone page.
    let (status, _) = console_page(&app, "/console/backbone", Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for v in [mine, theirs] {
        let (_, body) = app
            .get(&format!("/api/v1/volunteers/{v}/backbone"), Some(&s.admin))
            .await;
        assert_eq!(body["history"], serde_json::json!([]), "{body}");
    }
}
