use crate::both_backends;
use crate::support::{TestApp, applicant, id_number, phone};
use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[track_caller]
pub(crate) fn assert_error(answer: &(StatusCode, Value), expected: StatusCode, code: &str) {
    let (status, body) = answer;
    assert_eq!(
        (*status, body["error"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

/// The district admin, one community and an organizer granted on it.
pub(crate) struct Scene {
    pub admin: String,
    pub street: i64,
    pub community: i64,
    pub organizer_id: i64,
    pub organizer: String,
}

pub(crate) async fn scene(app: &TestApp) -> Scene {
    let admin = app.district_admin().await;
    let (street, community) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    let (organizer_id, organizer) = app
        .staff(&admin, "organizer-a", "organizer", community)
        .await;
    Scene {
        admin,
        street,
        community,
        organizer_id,
        organizer,
    }
}

/// The current time to the minute, so that times survive every database unchanged.
pub(crate) fn this_minute() -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap()
}

pub(crate) fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"))
        .parse()
        .unwrap()
}

pub(crate) fn activity_body(
    unit_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Value {
    json!({
        "title": "敬老院义务理发",
        "unit_id": unit_id,
        "place": "花园社区活动室",
        "content": "为社区老人免费理发",
        "category": "扶老助残",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "qr_mode": "static",
    })
}

pub(crate) fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

pub(crate) async fn create_activity(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, activity) = app.post("/api/v1/activities", Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{activity}");
    activity
}

/// An activity of `unit_id` running from `starts_in` to `ends_in` from now, in `qr_mode`.
pub(crate) async fn activity_at(
    app: &TestApp,
    token: &str,
    unit_id: i64,
    starts_in: Duration,
    ends_in: Duration,
    qr_mode: &str,
) -> Value {
    let now = this_minute();
    let body = activity_body(unit_id, now + starts_in, now + ends_in);
    create_activity(app, token, with(body, "qr_mode", json!(qr_mode))).await
}

pub(crate) fn id_of(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id: {value}"))
}

/// A volunteer who registered themselves as person `n` and logged in with their phone:
/// `(id, token)`.
pub(crate) async fn volunteer(app: &TestApp, n: u32, community: i64) -> (i64, String) {
    let body = applicant(&format!("志愿者{n}"), &id_number(n), &phone(n), community);
    let (status, registered) = app.post("/api/v1/volunteers", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    (
        id_of(&registered),
        app.login(&phone(n), crate::support::PASSWORD).await,
    )
}

pub(crate) async fn qr_url(app: &TestApp, token: &str, activity: i64) -> String {
    let (status, qr) = app
        .get(&format!("/api/v1/activities/{activity}/qr"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{qr}");
    qr["url"].as_str().unwrap().to_owned()
}

pub(crate) async fn scan(app: &TestApp, token: Option<&str>, url: &str) -> (StatusCode, Value) {
    app.post("/api/v1/scans", token, json!({"url": url})).await
}

pub(crate) async fn attendances(app: &TestApp, token: &str, activity: i64) -> Vec<Value> {
    let (status, list) = app
        .get(
            &format!("/api/v1/activities/{activity}/attendances"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

/// A non-JSON answer: `(status, content type, text)`.
async fn fetch_text(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, String, String) {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let content_type = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status(), content_type, res.text().await.unwrap())
}

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

both_backends!(
    an_organizer_creates_an_activity_with_defaults_from_unit_and_caller,
    organiser_and_person_in_charge_can_be_given,
    an_organizer_of_another_community_may_not_create_an_activity,
    invalid_activities_are_refused_with_the_reason,
    the_list_holds_the_activities_of_the_subtree_within_the_period,
    an_edit_replaces_the_fields_and_is_audited_with_before_and_after,
    an_invalid_edit_changes_nothing,
    a_cancelled_activity_can_no_longer_be_scanned_or_edited,
    a_static_code_is_a_short_url_valid_until_the_end,
    a_rotating_code_differs_from_the_static_one_and_expires_within_a_minute,
    the_poster_is_an_a4_svg_with_title_place_and_scan_url,
    the_qr_image_is_an_svg,
    only_organizers_of_the_unit_see_codes_posters_and_attendances
);

async fn an_organizer_creates_an_activity_with_defaults_from_unit_and_caller(app: TestApp) {
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
    let (_, volunteer) = volunteer(&app, 1, s.community).await;
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

async fn a_static_code_is_a_short_url_valid_until_the_end(app: TestApp) {
    let s = scene(&app).await;
    let activity = activity_at(
        &app,
        &s.organizer,
        s.community,
        Duration::hours(1),
        Duration::hours(3),
        "static",
    )
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
    let s = scene(&app).await;
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
    let s = scene(&app).await;
    let starts = this_minute() + Duration::days(1);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let body = with(body, "title", json!("敬老 & 助残"));
    let body = with(body, "place", json!("活动室<二楼>"));
    let id = id_of(&create_activity(&app, &s.organizer, body).await);
    let url = qr_url(&app, &s.organizer, id).await;

    let path = format!("/api/v1/activities/{id}/poster.svg");
    let (status, content_type, svg) = fetch_text(&app, &path, Some(&s.organizer)).await;
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
    let s = scene(&app).await;
    let activity = activity_at(
        &app,
        &s.organizer,
        s.community,
        Duration::hours(1),
        Duration::hours(3),
        "rotating",
    )
    .await;
    let path = format!("/api/v1/activities/{}/qr.svg", id_of(&activity));
    let (status, content_type, svg) = fetch_text(&app, &path, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert_eq!(content_type, "image/svg+xml");
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    assert!(svg.contains("<path d=\"M"));
}

async fn only_organizers_of_the_unit_see_codes_posters_and_attendances(app: TestApp) {
    let s = scene(&app).await;
    let other = app
        .create_unit(&s.admin, "和平社区", "community", s.street)
        .await;
    let (_, stranger) = app.staff(&s.admin, "organizer-b", "organizer", other).await;
    let (_, volunteer) = volunteer(&app, 1, s.community).await;
    let activity = activity_at(
        &app,
        &s.organizer,
        s.community,
        Duration::hours(1),
        Duration::hours(3),
        "static",
    )
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
        let (status, _, body) = fetch_text(&app, &path, Some(&volunteer)).await;
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
