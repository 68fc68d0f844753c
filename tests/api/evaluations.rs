//! Evaluations 服务评价: the organizer rates a volunteer's confirmed service with the review or
//! later; a later rating supersedes the earlier one without erasing it; the volunteer sees the
//! rating with the record. A rating of service that was not confirmed is refused with the whole
//! request.

use crate::both_backends;
use crate::support::{
    Db, TestApp, assert_error, audit_entries, confirm, console_page, csrf_token, hours, issue,
    post_form, today, verify,
};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    an_organizer_rates_with_the_confirmation_and_a_later_rating_supersedes_it,
    a_rating_of_service_not_confirmed_refuses_the_whole_request,
    the_console_rates_with_the_confirmation_and_again_later,
);

async fn an_organizer_rates_with_the_confirmation_and_a_later_rating_supersedes_it(app: TestApp) {
    let (s, activity, (_, token), attendance) = app.served_volunteer().await;
    let body = json!({
        "confirm": [attendance],
        "evaluate": [{"attendance_id": attendance, "rating": "excellent", "comment": "主动协助老人"}],
    });
    let (status, answer) = confirm(&app, &s.organizer, activity, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mine = hours(&app, &token, "me").await;
    let entry = &mine["entries"][0];
    assert_eq!(entry["evaluation"], "excellent", "{mine}");
    assert_eq!(entry["evaluation_comment"], "主动协助老人");
    assert!(entry["evaluated_at"].is_string());

    // Rated again later, in Chinese: the new rating is shown, the old one kept.
    let body = json!({"evaluate": [{"attendance_id": attendance, "rating": "良好"}]});
    let (status, answer) = confirm(&app, &s.organizer, activity, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mine = hours(&app, &token, "me").await;
    assert_eq!(mine["entries"][0]["evaluation"], "good");
    assert_eq!(
        mine["entries"][0]["evaluation_comment"],
        serde_json::Value::Null
    );
    let mut db = Db::open(&app).await;
    assert_eq!(db.count("evaluations").await, 2);
    assert_eq!(
        db.number(
            "SELECT COUNT(*) FROM evaluations WHERE supersedes_id IS NOT NULL",
            &[]
        )
        .await,
        1
    );
    assert!(
        db.run("UPDATE evaluations SET rating = 'fail'", &[])
            .await
            .is_err(),
        "evaluations are append-only"
    );
    assert!(db.run("DELETE FROM evaluations", &[]).await.is_err());
    let audited = audit_entries(&app, &s.admin, s.community, "evaluate").await;
    assert_eq!(audited.len(), 2, "{audited:?}");

    // The certificate states the rating, and verifies.
    let day = today();
    let (status, cert) = issue(&app, &token, "me", day - Duration::days(30), day).await;
    assert_eq!(status, StatusCode::CREATED, "{cert}");
    let number = cert["number"].as_str().unwrap();
    let (status, verdict) = verify(&app, number).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["status"], "genuine", "{verdict}");
    let (status, _, page) = app
        .fetch_text(
            &format!("/certificates/{number}"),
            Some(&token),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("服务评价") && page.contains("良好"), "{page}");
}

async fn a_rating_of_service_not_confirmed_refuses_the_whole_request(app: TestApp) {
    let (s, activity, (other, _), attendance) = app.served_volunteer().await;
    let (second, _) = app.quick_volunteer(&s.admin, 2, s.community).await;
    let a = app.stored_activity(activity).await;
    let rejected = app
        .served(activity, second, a.starts_at, Some(a.ends_at))
        .await;
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({"reject": [{"attendance_id": rejected, "reason": "未到场"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Confirming one and rating the rejected one: nothing happens.
    let body = json!({
        "confirm": [attendance],
        "evaluate": [{"attendance_id": rejected, "rating": "pass"}],
    });
    let refused = confirm(&app, &s.organizer, activity, body).await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_evaluation",
    );
    let (status, list) = app
        .get(&format!("/api/v1/volunteers/{other}/hours"), Some(&s.admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["entries"], json!([]), "the confirmation was not kept");

    let body = json!({"evaluate": [{"attendance_id": attendance, "rating": "superb"}]});
    let refused = confirm(&app, &s.organizer, activity, body).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_rating");
    let unconfirmed = json!({"evaluate": [{"attendance_id": attendance, "rating": "good"}]});
    let refused = confirm(&app, &s.organizer, activity, unconfirmed).await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_evaluation",
    );
    let twice = json!({"confirm": [attendance], "evaluate": [
        {"attendance_id": attendance, "rating": "good"}, {"attendance_id": attendance, "rating": "pass"}]});
    let refused = confirm(&app, &s.organizer, activity, twice).await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate_attendance",
    );
    let long = json!({"confirm": [attendance], "evaluate": [
        {"attendance_id": attendance, "rating": "good", "comment": "好".repeat(201)}]});
    let refused = confirm(&app, &s.organizer, activity, long).await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_evaluation",
    );
    let mut db = Db::open(&app).await;
    assert_eq!(db.count("evaluations").await, 0);
}

async fn the_console_rates_with_the_confirmation_and_again_later(app: TestApp) {
    let (s, activity, (_, token), attendance) = app.served_volunteer().await;
    let page = format!("/console/activities/{activity}");
    let post = |form: Vec<(&'static str, String)>| {
        let (app, organizer, page) = (&app, &s.organizer, &page);
        async move {
            let (status, html) = console_page(app, page, Some(organizer)).await;
            assert_eq!(status, StatusCode::OK, "{html}");
            let mut form = form;
            form.push(("csrf_token", csrf_token(&html)));
            form.push(("attendance_id", attendance.to_string()));
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, &format!("{page}/reviews"), organizer, &form).await
        }
    };
    let (status, html) = post(vec![
        ("action", "confirm".into()),
        ("rating", "good".into()),
        ("comment", "准时到岗".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, html) = console_page(&app, &page, Some(&s.organizer)).await;
    assert!(html.contains("评价：良好"), "{html}");
    assert_eq!(
        hours(&app, &token, "me").await["entries"][0]["evaluation"],
        "good"
    );

    let (status, html) = post(vec![("action", "evaluate".into()), ("rating", "".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, html) = post(vec![
        ("action", "evaluate".into()),
        ("rating", "excellent".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let mine = hours(&app, &token, "me").await;
    assert_eq!(mine["entries"][0]["evaluation"], "excellent");
    assert_eq!(Db::open(&app).await.count("evaluations").await, 2);
}
