//! An activity's codes: the static short URL, the rotating code of the door screen, the printable
//! poster and QR image, and who may see them.

use crate::both_backends;
use crate::support::{
    TestApp, activity_body, assert_error, attendances, create_activity, id_of, qr_url, this_minute,
    time, with,
};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_static_code_is_a_short_url_valid_until_the_end,
    a_rotating_code_differs_from_the_static_one_and_expires_within_a_minute,
    the_poster_is_an_a4_svg_with_title_place_and_scan_url,
    the_qr_image_is_an_svg,
    only_organizers_of_the_unit_see_codes_posters_and_attendances
);

async fn a_static_code_is_a_short_url_valid_until_the_end(app: TestApp) {
    let s = app.scene().await;
    let activity = s
        .activity(&app, Duration::hours(1), Duration::hours(3), "static")
        .await;
    let id = id_of(&activity);
    let (status, qr) = app
        .get(&format!("/api/v1/activities/{id}/qr"), Some(&s.organizer))
        .await;
    assert_eq!(status, StatusCode::OK, "{qr}");
    let url = qr["url"].as_str().unwrap();
    let base = format!("{}/s/", app.state.settings.public_url());
    let code = url.strip_prefix(&base).unwrap_or_else(|| panic!("{url}"));
    assert!(!code.is_empty() && !code.contains('/'), "{url}");
    assert!(url.len() <= 60, "{url}");
    let grace = Duration::minutes(app.state.settings.checkout_grace_minutes as i64);
    assert_eq!(time(&qr["expires_at"]), time(&activity["ends_at"]) + grace);
    assert_eq!(qr["mode"], "static");
    assert_eq!(qr_url(&app, &s.organizer, id).await, url);
}

async fn a_rotating_code_differs_from_the_static_one_and_expires_within_a_minute(app: TestApp) {
    let s = app.scene().await;
    let starts = this_minute() + Duration::hours(1);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let activity = create_activity(&app, &s.organizer, body.clone()).await;
    let id = id_of(&activity);
    let fixed = qr_url(&app, &s.organizer, id).await;

    let (status, _) = app
        .put(
            &format!("/api/v1/activities/{id}"),
            Some(&s.organizer),
            with(body, "qr_mode", json!("rotating")),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let asked_at = Utc::now();
    let (status, qr) = app
        .get(&format!("/api/v1/activities/{id}/qr"), Some(&s.organizer))
        .await;
    assert_eq!(status, StatusCode::OK, "{qr}");
    let rotating = qr["url"].as_str().unwrap();
    assert_ne!(rotating, fixed);
    assert!(rotating.len() <= 60, "{rotating}");
    assert_eq!(qr["mode"], "rotating");
    let expires_at = time(&qr["expires_at"]);
    assert!(expires_at > asked_at, "{expires_at}");
    assert!(
        expires_at <= asked_at + Duration::seconds(61),
        "{expires_at}"
    );
}

async fn the_poster_is_an_a4_svg_with_title_place_and_scan_url(app: TestApp) {
    let s = app.scene().await;
    let starts = this_minute() + Duration::days(1);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let body = with(body, "title", json!("敬老 & 助残"));
    let body = with(body, "place", json!("活动室<二楼>"));
    let id = id_of(&create_activity(&app, &s.organizer, body).await);
    let url = qr_url(&app, &s.organizer, id).await;

    let path = format!("/api/v1/activities/{id}/poster.svg");
    let (status, content_type, svg) = app.fetch_text(&path, Some(&s.organizer), "*/*").await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert_eq!(content_type, "image/svg+xml");
    assert!(svg.contains("<svg"));
    assert!(svg.contains(r#"width="210mm""#) && svg.contains(r#"height="297mm""#));
    assert!(svg.contains("敬老 &amp; 助残"));
    assert!(svg.contains("活动室&lt;二楼&gt;"));
    assert!(!svg.contains("<二楼>"));
    assert!(svg.contains("花园社区"));
    assert!(svg.contains(&url), "the poster does not show {url}");
    assert!(!svg.contains("{{"), "a placeholder is left");
}

async fn the_qr_image_is_an_svg(app: TestApp) {
    let s = app.scene().await;
    let activity = s
        .activity(&app, Duration::hours(1), Duration::hours(3), "rotating")
        .await;
    let path = format!("/api/v1/activities/{}/qr.svg", id_of(&activity));
    let (status, content_type, svg) = app.fetch_text(&path, Some(&s.organizer), "*/*").await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert_eq!(content_type, "image/svg+xml");
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    assert!(svg.contains("<path d=\"M"));
}

async fn only_organizers_of_the_unit_see_codes_posters_and_attendances(app: TestApp) {
    let s = app.scene().await;
    let other = app
        .create_unit(&s.admin, "和平社区", "community", s.street)
        .await;
    let (_, stranger) = app.staff(&s.admin, "organizer-b", "organizer", other).await;
    let (_, volunteer) = app.volunteer(1, s.community).await;
    let activity = s
        .activity(&app, Duration::hours(1), Duration::hours(3), "static")
        .await;
    let id = id_of(&activity);

    assert_eq!(
        attendances(&app, &s.organizer, id).await,
        Vec::<Value>::new()
    );
    assert_eq!(attendances(&app, &s.admin, id).await, Vec::<Value>::new());
    for path in ["qr", "attendances"] {
        let path = format!("/api/v1/activities/{id}/{path}");
        for token in [&volunteer, &stranger] {
            assert_error(
                &app.get(&path, Some(token)).await,
                StatusCode::FORBIDDEN,
                "forbidden",
            );
        }
        assert_error(
            &app.get(&path, None).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
    }
    for path in ["qr.svg", "poster.svg"] {
        let path = format!("/api/v1/activities/{id}/{path}");
        let (status, _, body) = app.fetch_text(&path, Some(&volunteer), "*/*").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(!body.contains("<svg"));
    }
    let answer = app
        .get(&format!("/api/v1/activities/{id}"), Some(&volunteer))
        .await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = app
        .get("/api/v1/activities/987654/qr", Some(&s.organizer))
        .await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
}
