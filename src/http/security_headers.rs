//! The headers every answer carries, page, API, asset or error alike: a Content-Security-Policy
//! that runs only the service's own script files and lets no other site frame a page, no guessing
//! of content types, and no address sent on to another site (a scan code's address is a secret).

use super::assets::PRINT_CSS;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Scripts and styles only from `/assets/`, except the style a certificate carries within itself
/// (named by its hash); images also as `data:` URLs (the door screen's code); nothing framed,
/// embedded or posted elsewhere.
static POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let certificate_style = STANDARD.encode(Sha256::digest(PRINT_CSS.body.as_bytes()));
    let policy = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'sha256-{certificate_style}'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII")
});

const FIXED: [(HeaderName, &str); 2] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
];

pub async fn add(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, POLICY.clone());
    for (name, value) in FIXED {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
