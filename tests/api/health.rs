//! Health, readiness, the OpenAPI document, and the JSON answers to unknown routes and methods,
//! to paths and queries that cannot be read, and to bodies too large.

use crate::both_backends;
use crate::support::{TestApp, assert_error_parts, send};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

both_backends!(
    health_and_readiness_answer,
    unknown_routes_answer_json_404,
    openapi_lists_every_api_route,
    a_wrong_method_is_a_json_405,
    a_path_or_query_that_cannot_be_read_is_a_json_error,
    an_oversized_body_is_a_json_413
);

async fn health_and_readiness_answer(app: TestApp) {
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

async fn unknown_routes_answer_json_404(app: TestApp) {
    for path in ["/api/v1/nothing-here", "/nothing/here", "/activities/1"] {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"], "not_found", "{path}");
    }
}

/// GET `path` as a browser would: `(status, body)`, the body read as the JSON it must be.
async fn browse(app: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    let req = app.client.get(format!("{}{path}", app.base));
    let (status, headers, body) = send(req.header("accept", "text/html")).await;
    let content_type = headers[CONTENT_TYPE].to_str().unwrap();
    assert_eq!(content_type, "application/json", "{path}");
    (status, body)
}

async fn a_path_or_query_that_cannot_be_read_is_a_json_error(app: TestApp) {
    for path in [
        "/activities/abc/display",
        "/activities/99999999999999999999/display",
        "/s/%FF",
        "/assets/%FF",
        "/verify/%FF",
    ] {
        let (status, body) = browse(&app, path).await;
        assert_error_parts(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, body) = browse(&app, "/me?lang=en&lang=zh").await;
    assert_error_parts(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_query",
    );
}

async fn an_oversized_body_is_a_json_413(app: TestApp) {
    let (admin, _, _) = app.district_with_community().await;
    // Past the 2 MiB every JSON endpoint reads, and past the CSV import's 64 MiB.
    let long = "x".repeat(2 * 1024 * 1024);
    let login = serde_json::json!({"login": long, "password": "p"});
    let csv = vec![b'x'; 64 * 1024 * 1024 + 1];
    let url = |path: &str| format!("{}{path}", app.base);
    for req in [
        app.client.post(url("/api/v1/auth/login")).json(&login),
        app.client
            .post(url("/api/v1/volunteers/import"))
            .bearer_auth(&admin)
            .header(CONTENT_TYPE, "text/csv")
            .body(csv),
    ] {
        let (status, _, body) = send(req).await;
        assert_error_parts(
            status,
            &body,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        );
        assert!(body["message"].is_string(), "{body}");
    }
}

async fn a_wrong_method_is_a_json_405(app: TestApp) {
    let (status, _, body) = send(app.client.delete(format!("{}/api/v1/units", app.base))).await;
    assert_error_parts(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}

async fn openapi_lists_every_api_route(app: TestApp) {
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/units", "get"),
        ("/api/v1/units", "post"),
        ("/api/v1/units/{id}/population/{year}", "put"),
        ("/api/v1/organisations", "post"),
        ("/api/v1/users", "post"),
        ("/api/v1/grants", "post"),
        ("/api/v1/volunteers", "post"),
        ("/api/v1/volunteers/{id}", "get"),
        ("/api/v1/volunteers/{id}", "patch"),
        ("/api/v1/volunteers/{id}/withdrawal", "post"),
        ("/api/v1/volunteers/{id}/signups", "get"),
        ("/api/v1/volunteers/{id}/unrecorded-activities", "get"),
        ("/api/v1/auth/password", "post"),
        ("/api/v1/volunteers/{id}/id-number", "get"),
        ("/api/v1/volunteers/import", "post"),
        ("/api/v1/audit", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["schemas"]["Volunteer"].is_object());
}
