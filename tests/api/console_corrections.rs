//! The 纠错 inbox in the console: an organizer sees the reports about their community's
//! activities, accepts one with the minutes to record and declines another, each with a reason.

use crate::both_backends;
use crate::support::{
    TestApp, console_page, csrf_token, finished_activity, hours, id_of, post_form,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(organizers_answer_reports_from_the_inbox);

async fn organizers_answer_reports_from_the_inbox(app: TestApp) {
    let s = app.scene().await;
    let (activity, _) = finished_activity(&app, &s).await;
    let mut reports = Vec::new();
    let mut tokens = Vec::new();
    for (n, message) in [(1, "手机没电没能扫码"), (2, "我也来了")] {
        let (_, token) = app.quick_volunteer(&s.admin, n, s.community).await;
        let (status, report) = app
            .post(
                "/api/v1/volunteers/me/reports",
                Some(&token),
                json!({"activity_id": activity, "kind": "missing", "minutes_claimed": 150, "message": message}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{report}");
        reports.push(id_of(&report));
        tokens.push(token);
    }

    let (status, html) = console_page(&app, "/console/corrections", Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("手机没电没能扫码") && html.contains("我也来了"),
        "{html}"
    );
    assert!(html.contains("志愿者1"), "who filed it: {html}");
    let token = csrf_token(&html);
    let answer = |id: i64| format!("/console/corrections/{id}");

    // Accepting without a reason changes nothing and says why.
    let (status, html) = post_form(
        &app,
        &answer(reports[0]),
        &s.organizer,
        &[("csrf_token", &token), ("accept", "1"), ("minutes", "150")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未作任何更改"), "{html}");
    let open = |app: &TestApp| {
        let (app, organizer) = (app.clone(), s.organizer.clone());
        async move {
            let (_, open) = app
                .get(
                    &format!("/api/v1/reports?unit_id={}", s.community),
                    Some(&organizer),
                )
                .await;
            open.as_array().unwrap().len()
        }
    };
    assert_eq!(open(&app).await, 2);

    // Another community's organizer neither sees nor answers them.
    let (_, other_community) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app
        .staff(&s.admin, "organizer-b", "organizer", other_community)
        .await;
    let (_, theirs) = console_page(&app, "/console/corrections", Some(&other)).await;
    assert!(!theirs.contains("我也来了"), "{theirs}");
    let (status, _) = post_form(
        &app,
        &answer(reports[1]),
        &other,
        &[
            ("csrf_token", &csrf_token(&theirs)),
            ("accept", "0"),
            ("reason", "不认识"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = post_form(
        &app,
        &answer(reports[0]),
        &s.organizer,
        &[
            ("csrf_token", &token),
            ("accept", "1"),
            ("minutes", "150"),
            ("reason", "负责人核实在场"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = post_form(
        &app,
        &answer(reports[1]),
        &s.organizer,
        &[
            ("csrf_token", &token),
            ("accept", "0"),
            ("reason", "签到表无此人"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(open(&app).await, 0);
    let (_, html) = console_page(&app, "/console/corrections", Some(&s.organizer)).await;
    assert!(html.contains("没有待处理的纠错申请"), "{html}");

    // The volunteers see the outcomes, and the accepted one has the hours.
    let (_, mine) = app
        .get("/api/v1/volunteers/me/reports", Some(&tokens[1]))
        .await;
    assert_eq!(mine[0]["status"], "declined");
    let h = hours(&app, &tokens[0], "me").await;
    assert_eq!(h["total_hours"], "2.50", "{h}");
}
