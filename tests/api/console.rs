//! The way into the staff console: the landing page, logging in and out with the page cookie,
//! and forms refused without their session's token.

use crate::both_backends;
use crate::support::{
    ADMIN_LOGIN, PASSWORD, TestApp, assert_error_parts, browser, console_login, csrf_token,
};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{RequestBuilder, Response, StatusCode};

both_backends!(
    the_landing_page_sends_staff_to_the_console_and_volunteers_to_their_page,
    staff_log_in_see_their_roles_and_log_out,
    a_console_form_without_its_sessions_token_is_refused,
    a_wrong_password_shows_the_login_form_again_saying_why,
);

/// `request` carrying the page cookie of `session`, if any.
fn with_cookie(request: RequestBuilder, session: Option<&str>) -> RequestBuilder {
    match session {
        Some(token) => request.header(COOKIE, format!("vledger_session={token}")),
        None => request,
    }
}

async fn get(app: &TestApp, path: &str, session: Option<&str>) -> Response {
    let request = browser().get(format!("{}{path}", app.base));
    with_cookie(request, session).send().await.unwrap()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    session: Option<&str>,
    form: &[(&str, &str)],
) -> Response {
    let request = browser().post(format!("{}{path}", app.base)).form(form);
    with_cookie(request, session).send().await.unwrap()
}

fn location(r: &Response) -> &str {
    r.headers()[LOCATION].to_str().unwrap()
}

async fn the_landing_page_sends_staff_to_the_console_and_volunteers_to_their_page(app: TestApp) {
    let s = app.scene().await;
    let (_, volunteer) = app.volunteer(1, s.community).await;

    let anyone = get(&app, "/", None).await;
    assert_eq!(anyone.status(), StatusCode::OK);
    let html = anyone.text().await.unwrap();
    assert!(
        html.contains(r#"href="/console""#) && html.contains(r#"href="/me""#),
        "{html}"
    );

    let staff = get(&app, "/", Some(&s.organizer)).await;
    assert_eq!(
        (staff.status(), location(&staff)),
        (StatusCode::SEE_OTHER, "/console")
    );
    let mine = get(&app, "/", Some(&volunteer)).await;
    assert_eq!(
        (mine.status(), location(&mine)),
        (StatusCode::SEE_OTHER, "/me")
    );
    // A session that has ended counts as none.
    app.post(
        "/api/v1/auth/logout",
        Some(&volunteer),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        get(&app, "/", Some(&volunteer)).await.status(),
        StatusCode::OK
    );
}

async fn staff_log_in_see_their_roles_and_log_out(app: TestApp) {
    app.district_admin().await;
    let form = get(&app, "/console", None).await;
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains(r#"name="password""#));

    let session = console_login(&app, ADMIN_LOGIN, PASSWORD).await;
    let home = get(&app, "/console", Some(&session)).await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("区管理员") && html.contains("示范区"),
        "{html}"
    );
    let english = get(&app, "/console?lang=en", Some(&session)).await;
    assert!(
        english
            .text()
            .await
            .unwrap()
            .contains("District administrator")
    );
    // The cookie's session is the API's too.
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&session)).await.0,
        StatusCode::OK
    );

    let token = csrf_token(&html);
    let out = post_form(
        &app,
        "/console/logout",
        Some(&session),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(
        (out.status(), location(&out)),
        (StatusCode::SEE_OTHER, "/console")
    );
    assert!(
        out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&session)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = get(&app, "/console", Some(&session)).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.unwrap().contains(r#"name="password""#));
}

async fn a_console_form_without_its_sessions_token_is_refused(app: TestApp) {
    let s = app.scene().await;
    let session = console_login(&app, ADMIN_LOGIN, PASSWORD).await;
    let other = get(&app, "/console", Some(&s.organizer)).await;
    let others_token = csrf_token(&other.text().await.unwrap());

    for form in [
        vec![],
        vec![("csrf_token", "0000")],
        vec![("csrf_token", others_token.as_str())],
    ] {
        let r = post_form(&app, "/console/logout", Some(&session), &form).await;
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_error_parts(status, &body, StatusCode::FORBIDDEN, "invalid_csrf_token");
    }
    // Nothing happened: the session still works.
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&session)).await.0,
        StatusCode::OK
    );

    // Another site's page cannot log the browser in to an account of its choosing either.
    let r = browser()
        .post(format!("{}/console/login", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("login", ADMIN_LOGIN), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get(SET_COOKIE).is_none());
}

async fn a_wrong_password_shows_the_login_form_again_saying_why(app: TestApp) {
    app.district_admin().await;
    let r = post_form(
        &app,
        "/console/login",
        None,
        &[("login", ADMIN_LOGIN), ("password", "wrong password")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get(SET_COOKIE).is_none());
    let html = r.text().await.unwrap();
    assert!(
        html.contains("账号或密码不正确") && html.contains(r#"name="password""#),
        "{html}"
    );
}
