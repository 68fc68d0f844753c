//! The HTTP interface: one router per resource, merged here with the OpenAPI document they
//! declare. A resource module only extracts the request, checks access and shapes the answer;
//! what it does is in `crate::app` or the store. Resource modules do not import each other; what
//! they share is `access` (access checks), `extract` (extractors), `render` (pages from
//! templates) and `assets` (the pages' styles and scripts); `security_headers` go on every answer.

mod access;
mod account;
mod activities;
mod activity_pages;
mod assets;
mod audit;
mod auth;
mod backbone;
mod certificates;
mod check_in;
mod console;
pub mod extract;
mod health;
mod ledger;
mod notice;
mod pages;
mod password_reset;
mod personal_codes;
mod redemptions;
mod render;
mod reports;
mod rewards;
mod security_headers;
mod selection_review;
mod selections;
mod signups;
mod social_workers;
mod targets;
mod trainings;
mod units;
mod users;
mod volunteers;

use crate::app::AppState;
use crate::error::Error;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "vledger", description = "Volunteer hours ledger and incentive service"),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The `/api/v1` routes and the OpenAPI document describing exactly them.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(account::router())
        .merge(units::router())
        .merge(users::router())
        .merge(volunteers::router())
        .merge(password_reset::router())
        .merge(audit::router())
        .merge(activities::router())
        .merge(check_in::router())
        .merge(ledger::router())
        .merge(reports::router())
        .merge(targets::router())
        .merge(backbone::router())
        .merge(selections::router())
        .merge(selection_review::router())
        .merge(rewards::router())
        .merge(trainings::router())
        .merge(certificates::router())
        .merge(social_workers::router())
        .merge(signups::router())
        .merge(personal_codes::router())
        .split_for_parts()
}

/// The whole application, ready to serve.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api();
    let openapi = Arc::new(openapi);
    let timeout = state.settings.request_timeout();
    Router::new()
        .merge(api)
        .merge(health::router())
        .merge(pages::router())
        .merge(notice::router())
        .merge(activity_pages::router())
        .merge(redemptions::router())
        .merge(console::router())
        .merge(assets::router())
        .route(
            "/api/openapi.json",
            axum::routing::get(move || async move { axum::Json(openapi.as_ref().clone()) }),
        )
        .fallback(|| async { Error::NotFound("route") })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(timeout, answer_within))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::map_response(security_headers::add))
}

/// Answers 408 in the JSON error format when a request runs longer than `timeout`.
async fn answer_within(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    tokio::time::timeout(timeout, next.run(request))
        .await
        .unwrap_or_else(|_| Error::Timeout.into_response())
}
