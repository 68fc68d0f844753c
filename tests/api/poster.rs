//! Posters and door screens: their QR codes, decoded from the image, lead to the activity.

use crate::both_backends;
use crate::support::{TestApp, decode_qr, open_activity, qr_url};
use reqwest::StatusCode;

/// The SVG image at `path`.
async fn svg(app: &TestApp, token: &str, path: &str) -> String {
    let (status, content_type, svg) = app.fetch_text(path, Some(token), "*/*").await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(content_type, "image/svg+xml");
    svg
}

both_backends!(
    the_printed_poster_scans_to_the_activity_url,
    the_door_screen_code_scans_to_the_current_url
);

async fn the_printed_poster_scans_to_the_activity_url(app: TestApp) {
    let s = app.scene().await;
    let id = open_activity(&app, &s, "static").await;
    let url = qr_url(&app, &s.organizer, id).await;
    let poster = svg(
        &app,
        &s.organizer,
        &format!("/api/v1/activities/{id}/poster.svg"),
    )
    .await;
    assert_eq!(decode_qr(&poster, 1240), url);
}

async fn the_door_screen_code_scans_to_the_current_url(app: TestApp) {
    let s = app.scene().await;
    let id = open_activity(&app, &s, "rotating").await;
    let before = qr_url(&app, &s.organizer, id).await;
    let image = svg(
        &app,
        &s.organizer,
        &format!("/api/v1/activities/{id}/qr.svg"),
    )
    .await;
    let after = qr_url(&app, &s.organizer, id).await;
    let decoded = decode_qr(&image, 480);
    assert!(
        decoded == before || decoded == after,
        "{decoded} is neither {before} nor {after}"
    );
}
