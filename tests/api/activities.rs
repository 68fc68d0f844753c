//! Activities 志愿活动: created by an organizer of the unit with defaults from unit and caller,
//! refused when invalid, listed by subtree and period, edited with an audit, cancelled.

use crate::both_backends;
use crate::support::{
    TestApp, activity_at, activity_body, assert_error, attendances, create_activity, id_of, qr_url,
    scan, this_minute, time, with,
};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    an_organizer_creates_an_activity_with_defaults_from_unit_and_caller,
    organiser_and_person_in_charge_can_be_given,
    an_organizer_of_another_community_may_not_create_an_activity,
    invalid_activities_are_refused_with_the_reason,
    the_list_holds_the_activities_of_the_subtree_within_the_period,
    an_edit_replaces_the_fields_and_is_audited_with_before_and_after,
    an_invalid_edit_changes_nothing,
    a_cancelled_activity_can_no_longer_be_scanned_or_edited
);

fn ids(list: &Value) -> Vec<i64> {
    list.as_array().unwrap().iter().map(id_of).collect()
}

async fn list(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/activities?{query}"), Some(token))
        .await
}

fn query_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn an_organizer_creates_an_activity_with_defaults_from_unit_and_caller(app: TestApp) {
    let s = app.scene().await;
    let starts = this_minute() + Duration::days(1);
    let ends = starts + Duration::hours(3);
    let body = activity_body(s.community, starts, ends);
    let body = with(body, "capacity", json!(30));
    let body = with(
        body,
        "geofence",
        json!({"lat": 31.8206, "lon": 117.2272, "radius_m": 200.0}),
    );
    let activity = create_activity(&app, &s.organizer, body).await;
    assert!(activity["id"].as_i64().is_some());
    assert_eq!(activity["unit_id"], s.community);
    assert_eq!(activity["title"], "敬老院义务理发");
    assert_eq!(activity["place"], "花园社区活动室");
    assert_eq!(activity["content"], "为社区老人免费理发");
    assert_eq!(activity["category"], "扶老助残");
    assert_eq!(activity["organiser"], "花园社区");
    assert_eq!(activity["person_in_charge"], "organizer-a");
    assert_eq!(time(&activity["starts_at"]), starts);
    assert_eq!(time(&activity["ends_at"]), ends);
    assert_eq!(activity["capacity"], 30);
    assert_eq!(activity["geo_lat"], 31.8206);
    assert_eq!(activity["geo_lon"], 117.2272);
    assert_eq!(activity["geo_radius_m"], 200.0);
    assert_eq!(activity["qr_mode"], "static");
    assert_eq!(activity["status"], "scheduled");
    assert!(activity.get("qr_secret").is_none(), "{activity}");

    let (status, shown) = app
        .get(
            &format!("/api/v1/activities/{}", id_of(&activity)),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown, activity);
}

async fn organiser_and_person_in_charge_can_be_given(app: TestApp) {
    let s = app.scene().await;
    let starts = this_minute() + Duration::days(1);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let body = with(body, "organiser", json!("花园社区志愿服务队"));
    let body = with(body, "person_in_charge", json!("王老师"));
    let activity = create_activity(&app, &s.organizer, body).await;
    assert_eq!(activity["organiser"], "花园社区志愿服务队");
    assert_eq!(activity["person_in_charge"], "王老师");
    assert_eq!(activity["capacity"], Value::Null);
    assert_eq!(activity["geo_lat"], Value::Null);
}

async fn an_organizer_of_another_community_may_not_create_an_activity(app: TestApp) {
    let s = app.scene().await;
    let other = app
        .create_unit(&s.admin, "和平社区", "community", s.street)
        .await;
    let (_, stranger) = app.staff(&s.admin, "organizer-b", "organizer", other).await;
    let starts = this_minute() + Duration::days(1);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let answer = app
        .post("/api/v1/activities", Some(&stranger), body.clone())
        .await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = app.post("/api/v1/activities", None, body.clone()).await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized");
    let answer = app
        .post(
            "/api/v1/activities",
            Some(&s.organizer),
            with(body, "unit_id", json!(987_654)),
        )
        .await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found");
    let (_, listed) = list(&app, &s.admin, &format!("unit_id={}", s.community)).await;
    assert_eq!(listed, json!([]));
}

async fn invalid_activities_are_refused_with_the_reason(app: TestApp) {
    let s = app.scene().await;
    let starts = this_minute() + Duration::days(1);
    let valid = activity_body(s.community, starts, starts + Duration::hours(2));
    let cases = [
        ("ends_at", json!(starts), "invalid_time"),
        (
            "ends_at",
            json!(starts - Duration::hours(1)),
            "invalid_time",
        ),
        (
            "ends_at",
            json!(starts + Duration::hours(25)),
            "invalid_time",
        ),
        ("title", json!(""), "invalid_field"),
        ("title", json!("   "), "invalid_field"),
        ("title", json!("敬".repeat(101)), "invalid_field"),
        ("title", json!("敬老\u{0}理发"), "invalid_field"),
        ("place", json!(""), "invalid_field"),
        ("capacity", json!(0), "invalid_capacity"),
        ("capacity", json!(-5), "invalid_capacity"),
        (
            "geofence",
            json!({"lat": 95.0, "lon": 117.2, "radius_m": 200.0}),
            "invalid_geofence",
        ),
        (
            "geofence",
            json!({"lat": 31.8, "lon": 117.2, "radius_m": 1.0}),
            "invalid_geofence",
        ),
        ("qr_mode", json!("dynamic"), "invalid_body"),
        ("starts_at", json!("tomorrow"), "invalid_body"),
        ("capacity", json!(1u64 << 40), "invalid_body"),
    ];
    for (field, value, code) in cases {
        let body = with(valid.clone(), field, value);
        let answer = app
            .post("/api/v1/activities", Some(&s.organizer), body)
            .await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    for year in ["-5000", "1900", "2200"] {
        let body = with(
            valid.clone(),
            "starts_at",
            json!(format!("{year}-01-01T08:00:00Z")),
        );
        let body = with(body, "ends_at", json!(format!("{year}-01-01T10:00:00Z")));
        let answer = app
            .post("/api/v1/activities", Some(&s.organizer), body)
            .await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_time");
    }
    let (_, listed) = list(&app, &s.admin, &format!("unit_id={}", s.community)).await;
    assert_eq!(listed, json!([]));
}

async fn the_list_holds_the_activities_of_the_subtree_within_the_period(app: TestApp) {
    let s = app.scene().await;
    let sibling = app
        .create_unit(&s.admin, "和平社区", "community", s.street)
        .await;
    let (_, elsewhere) = app
        .street_and_community(&s.admin, "西湖街道", "光明社区")
        .await;
    let day = Duration::days(1);
    let two_hours = Duration::hours(2);
    let here = activity_at(&app, &s.admin, s.community, day, day + two_hours, "static").await;
    let later = activity_at(
        &app,
        &s.admin,
        sibling,
        day * 3,
        day * 3 + two_hours,
        "static",
    )
    .await;
    let past = activity_at(
        &app,
        &s.admin,
        s.community,
        -day * 40,
        -day * 40 + two_hours,
        "static",
    )
    .await;
    let away = activity_at(&app, &s.admin, elsewhere, day, day + two_hours, "static").await;

    let (status, street) = list(&app, &s.admin, &format!("unit_id={}", s.street)).await;
    assert_eq!(status, StatusCode::OK, "{street}");
    assert_eq!(ids(&street), vec![id_of(&here), id_of(&later)]);
    assert_eq!(street[0], here);

    let (_, community) = list(&app, &s.organizer, &format!("unit_id={}", s.community)).await;
    assert_eq!(ids(&community), vec![id_of(&here)]);

    let now = this_minute();
    let query = format!(
        "unit_id={}&from={}&to={}",
        s.street,
        query_time(now),
        query_time(now + day * 2)
    );
    let (_, window) = list(&app, &s.admin, &query).await;
    assert_eq!(ids(&window), vec![id_of(&here)]);

    let query = format!(
        "unit_id={}&from={}",
        s.community,
        query_time(now - day * 50)
    );
    let (_, with_past) = list(&app, &s.admin, &query).await;
    assert_eq!(ids(&with_past), vec![id_of(&past), id_of(&here)]);

    let query = format!("unit_id={}&from=-5000-01-01T00:00:00Z", s.community);
    let (status, from_antiquity) = list(&app, &s.admin, &query).await;
    assert_eq!(status, StatusCode::OK, "{from_antiquity}");
    assert_eq!(from_antiquity, with_past);

    let district = app.state.store.root_unit().await.unwrap().unwrap().id;
    let (_, all) = list(&app, &s.admin, &format!("unit_id={district}")).await;
    assert_eq!(ids(&all), vec![id_of(&here), id_of(&away), id_of(&later)]);

    let answer = list(&app, &s.organizer, &format!("unit_id={}", s.street)).await;
    assert_error(&answer, StatusCode::FORBIDDEN, "forbidden");
}

async fn an_edit_replaces_the_fields_and_is_audited_with_before_and_after(app: TestApp) {
    let s = app.scene().await;
    let starts = this_minute() + Duration::days(1);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let activity = create_activity(&app, &s.organizer, body.clone()).await;
    let id = id_of(&activity);

    let edited = with(body, "title", json!("敬老院义务理发（第二场）"));
    let edited = with(edited, "place", json!("花园社区二楼"));
    let edited = with(edited, "capacity", json!(12));
    let (status, answer) = app
        .put(
            &format!("/api/v1/activities/{id}"),
            Some(&s.organizer),
            edited,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["title"], "敬老院义务理发（第二场）");
    assert_eq!(answer["place"], "花园社区二楼");
    assert_eq!(answer["capacity"], 12);
    assert_eq!(answer["organiser"], "花园社区");
    assert_eq!(answer["person_in_charge"], "organizer-a");
    let (_, shown) = app
        .get(&format!("/api/v1/activities/{id}"), Some(&s.organizer))
        .await;
    assert_eq!(shown, answer);

    let (status, entries) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", s.community),
            Some(&s.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let updates: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "activity" && e["action"] == "update")
        .collect();
    assert_eq!(updates.len(), 1, "{entries}");
    let update = updates[0];
    assert_eq!(update["entity_id"].as_str(), Some(id.to_string().as_str()));
    assert_eq!(update["actor_id"], s.organizer_id);
    assert_eq!(update["unit_id"], s.community);
    assert_eq!(update["before"]["title"], "敬老院义务理发");
    assert_eq!(update["before"]["capacity"], Value::Null);
    assert_eq!(update["after"]["title"], "敬老院义务理发（第二场）");
    assert_eq!(update["after"]["capacity"], 12);
    assert!(update["after"].get("qr_secret").is_none());
}

async fn an_invalid_edit_changes_nothing(app: TestApp) {
    let s = app.scene().await;
    let starts = this_minute() + Duration::days(1);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let activity = create_activity(&app, &s.organizer, body.clone()).await;
    let id = id_of(&activity);
    let answer = app
        .put(
            &format!("/api/v1/activities/{id}"),
            Some(&s.organizer),
            with(body, "title", json!("")),
        )
        .await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (_, shown) = app
        .get(&format!("/api/v1/activities/{id}"), Some(&s.organizer))
        .await;
    assert_eq!(shown, activity);
}

async fn a_cancelled_activity_can_no_longer_be_scanned_or_edited(app: TestApp) {
    let s = app.scene().await;
    let (_, volunteer) = app.volunteer(1, s.community).await;
    let starts = this_minute() - Duration::minutes(10);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let activity = create_activity(&app, &s.organizer, body.clone()).await;
    let id = id_of(&activity);
    let url = qr_url(&app, &s.organizer, id).await;

    let (status, cancelled) = app
        .post(
            &format!("/api/v1/activities/{id}/cancel"),
            Some(&s.organizer),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["title"], activity["title"]);
    let (_, shown) = app
        .get(&format!("/api/v1/activities/{id}"), Some(&s.organizer))
        .await;
    assert_eq!(shown["status"], "cancelled");

    let answer = scan(&app, Some(&volunteer), &url).await;
    assert_error(&answer, StatusCode::CONFLICT, "activity_cancelled");
    let answer = app
        .put(
            &format!("/api/v1/activities/{id}"),
            Some(&s.organizer),
            body,
        )
        .await;
    assert_error(&answer, StatusCode::CONFLICT, "activity_cancelled");
    assert_eq!(
        attendances(&app, &s.organizer, id).await,
        Vec::<Value>::new()
    );
}
