//! A person's own account: changing the password after giving the current one, which ends their
//! other sessions; a volunteer changing their phone (their login, one per person), skills and
//! service categories. Refusals change nothing; changes are audited by field, not by value.

use crate::both_backends;
use crate::support::{ADMIN_LOGIN, Db, PASSWORD, TestApp, assert_error, audit_entries, phone};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    a_new_password_ends_the_other_sessions,
    staff_change_their_password_too,
    a_volunteer_changes_their_phone_skills_and_categories,
    a_refused_profile_change_changes_nothing,
);

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> (StatusCode, Value) {
    let body = json!({"current": current, "new": new});
    app.post("/api/v1/auth/password", Some(token), body).await
}

async fn change_profile(app: &TestApp, token: &str, who: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/volunteers/{who}");
    app.request(Method::PATCH, &path, Some(token), Some(body))
        .await
}

async fn a_new_password_ends_the_other_sessions(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let (_, token) = app.volunteer(1, community).await;
    let phone_session = app.login(&phone(1), PASSWORD).await;
    let answer = change_password(&app, &token, "not-my-password", "a-new-secret-1").await;
    assert_error(&answer, StatusCode::FORBIDDEN, "wrong_password");
    let answer = change_password(&app, &token, PASSWORD, "short").await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "weak_password");
    // Refused twice: both sessions and the old password still open the account.
    for session in [&token, &phone_session] {
        assert_eq!(
            app.get("/api/v1/volunteers/me", Some(session)).await.0,
            StatusCode::OK
        );
    }

    let (status, body) = change_password(&app, &token, PASSWORD, "a-new-secret-1").await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(
        app.get("/api/v1/volunteers/me", Some(&token)).await.0,
        StatusCode::OK
    );
    let (status, _) = app.get("/api/v1/volunteers/me", Some(&phone_session)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.try_login(&phone(1), PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.login(&phone(1), "a-new-secret-1").await;
    let entries = audit_entries(&app, &admin, community, "change_password").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["after"], json!({"other_sessions_ended": 1}));
    let (status, _) = app
        .post(
            "/api/v1/auth/password",
            None,
            json!({"current": PASSWORD, "new": "another-secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn staff_change_their_password_too(app: TestApp) {
    let (admin, _, _) = app.district_with_community().await;
    let (status, _) = change_password(&app, &admin, PASSWORD, "a-new-secret-1").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.login(ADMIN_LOGIN, "a-new-secret-1").await;
}

async fn a_volunteer_changes_their_phone_skills_and_categories(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let (v, token) = app.volunteer(1, community).await;
    let body = json!({"phone": "+86 139-8888-0001", "skills": [" 摄影 ", "", "急救"]});
    let (status, changed) = change_profile(&app, &token, "me", body).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        changed,
        json!({"phone": "13988880001", "skills": ["摄影", "急救"], "service_categories": ["扶老助残"]})
    );
    // The new phone is the login; the old one opens nothing.
    app.login("13988880001", PASSWORD).await;
    let (status, _, _) = app.try_login(&phone(1), PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let body = json!({"service_categories": ["环境保护"]});
    let (status, changed) = change_profile(&app, &token, &v.to_string(), body).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (_, me) = app.get("/api/v1/volunteers/me", Some(&token)).await;
    assert_eq!(
        (&me["phone"], &me["skills"], &me["service_categories"]),
        (
            &json!("13988880001"),
            &json!(["摄影", "急救"]),
            &json!(["环境保护"])
        )
    );
    // Audited by field, never by value.
    let entries = audit_entries(&app, &admin, community, "change_profile").await;
    let changed: Vec<&Value> = entries.iter().map(|e| &e["after"]["changed"]).collect();
    assert_eq!(
        changed,
        [&json!(["service_categories"]), &json!(["phone", "skills"])]
    );
    assert!(
        !entries
            .iter()
            .any(|e| e.to_string().contains("13988880001"))
    );
}

async fn a_refused_profile_change_changes_nothing(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let (v, token) = app.volunteer(1, community).await;
    let (_, other) = app.volunteer(2, community).await;
    let too_many: Vec<String> = (0..21).map(|n| format!("技能{n}")).collect();
    let refusals = [
        (
            &token,
            "me",
            json!({"phone": "12345"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
        (
            &token,
            "me",
            json!({"phone": phone(2), "skills": ["摄影"]}),
            StatusCode::CONFLICT,
            "duplicate_phone",
        ),
        (
            &token,
            "me",
            json!({"skills": too_many}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_tags",
        ),
        (
            &other,
            &v.to_string(),
            json!({"skills": ["摄影"]}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            &admin,
            "me",
            json!({"skills": ["摄影"]}),
            StatusCode::FORBIDDEN,
            "not_a_volunteer",
        ),
    ];
    for (who, id, body, status, code) in refusals {
        assert_error(&change_profile(&app, who, id, body).await, status, code);
    }
    let (_, me) = app.get("/api/v1/volunteers/me", Some(&token)).await;
    assert_eq!(
        (&me["phone"], &me["skills"]),
        (&json!(phone(1)), &json!(["急救"]))
    );
    let mut db = Db::open(&app).await;
    let changes = db
        .number(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'change_profile'",
            &[],
        )
        .await;
    assert_eq!(changes, 0);
}
