//! A browser on the staff console: its pages and forms with the session cookie, redirects not
//! followed, and the `csrf_token` its forms carry.

use super::TestApp;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// A browser that does not follow redirects, so that a test sees where it is sent.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The console page at `path` as `session`'s browser gets it.
pub async fn console_page(
    app: &TestApp,
    path: &str,
    session: Option<&str>,
) -> (StatusCode, String) {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(token) = session {
        request = request.header(COOKIE, format!("vledger_session={token}"));
    }
    let r = request.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Posts a form of the console in `session`'s browser, which does not follow the redirect.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    session: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = browser()
        .post(format!("{}{path}", app.base))
        .header(COOKIE, format!("vledger_session={session}"))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// [`post_form`] with values the form owns.
pub async fn post_fields(
    app: &TestApp,
    path: &str,
    session: &str,
    form: &[(&str, String)],
) -> (StatusCode, String) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_form(app, path, session, &form).await
}

/// The hidden `csrf_token` of the first form on `html`.
pub fn csrf_token(html: &str) -> String {
    let (_, after) = html
        .split_once(r#"name="csrf_token" value=""#)
        .expect("the page has a form with its token");
    after.split('"').next().unwrap().to_owned()
}

/// Logs in through the console's form: the session token its cookie holds.
pub async fn console_login(app: &TestApp, login: &str, password: &str) -> String {
    let r = browser()
        .post(format!("{}/console/login", app.base))
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/console");
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (_, rest) = cookie.split_once("vledger_session=").unwrap();
    rest.split(';').next().unwrap().to_owned()
}
