//! Copying, editing and cancelling an activity from the console, through the same rules as the
//! API.

use crate::both_backends;
use crate::support::{
    TestApp, activity_body, console_page, create_activity, csrf_token, id_of, post_form,
    this_minute, with,
};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(organizers_copy_edit_and_cancel_an_activity);

/// The `value` of the input named `name` on `html`.
fn value_of(html: &str, name: &str) -> String {
    let (_, input) = html
        .split_once(&format!(r#"name="{name}""#))
        .unwrap_or_else(|| panic!("no {name} on the page"));
    let tag = &input[..input.find('>').unwrap()];
    let (_, value) = tag.split_once(r#"value=""#).expect("a value");
    value.split('"').next().unwrap().to_owned()
}

async fn organizers_copy_edit_and_cancel_an_activity(app: TestApp) {
    let s = app.scene().await;
    let now = this_minute();
    let body = activity_body(
        s.community,
        now - Duration::hours(2),
        now + Duration::hours(2),
    );
    let fence = json!({"lat": 31.8206, "lon": 117.2272, "radius_m": 200.0});
    let id = id_of(&create_activity(&app, &s.organizer, with(body, "geofence", fence)).await);
    let page = format!("/console/activities/{id}");

    // A copy starts as the original, to be changed.
    let (status, copy) = console_page(
        &app,
        &format!("/console/activities/new?from={id}"),
        Some(&s.organizer),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{copy}");
    assert_eq!(value_of(&copy, "title"), "敬老院义务理发");
    assert_eq!(value_of(&copy, "place"), "花园社区活动室");

    let (status, edit) = console_page(&app, &format!("{page}/edit"), Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{edit}");
    let token = csrf_token(&edit);
    let fields: Vec<(&str, String)> = [
        "date",
        "starts",
        "end_date",
        "ends",
        "place",
        "category",
        "organiser",
        "person_in_charge",
        "capacity",
        "fence_lat",
        "fence_lon",
        "fence_radius",
    ]
    .into_iter()
    .map(|name| (name, value_of(&edit, name)))
    .chain([
        ("csrf_token", token.clone()),
        ("title", "敬老院义务理发（第二期）".to_owned()),
        ("content", "为社区老人免费理发".to_owned()),
        ("qr_mode", "rotating".to_owned()),
    ])
    .collect();
    assert_eq!(value_of(&edit, "fence_lat"), "31.8206");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // Half an area is refused, saying why, and changes nothing.
    let half: Vec<(&str, &str)> = form
        .iter()
        .map(|&(k, v)| (k, if k == "fence_radius" { "" } else { v }))
        .collect();
    let (status, html) = post_form(&app, &format!("{page}/edit"), &s.organizer, &half).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("radius"), "{html}");
    let (_, stored) = app
        .get(&format!("/api/v1/activities/{id}"), Some(&s.organizer))
        .await;
    assert_eq!(stored["title"], "敬老院义务理发");

    let (status, _) = post_form(&app, &format!("{page}/edit"), &s.organizer, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, stored) = app
        .get(&format!("/api/v1/activities/{id}"), Some(&s.organizer))
        .await;
    assert_eq!(stored["title"], "敬老院义务理发（第二期）");
    assert_eq!(stored["qr_mode"], "rotating");
    assert_eq!(stored["place"], "花园社区活动室");
    assert_eq!(stored["geo_radius_m"], 200.0, "the edit keeps the geofence");

    let cancel = format!("{page}/cancel");
    let (status, _) = post_form(&app, &cancel, &s.organizer, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no cancel");
    let (status, _) = post_form(&app, &cancel, &s.organizer, &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, stored) = app
        .get(&format!("/api/v1/activities/{id}"), Some(&s.organizer))
        .await;
    assert_eq!(stored["status"], "cancelled");
    let (_, html) = console_page(&app, &page, Some(&s.organizer)).await;
    assert!(html.contains("活动已取消"), "{html}");
    // A cancelled activity is not edited: the form comes back saying why.
    let (status, html) = post_form(&app, &format!("{page}/edit"), &s.organizer, &form).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("未作任何更改"));
}
