//! The pages' style sheets and scripts: files of `assets/`, built into the binary and served under
//! `/assets/`. Pages link them with a version taken from their content, so a browser keeps each
//! for a year and still fetches a new release's at once.

use super::AppState;
use super::extract::Path;
use crate::error::Error;
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

pub struct Asset {
    name: &'static str,
    content_type: &'static str,
    pub body: &'static str,
    url: OnceLock<String>,
}

impl Asset {
    const fn new(name: &'static str, content_type: &'static str, body: &'static str) -> Self {
        Asset {
            name,
            content_type,
            body,
            url: OnceLock::new(),
        }
    }

    /// Where pages link it: its path with the start of its content's SHA-256.
    pub fn url(&self) -> &str {
        self.url.get_or_init(|| {
            let digest = Sha256::digest(self.body.as_bytes());
            format!("/assets/{}?v={}", self.name, &hex::encode(digest)[..12])
        })
    }
}

pub static APP_CSS: Asset = Asset::new("app.css", CSS, include_str!("../../assets/app.css"));
/// Not served: a certificate carries its style within itself (see `templates/certificate.html`),
/// which the security policy lets through by its hash.
pub static PRINT_CSS: Asset = Asset::new("print.css", CSS, include_str!("../../assets/print.css"));
pub static PAGE_JS: Asset = Asset::new("page.js", JS, include_str!("../../assets/page.js"));
pub static SCAN_JS: Asset = Asset::new("scan.js", JS, include_str!("../../assets/scan.js"));
pub static DOOR_JS: Asset = Asset::new("door.js", JS, include_str!("../../assets/door.js"));
pub static ME_JS: Asset = Asset::new("me.js", JS, include_str!("../../assets/me.js"));
pub static REGISTER_JS: Asset =
    Asset::new("register.js", JS, include_str!("../../assets/register.js"));
pub static CONSOLE_JS: Asset =
    Asset::new("console.js", JS, include_str!("../../assets/console.js"));

/// The assets served under `/assets/`.
static SERVED: [&Asset; 7] = [
    &APP_CSS,
    &PAGE_JS,
    &SCAN_JS,
    &DOOR_JS,
    &ME_JS,
    &REGISTER_JS,
    &CONSOLE_JS,
];

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(asset))
}

/// The asset named, whatever version the query names: only the current release's pages link here.
async fn asset(Path(name): Path<String>) -> Response {
    let Some(asset) = SERVED.iter().find(|a| a.name == name) else {
        return Error::NotFound("asset").into_response();
    };
    let headers = [
        (header::CONTENT_TYPE, asset.content_type),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
    ];
    (headers, asset.body).into_response()
}
