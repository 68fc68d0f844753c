use crate::both_backends;
use crate::support::TestApp;
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use resvg::{tiny_skia, usvg};
use serde_json::json;

/// An activity of a new community whose check-in window is open now:
/// `(admin token, community, activity)`.
pub async fn open_activity(app: &TestApp, title: &str, qr_mode: &str) -> (String, i64, i64) {
    let admin = app.district_admin().await;
    let (_, community) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    let now = Utc::now();
    let (status, activity) = app
        .post(
            "/api/v1/activities",
            Some(&admin),
            json!({
                "title": title, "unit_id": community, "place": "花园社区活动中心",
                "content": "陪伴老人", "category": "扶老助残", "qr_mode": qr_mode,
                "starts_at": now - Duration::hours(2), "ends_at": now + Duration::hours(2),
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{activity}");
    (admin, community, activity["id"].as_i64().unwrap())
}

pub async fn scan_url(app: &TestApp, token: &str, activity: i64) -> String {
    let (status, qr) = app
        .get(&format!("/api/v1/activities/{activity}/qr"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{qr}");
    qr["url"].as_str().unwrap().to_owned()
}

async fn svg(app: &TestApp, token: &str, path: &str) -> String {
    let res = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    res.text().await.unwrap()
}

/// Rasterises an SVG `width` pixels wide and decodes the one QR code in it.
pub(crate) fn decode_qr(svg: &str, width: u32) -> String {
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap();
    let scale = width as f32 / tree.size().width();
    let height = (tree.size().height() * scale).round() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height).unwrap();
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let pixels = pixmap.pixels();
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            let p = pixels[y * width as usize + x];
            ((u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue())) / 3) as u8
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the QR code decodes").1
}

both_backends!(
    the_printed_poster_scans_to_the_activity_url,
    the_door_screen_code_scans_to_the_current_url
);

async fn the_printed_poster_scans_to_the_activity_url(app: TestApp) {
    let (admin, _, id) = open_activity(&app, "敬老院探访", "static").await;
    let url = scan_url(&app, &admin, id).await;
    let poster = svg(&app, &admin, &format!("/api/v1/activities/{id}/poster.svg")).await;
    assert_eq!(decode_qr(&poster, 1240), url);
}

async fn the_door_screen_code_scans_to_the_current_url(app: TestApp) {
    let (admin, _, id) = open_activity(&app, "社区义诊", "rotating").await;
    let before = scan_url(&app, &admin, id).await;
    let image = svg(&app, &admin, &format!("/api/v1/activities/{id}/qr.svg")).await;
    let after = scan_url(&app, &admin, id).await;
    let decoded = decode_qr(&image, 480);
    assert!(
        decoded == before || decoded == after,
        "{decoded} is neither {before} nor {after}"
    );
}
