//! Every answer — page, API, asset, image or error — tells the browser to run only the service's
//! own scripts, never to frame it, never to guess a content type and never to send the address
//! (a scan code's is a secret) to another site.

use crate::both_backends;
use crate::support::{TestApp, open_activity};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

both_backends!(every_answer_carries_the_security_headers);

/// The directives of a Content-Security-Policy by name, each with its sources.
fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace().map(str::to_owned);
            Some((words.next()?, words.collect()))
        })
        .collect()
}

#[track_caller]
fn assert_secured(headers: &HeaderMap, what: &str) {
    let header = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let policy = directives(&header("content-security-policy"));
    let sources = |name: &str| {
        policy
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("{what}: no {name} in {policy:?}"))
    };
    assert_eq!(sources("default-src"), ["'self'"], "{what}");
    assert_eq!(sources("frame-ancestors"), ["'none'"], "{what}");
    assert_eq!(sources("object-src"), ["'none'"], "{what}");
    assert_eq!(sources("base-uri"), ["'none'"], "{what}");
    // Scripts fall back to default-src: only files the service serves.
    assert!(policy.iter().all(|(n, _)| n != "script-src"), "{what}");
    assert!(
        policy
            .iter()
            .all(|(_, s)| !s.iter().any(|s| s == "'unsafe-inline'")),
        "{what}: {policy:?}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
}

async fn every_answer_carries_the_security_headers(app: TestApp) {
    let s = app.scene().await;
    let id = open_activity(&app, &s, "static").await;
    let organizer = Some(s.organizer.as_str());
    let get = |path: String, token: Option<&str>| {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    for (path, token, status) in [
        ("/me".to_owned(), None, StatusCode::OK),
        ("/s/not-a-code".into(), None, StatusCode::FORBIDDEN),
        (
            format!("/activities/{id}/display"),
            organizer,
            StatusCode::OK,
        ),
        (
            format!("/activities/{id}/display"),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        ("/verify/VC2026AAAAAAAA".into(), None, StatusCode::NOT_FOUND),
        ("/assets/app.css".into(), None, StatusCode::OK),
        ("/healthz".into(), None, StatusCode::OK),
        ("/api/v1/units".into(), organizer, StatusCode::OK),
        ("/api/v1/units".into(), None, StatusCode::UNAUTHORIZED),
        (
            format!("/api/v1/activities/{id}/poster.svg"),
            organizer,
            StatusCode::OK,
        ),
        ("/nothing/here".into(), None, StatusCode::NOT_FOUND),
    ] {
        let res = get(path.clone(), token).await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        assert_secured(res.headers(), &path);
    }
    let wrong_method = app.client.delete(format!("{}/healthz", app.base));
    let res = wrong_method.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_secured(res.headers(), "DELETE /healthz");
}
