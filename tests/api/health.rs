//! Health, readiness, the OpenAPI document, and the JSON answers to unknown routes and methods.

use crate::both_backends;
use crate::support::{TestApp, assert_error_parts, send};
use reqwest::StatusCode;

both_backends!(
    health_and_readiness_answer,
    unknown_routes_answer_json_404,
    openapi_lists_every_api_route,
    a_wrong_method_is_a_json_405
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
    let (status, body) = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
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
