//! Sign-up 招募报名: the public list of activities taking sign-ups (filtered, a volunteer's own
//! community first), places and the waiting list, cancelling before the start, the organizer's
//! list and closing recruitment, the race for the last place, check-ins without a place, and the
//! pages' forms.

use crate::both_backends;
use crate::support::{
    Db, Scene, TestApp, activity_body, assert_error, attendances, audit_entries, console_page,
    create_activity, csrf_token, id_of, post_form, qr_url, scan, this_minute, with,
};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use futures::future::join_all;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

both_backends!(
    the_list_shows_activities_taking_sign_ups_own_community_first,
    places_go_in_order_and_the_waiting_list_moves_up_on_cancel,
    organizers_list_sign_ups_and_close_and_reopen_recruitment,
    sign_ups_and_cancellations_end_at_the_start,
    the_last_place_goes_to_exactly_one_of_simultaneous_volunteers,
    a_check_in_without_a_place_is_flagged_where_sign_up_is_required,
    volunteers_sign_up_and_cancel_on_the_activity_page,
    organizers_require_sign_up_and_see_sign_ups_in_the_console,
    a_volunteer_sees_their_own_sign_ups_and_places,
);

/// An activity of `unit` starting `starts_in` from now and lasting two hours, with `extra` fields
/// (`capacity`, `signup_required`, `category`…) set: its id.
async fn upcoming(app: &TestApp, token: &str, unit: i64, starts_in: Duration, extra: Value) -> i64 {
    let starts = this_minute() + starts_in;
    let mut body = activity_body(unit, starts, starts + Duration::hours(2));
    for (field, value) in extra.as_object().unwrap() {
        body = with(body, field, value.clone());
    }
    id_of(&create_activity(app, token, body).await)
}

/// Volunteers `1..=n` of `community`, registered and logged in quickly: `(id, token)` each.
async fn people(app: &TestApp, s: &Scene, n: u32) -> Vec<(i64, String)> {
    let mut people = Vec::new();
    for person in 1..=n {
        people.push(app.quick_volunteer(&s.admin, person, s.community).await);
    }
    people
}

/// The scene and an activity of its community starting in a day with `capacity` places: its id.
async fn recruiting(app: &TestApp, capacity: i32) -> (Scene, i64) {
    let s = app.scene().await;
    let extra = json!({"capacity": capacity});
    let id = upcoming(app, &s.organizer, s.community, Duration::days(1), extra).await;
    (s, id)
}

async fn sign_up(app: &TestApp, token: &str, activity: i64) -> (StatusCode, Value) {
    let path = format!("/api/v1/activities/{activity}/signups");
    app.post(&path, Some(token), json!({})).await
}

/// A sign-up that must succeed: `(state, position)`.
#[track_caller]
fn placed(answer: &(StatusCode, Value)) -> (String, i64) {
    let (status, body) = answer;
    assert_eq!(*status, StatusCode::CREATED, "{body}");
    (
        body["state"].as_str().unwrap().to_owned(),
        body["position"].as_i64().unwrap(),
    )
}

async fn cancel(app: &TestApp, token: &str, activity: i64) -> (StatusCode, Value) {
    let path = format!("/api/v1/activities/{activity}/signups/me");
    app.request(reqwest::Method::DELETE, &path, Some(token), None)
        .await
}

async fn my_signup(app: &TestApp, token: &str, activity: i64) -> (StatusCode, Value) {
    let path = format!("/api/v1/activities/{activity}/signups/me");
    app.get(&path, Some(token)).await
}

/// The organizer's list: `(volunteer id, state, position)` in its order.
async fn signup_list(app: &TestApp, token: &str, activity: i64) -> Vec<(i64, String, i64)> {
    let path = format!("/api/v1/activities/{activity}/signups");
    let (status, list) = app.get(&path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["volunteer_id"].as_i64().unwrap(),
                s["state"].as_str().unwrap().to_owned(),
                s["position"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The public list as `token` (if any) gets it with `query`.
async fn open_list(app: &TestApp, token: Option<&str>, query: &str) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/api/v1/public/activities?{query}"), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

fn listed_ids(list: &[Value]) -> Vec<i64> {
    list.iter().map(id_of).collect()
}

async fn set_recruitment(
    app: &TestApp,
    token: &str,
    activity: i64,
    open: bool,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/activities/{activity}/recruitment");
    app.post(&path, Some(token), json!({"open": open})).await
}

/// `t` as a query value.
fn q(t: DateTime<Utc>) -> String {
    t.to_rfc3339().replace('+', "%2B")
}

async fn the_list_shows_activities_taking_sign_ups_own_community_first(app: TestApp) {
    let s = app.scene().await;
    let district = app.district_id().await;
    let neighbour = app
        .create_unit(&s.admin, "桃源社区", "community", s.street)
        .await;
    let (far_street, far) = app
        .street_and_community(&s.admin, "西湖街道", "柳岸社区")
        .await;
    let day = Duration::days(1);
    // By start: the district's, a neighbour's, the street's own, then the volunteer's community's.
    let at_district = upcoming(&app, &s.admin, district, day, json!({})).await;
    let at_far = upcoming(&app, &s.admin, far, day * 2, json!({"capacity": 5})).await;
    let at_neighbour = upcoming(&app, &s.admin, neighbour, day * 3, json!({})).await;
    let at_street = upcoming(&app, &s.admin, s.street, day * 4, json!({})).await;
    let at_home = upcoming(
        &app,
        &s.organizer,
        s.community,
        day * 5,
        json!({"category": "环境保护", "signup_required": true}),
    )
    .await;
    // None of these takes sign-ups: started, cancelled, closed.
    let started = upcoming(
        &app,
        &s.organizer,
        s.community,
        -Duration::hours(1),
        json!({}),
    )
    .await;
    let cancelled = upcoming(&app, &s.organizer, s.community, day, json!({})).await;
    let path = format!("/api/v1/activities/{cancelled}/cancel");
    assert_eq!(
        app.post(&path, Some(&s.organizer), json!({})).await.0,
        StatusCode::OK
    );
    let closed = upcoming(&app, &s.organizer, s.community, day, json!({})).await;
    assert_eq!(
        set_recruitment(&app, &s.organizer, closed, false).await.0,
        StatusCode::OK
    );

    // Anyone: by start.
    let by_start = vec![at_district, at_far, at_neighbour, at_street, at_home];
    let anyone = open_list(&app, None, "").await;
    assert_eq!(listed_ids(&anyone), by_start);
    for hidden in [started, cancelled, closed] {
        assert!(!listed_ids(&anyone).contains(&hidden), "{hidden} is listed");
    }
    let home = &anyone[4];
    assert_eq!(home["title"], "敬老院义务理发");
    assert_eq!(home["unit"], "花园社区");
    assert_eq!(home["unit_id"], s.community);
    assert_eq!(home["place"], "花园社区活动室");
    assert_eq!(home["category"], "环境保护");
    assert_eq!(home["signup_required"], true);
    assert_eq!(home["recruitment_open"], true);
    assert_eq!(home["capacity"], Value::Null);
    assert_eq!(home["signed_up"], 0);
    assert_eq!(home["mine"], Value::Null);
    assert!(home["starts_at"].is_string() && home["ends_at"].is_string());
    assert_eq!(anyone[1]["capacity"], 5);

    // A volunteer of 花园社区: their community, then their street's (by start), then the rest.
    let (_, volunteer) = app.volunteer(1, s.community).await;
    assert_eq!(
        placed(&sign_up(&app, &volunteer, at_far).await).0,
        "confirmed"
    );
    let mine = open_list(&app, Some(&volunteer), "").await;
    assert_eq!(
        listed_ids(&mine),
        vec![at_home, at_neighbour, at_street, at_district, at_far]
    );
    assert_eq!(mine[4]["mine"], "confirmed");
    assert_eq!(mine[4]["signed_up"], 1);

    // Filters: category, unit, dates (days or times), a page at a time.
    let green = open_list(
        &app,
        Some(&volunteer),
        "category=%E7%8E%AF%E5%A2%83%E4%BF%9D%E6%8A%A4",
    )
    .await;
    assert_eq!(listed_ids(&green), vec![at_home]);
    let west = open_list(&app, None, &format!("unit_id={far_street}")).await;
    assert_eq!(listed_ids(&west), vec![at_far]);
    let street = open_list(&app, None, &format!("unit_id={}", s.street)).await;
    assert_eq!(listed_ids(&street), vec![at_neighbour, at_street, at_home]);
    let now = this_minute();
    let middle = format!("from={}&to={}", q(now + day * 2), q(now + day * 4));
    assert_eq!(
        listed_ids(&open_list(&app, None, &middle).await),
        vec![at_far, at_neighbour]
    );
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
    let date = |d: Duration| (now + d).with_timezone(&beijing).date_naive();
    let later = format!("from={}", date(day * 10));
    assert!(open_list(&app, None, &later).await.is_empty());
    let until = format!("to={}", date(day * 10));
    assert_eq!(listed_ids(&open_list(&app, None, &until).await), by_start);
    let page = open_list(&app, None, "limit=2&offset=1").await;
    assert_eq!(listed_ids(&page), vec![at_far, at_neighbour]);
    assert_eq!(open_list(&app, None, "limit=100000").await.len(), 5);

    let bad = app
        .get("/api/v1/public/activities?from=next-week", None)
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_query");
    let unknown = app
        .get("/api/v1/public/activities?unit_id=99999", None)
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "not_found");

    // One activity, whatever its state.
    let path = format!("/api/v1/public/activities/{closed}");
    let (status, one) = app.get(&path, None).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["recruitment_open"], false);
}

async fn places_go_in_order_and_the_waiting_list_moves_up_on_cancel(app: TestApp) {
    let (s, id) = recruiting(&app, 2).await;
    let people = people(&app, &s, 4).await;
    let token = |n: usize| people[n - 1].1.as_str();
    let id_of_person = |n: usize| people[n - 1].0;

    let mut answers = Vec::new();
    for n in 1..=4 {
        answers.push(placed(&sign_up(&app, token(n), id).await));
    }
    let expect = |s: &str, p| (s.to_owned(), p);
    assert_eq!(
        answers,
        vec![
            expect("confirmed", 1),
            expect("confirmed", 2),
            expect("waitlisted", 1),
            expect("waitlisted", 2)
        ]
    );
    let again = sign_up(&app, token(1), id).await;
    assert_error(&again, StatusCode::CONFLICT, "already_signed_up");
    let (status, mine) = my_signup(&app, token(4), id).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(
        (mine["state"].as_str(), mine["position"].as_i64()),
        (Some("waitlisted"), Some(2))
    );
    let listed = &open_list(&app, Some(token(3)), "").await[0];
    assert_eq!(
        (listed["signed_up"].as_i64(), listed["waitlisted"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(listed["mine"], "waitlisted");

    // The first cancels: the first waiting takes the place, the other moves up the list.
    let (status, body) = cancel(&app, token(1), id).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        signup_list(&app, &s.organizer, id).await,
        vec![
            (id_of_person(2), "confirmed".into(), 1),
            (id_of_person(3), "confirmed".into(), 2),
            (id_of_person(4), "waitlisted".into(), 1),
        ]
    );
    assert_error(
        &cancel(&app, token(1), id).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &my_signup(&app, token(1), id).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // Someone waiting who cancels frees no place.
    assert_eq!(cancel(&app, token(4), id).await.0, StatusCode::NO_CONTENT);
    // Signing up again is joining the end of the list.
    assert_eq!(
        placed(&sign_up(&app, token(1), id).await),
        expect("waitlisted", 1)
    );
    // A raised capacity gives its places to the waiting list at once.
    let starts = this_minute() + Duration::days(1);
    let body = with(
        activity_body(s.community, starts, starts + Duration::hours(2)),
        "capacity",
        json!(3),
    );
    let (status, edited) = app
        .put(
            &format!("/api/v1/activities/{id}"),
            Some(&s.organizer),
            body,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let (_, mine) = my_signup(&app, token(1), id).await;
    assert_eq!(
        (mine["state"].as_str(), mine["position"].as_i64()),
        (Some("confirmed"), Some(3))
    );

    // Each change is audited, the move up as made by whoever freed the place.
    let moved = audit_entries(&app, &s.admin, s.community, "move_up").await;
    assert_eq!(moved.len(), 2, "{moved:?}");
    assert_eq!(
        moved
            .iter()
            .filter(|e| e["actor_id"] == id_of_person(1))
            .count(),
        1
    );
    assert_eq!(
        audit_entries(&app, &s.admin, s.community, "sign_up")
            .await
            .len(),
        5
    );
    assert_eq!(
        audit_entries(&app, &s.admin, s.community, "cancel_signup")
            .await
            .len(),
        2
    );

    // Without a capacity everyone has a place; only volunteers sign up.
    let open = upcoming(
        &app,
        &s.organizer,
        s.community,
        Duration::days(1),
        json!({}),
    )
    .await;
    for n in 1..=4 {
        assert_eq!(
            placed(&sign_up(&app, token(n), open).await),
            expect("confirmed", n as i64)
        );
    }
    let staff = sign_up(&app, &s.organizer, open).await;
    assert_error(&staff, StatusCode::FORBIDDEN, "not_a_volunteer");
    let path = format!("/api/v1/activities/{open}/signups");
    assert_error(
        &app.post(&path, None, json!({})).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        &sign_up(&app, token(1), open + 1000).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn organizers_list_sign_ups_and_close_and_reopen_recruitment(app: TestApp) {
    let (s, id) = recruiting(&app, 1).await;
    let [(v1, first), (v2, second), (_, third)]: [_; 3] =
        people(&app, &s, 3).await.try_into().unwrap();
    placed(&sign_up(&app, &first, id).await);
    placed(&sign_up(&app, &second, id).await);

    let path = format!("/api/v1/activities/{id}/signups");
    let (status, list) = app.get(&path, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let row = &list[0];
    assert_eq!(row["volunteer_id"], v1);
    assert_eq!(row["name"], "志愿者1");
    assert!(row["volunteer_no"].is_string());
    assert_eq!(
        (row["state"].as_str(), row["position"].as_i64()),
        (Some("confirmed"), Some(1))
    );
    assert!(row["signed_up_at"].is_string());
    assert_eq!(row["attendance"], Value::Null);
    assert_eq!(
        (list[1]["volunteer_id"].as_i64(), list[1]["state"].as_str()),
        (Some(v2), Some("waitlisted"))
    );
    // The unit's admin too; not another community's organizer, nor a volunteer.
    assert_eq!(app.get(&path, Some(&s.admin)).await.0, StatusCode::OK);
    let (_, elsewhere) = app
        .street_and_community(&s.admin, "西湖街道", "柳岸社区")
        .await;
    let (_, other) = app
        .staff(&s.admin, "organizer-b", "organizer", elsewhere)
        .await;
    assert_error(
        &app.get(&path, Some(&other)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &app.get(&path, Some(&first)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &set_recruitment(&app, &other, id, false).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let missing = format!("/api/v1/activities/{}/signups", id + 1000);
    assert_error(
        &app.get(&missing, Some(&s.organizer)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // Closed: no more sign-ups and off the list; cancelling still frees a place for the waiting.
    let (status, closed) = set_recruitment(&app, &s.organizer, id, false).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["recruitment_open"], false);
    assert_error(
        &sign_up(&app, &third, id).await,
        StatusCode::CONFLICT,
        "recruitment_closed",
    );
    assert!(open_list(&app, None, "").await.is_empty());
    assert_eq!(cancel(&app, &first, id).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        signup_list(&app, &s.organizer, id).await,
        vec![(v2, "confirmed".into(), 1)]
    );
    assert_eq!(
        audit_entries(&app, &s.admin, s.community, "close_recruitment")
            .await
            .len(),
        1
    );

    // Reopened: sign-ups again.
    let (status, reopened) = set_recruitment(&app, &s.organizer, id, true).await;
    assert_eq!(status, StatusCode::OK, "{reopened}");
    assert_eq!(reopened["recruitment_open"], true);
    assert_eq!(placed(&sign_up(&app, &third, id).await).0, "waitlisted");
    let bad = app
        .post(
            &format!("/api/v1/activities/{id}/recruitment"),
            Some(&s.organizer),
            json!({"open": "yes"}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");

    // A cancelled activity takes no sign-up, and its recruitment stays as it is.
    let path = format!("/api/v1/activities/{id}/cancel");
    assert_eq!(
        app.post(&path, Some(&s.organizer), json!({})).await.0,
        StatusCode::OK
    );
    assert_error(
        &sign_up(&app, &first, id).await,
        StatusCode::CONFLICT,
        "activity_cancelled",
    );
    let changed = set_recruitment(&app, &s.organizer, id, false).await;
    assert_error(&changed, StatusCode::CONFLICT, "activity_cancelled");
}

async fn sign_ups_and_cancellations_end_at_the_start(app: TestApp) {
    let s = app.scene().await;
    // Starting in two seconds.
    let starts = Utc::now() + Duration::seconds(2);
    let body = activity_body(s.community, starts, starts + Duration::hours(1));
    let id = id_of(&create_activity(&app, &s.organizer, body).await);
    let [(_, first), (_, second)]: [_; 2] = people(&app, &s, 2).await.try_into().unwrap();
    assert_eq!(
        placed(&sign_up(&app, &first, id).await),
        ("confirmed".into(), 1)
    );
    let wait = (starts - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + std::time::Duration::from_millis(200)).await;

    assert_error(
        &sign_up(&app, &second, id).await,
        StatusCode::CONFLICT,
        "recruitment_closed",
    );
    assert_error(
        &cancel(&app, &first, id).await,
        StatusCode::CONFLICT,
        "activity_started",
    );
    assert_eq!(my_signup(&app, &first, id).await.0, StatusCode::OK);
    assert!(open_list(&app, None, "").await.is_empty());
}

async fn the_last_place_goes_to_exactly_one_of_simultaneous_volunteers(app: TestApp) {
    let (s, id) = recruiting(&app, 3).await;
    let people = people(&app, &s, 10).await;
    for (_, token) in &people[..2] {
        placed(&sign_up(&app, token, id).await);
    }
    // Eight at once for the one place left.
    let answers = join_all(
        people[2..]
            .iter()
            .map(|(_, token)| sign_up(&app, token, id)),
    )
    .await;
    let mut states: Vec<(String, i64)> = answers.iter().map(placed).collect();
    states.sort();
    let mut expected = vec![("confirmed".to_owned(), 3)];
    expected.extend((1..=7).map(|p| ("waitlisted".to_owned(), p)));
    assert_eq!(states, expected);

    let mut db = Db::open(&app).await;
    let held = "SELECT COUNT(*) FROM signups WHERE activity_id = ? AND state = 'confirmed'";
    assert_eq!(db.number(held, &[id]).await, 3);

    // Three holders cancel at once: the first three waiting take their places, in order.
    let winner = answers
        .iter()
        .position(|a| a.1["state"] == "confirmed")
        .unwrap();
    let (_, winner) = &people[2 + winner];
    let retries = people[..2].iter().map(|(_, t)| cancel(&app, t, id));
    let cancels = join_all(retries.chain([cancel(&app, winner, id)])).await;
    assert!(
        cancels.iter().all(|c| c.0 == StatusCode::NO_CONTENT),
        "{cancels:?}"
    );
    let list = signup_list(&app, &s.organizer, id).await;
    let confirmed: Vec<i64> = list
        .iter()
        .filter(|s| s.1 == "confirmed")
        .map(|s| s.2)
        .collect();
    let waiting: Vec<i64> = list
        .iter()
        .filter(|s| s.1 == "waitlisted")
        .map(|s| s.2)
        .collect();
    assert_eq!((confirmed, waiting), (vec![1, 2, 3], vec![1, 2, 3, 4]));
}

async fn a_check_in_without_a_place_is_flagged_where_sign_up_is_required(app: TestApp) {
    let s = app.scene().await;
    // Check-in opens 30 minutes before the start: these take scans and sign-ups now.
    let soon = Duration::minutes(10);
    let required = upcoming(
        &app,
        &s.organizer,
        s.community,
        soon,
        json!({"signup_required": true}),
    )
    .await;
    let optional = upcoming(&app, &s.organizer, s.community, soon, json!({})).await;
    let [(_, signed), (_, walk_in)]: [_; 2] = people(&app, &s, 2).await.try_into().unwrap();
    placed(&sign_up(&app, &signed, required).await);

    let url = qr_url(&app, &s.organizer, required).await;
    let (status, body) = scan(&app, Some(&signed), &url).await;
    assert_eq!(
        (status, body["without_signup"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{body}"
    );
    let (status, body) = scan(&app, Some(&walk_in), &url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "checked_in", "allowed");
    assert_eq!(body["without_signup"], true, "flagged");
    let rows = attendances(&app, &s.organizer, required).await;
    let flags: Vec<bool> = rows
        .iter()
        .map(|r| r["without_signup"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, vec![false, true]);
    let list = signup_list(&app, &s.organizer, required).await;
    assert_eq!(list.len(), 1);
    let (_, full) = app
        .get(
            &format!("/api/v1/activities/{required}/signups"),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(full[0]["attendance"], "checked_in");
    // The console shows the flag where it shows the location's.
    let (_, page) = console_page(
        &app,
        &format!("/console/activities/{required}"),
        Some(&s.organizer),
    )
    .await;
    assert_eq!(
        page.matches("未报名签到（本活动需报名）").count(),
        1,
        "{page}"
    );
    // Where sign-up is optional, nobody is flagged.
    let url = qr_url(&app, &s.organizer, optional).await;
    let (status, body) = scan(&app, Some(&walk_in), &url).await;
    assert_eq!(
        (status, body["without_signup"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{body}"
    );

    // A place held by a sign-up is kept for its holder: the walk-in finds the activity full.
    let limited = upcoming(
        &app,
        &s.organizer,
        s.community,
        soon,
        json!({"capacity": 1}),
    )
    .await;
    placed(&sign_up(&app, &signed, limited).await);
    let url = qr_url(&app, &s.organizer, limited).await;
    assert_error(
        &scan(&app, Some(&walk_in), &url).await,
        StatusCode::CONFLICT,
        "activity_full",
    );
    let (status, body) = scan(&app, Some(&signed), &url).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("checked_in")),
        "{body}"
    );
}

/// The activity's page as `session`'s browser gets it.
async fn activity_page(app: &TestApp, id: i64, session: Option<&str>) -> (StatusCode, String) {
    console_page(app, &format!("/activities/{id}"), session).await
}

async fn volunteers_sign_up_and_cancel_on_the_activity_page(app: TestApp) {
    let (s, id) = recruiting(&app, 1).await;
    let [(_, first), (_, second)]: [_; 2] = people(&app, &s, 2).await.try_into().unwrap();

    // The landing page leads to the list, the list to the activity.
    let (status, landing) = console_page(&app, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(landing.contains(r#"href="/activities""#), "{landing}");
    let (status, list) = console_page(&app, "/activities", None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(
        list.contains(&format!(r#"href="/activities/{id}""#)),
        "{list}"
    );
    assert!(
        list.contains(r#"href="/me""#),
        "logged out: a way to log in"
    );

    // Logged out: the activity and a way to log in, no form.
    let (status, html) = activity_page(&app, id, None).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("敬老院义务理发") && html.contains(r#"href="/me""#),
        "{html}"
    );
    assert!(!html.contains("csrf_token"), "{html}");

    // Signing up through the form, in the volunteer's session.
    let (_, html) = activity_page(&app, id, Some(&first)).await;
    assert!(html.contains("我要报名"), "{html}");
    let token = csrf_token(&html);
    let form = format!("/activities/{id}/signup");
    let (status, _) = post_form(&app, &form, &first, &[]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a post without the session's token"
    );
    let (status, _) = post_form(&app, &form, &first, &[("csrf_token", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(
        &my_signup(&app, &first, id).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let answer = crate::support::browser()
        .post(format!("{}{form}", app.base))
        .header(reqwest::header::COOKIE, format!("vledger_session={first}"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        answer.headers()[LOCATION],
        format!("/activities/{id}?done=confirmed")
    );
    let (_, html) = console_page(
        &app,
        &format!("/activities/{id}?done=confirmed"),
        Some(&first),
    )
    .await;
    assert!(html.contains("报名成功！"), "{html}");
    assert!(html.contains("您已报名，序号 1"), "{html}");
    assert!(html.contains("1 / 1"), "{html}");

    // The second lands on the waiting list, and moves up when the first cancels.
    let (_, html) = activity_page(&app, id, Some(&second)).await;
    let (status, _) = post_form(&app, &form, &second, &[("csrf_token", &csrf_token(&html))]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = activity_page(&app, id, Some(&second)).await;
    assert!(html.contains("您在候补名单中，位次 1"), "{html}");
    let (status, html) =
        post_form(&app, &form, &second, &[("csrf_token", &csrf_token(&html))]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("您已报名此活动。"),
        "the refusal on the page: {html}"
    );

    let (_, html) = activity_page(&app, id, Some(&first)).await;
    let cancel_form = format!("/activities/{id}/signup/cancel");
    let (status, _) = post_form(&app, &cancel_form, &first, &[]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a cancel without the session's token"
    );
    let (status, _) = post_form(
        &app,
        &cancel_form,
        &first,
        &[("csrf_token", &csrf_token(&html))],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = console_page(
        &app,
        &format!("/activities/{id}?done=cancelled"),
        Some(&first),
    )
    .await;
    assert!(
        html.contains("已取消报名。") && html.contains("我要报名"),
        "{html}"
    );
    let (_, html) = activity_page(&app, id, Some(&second)).await;
    assert!(html.contains("您已报名，序号 1"), "{html}");

    // In English on request; a closed activity says so and offers no form.
    let (_, html) = console_page(&app, &format!("/activities/{id}?lang=en"), Some(&first)).await;
    assert!(
        html.contains("Sign me up") && html.contains(r#"lang="en""#),
        "{html}"
    );
    set_recruitment(&app, &s.organizer, id, false).await;
    let (_, html) = activity_page(&app, id, Some(&first)).await;
    assert!(
        html.contains("报名已截止。") && !html.contains("我要报名"),
        "{html}"
    );
    let (status, _) = activity_page(&app, id + 1000, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The list filters by category and dates; a bad date is said on the page.
    let (_, html) = console_page(
        &app,
        "/activities?category=%E6%89%B6%E8%80%81%E5%8A%A9%E6%AE%8B",
        Some(&first),
    )
    .await;
    assert!(html.contains("暂无正在招募的活动。"), "closed: {html}");
    let (status, html) = console_page(&app, "/activities?from=soon", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("日期格式应为"), "{html}");
}

async fn organizers_require_sign_up_and_see_sign_ups_in_the_console(app: TestApp) {
    let s = app.scene().await;
    let (_, form) = console_page(&app, "/console/activities/new", Some(&s.organizer)).await;
    let token = csrf_token(&form);
    let day = (Utc::now() + Duration::days(3))
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
        .to_string();
    let unit = s.community.to_string();
    let fields = [
        ("csrf_token", token.as_str()),
        ("unit_id", unit.as_str()),
        ("title", "河道清洁"),
        ("date", day.as_str()),
        ("starts", "09:00"),
        ("ends", "11:00"),
        ("place", "南淝河畔"),
        ("content", "清理河岸垃圾"),
        ("category", "环境保护"),
        ("qr_mode", "static"),
        ("capacity", "1"),
        ("signup_required", "1"),
    ];
    let (status, body) = post_form(&app, "/console/activities", &s.organizer, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let listed = &open_list(&app, None, "").await[0];
    assert_eq!(
        (
            listed["title"].as_str(),
            listed["signup_required"].as_bool()
        ),
        (Some("河道清洁"), Some(true))
    );
    let id = id_of(listed);
    let [(_, first), (_, second)]: [_; 2] = people(&app, &s, 2).await.try_into().unwrap();
    placed(&sign_up(&app, &first, id).await);
    placed(&sign_up(&app, &second, id).await);

    let page = format!("/console/activities/{id}");
    let (status, html) = console_page(&app, &page, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("志愿者1") && html.contains("志愿者2"),
        "{html}"
    );
    assert!(html.contains("1 / 1"), "{html}");
    assert!(html.contains("报名进行中"), "{html}");
    // Closing recruitment from the page, and reopening it.
    let recruitment = format!("{page}/recruitment");
    let (status, _) = post_form(&app, &recruitment, &s.organizer, &[("open", "false")]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a post without the session's token"
    );
    let token = csrf_token(&html);
    let (status, _) = post_form(
        &app,
        &recruitment,
        &s.organizer,
        &[("csrf_token", &token), ("open", "false")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = console_page(&app, &page, Some(&s.organizer)).await;
    assert!(
        html.contains("报名已截止") && html.contains("重新开放报名"),
        "{html}"
    );
    assert!(open_list(&app, None, "").await.is_empty());
    let (status, _) = post_form(
        &app,
        &recruitment,
        &s.organizer,
        &[("csrf_token", &token), ("open", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(open_list(&app, None, "").await.len(), 1);
    // The edit form keeps the requirement.
    let (_, edit) = console_page(&app, &format!("{page}/edit"), Some(&s.organizer)).await;
    assert!(
        edit.contains(r#"name="signup_required" value="1" checked"#),
        "{edit}"
    );
}

/// `(id, state, position, status)` of each sign-up a volunteer's list shows, as `who` asks.
async fn own_list(app: &TestApp, token: &str, who: &str) -> Vec<(i64, String, i64, String)> {
    let (status, list) = app
        .get(&format!("/api/v1/volunteers/{who}/signups"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    (list.as_array().unwrap().iter())
        .map(|a| {
            let position = a["position"].as_i64().unwrap();
            (id_of(a), text(&a["state"]), position, text(&a["status"]))
        })
        .collect()
}

async fn a_volunteer_sees_their_own_sign_ups_and_places(app: TestApp) {
    let (s, first) = recruiting(&app, 1).await;
    let later = upcoming(
        &app,
        &s.organizer,
        s.community,
        Duration::days(2),
        json!({}),
    )
    .await;
    let people = people(&app, &s, 2).await;
    let (one, two) = (people[0].1.as_str(), people[1].1.as_str());
    for (token, activity) in [(one, first), (two, later), (two, first)] {
        let (status, body) = sign_up(&app, token, activity).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let row = |id, state: &str, position, status: &str| (id, state.into(), position, status.into());
    assert_eq!(
        own_list(&app, two, "me").await,
        [
            row(first, "waitlisted", 1, "scheduled"),
            row(later, "confirmed", 1, "scheduled")
        ]
    );

    // The first cancels: the second moves up; the later activity is called off.
    let (status, _) = cancel(&app, one, first).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let path = format!("/api/v1/activities/{later}/cancel");
    let (status, body) = app.post(&path, Some(&s.organizer), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now = [
        row(first, "confirmed", 1, "scheduled"),
        row(later, "confirmed", 1, "cancelled"),
    ];
    assert_eq!(own_list(&app, two, "me").await, now);
    assert_eq!(own_list(&app, one, "me").await, []);
    // Staff of the community see them too; another volunteer does not.
    let who = people[1].0.to_string();
    assert_eq!(own_list(&app, &s.organizer, &who).await, now);
    let (status, _) = app
        .get(&format!("/api/v1/volunteers/{who}/signups"), Some(one))
        .await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
        "{status}"
    );
}
