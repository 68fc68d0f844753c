//! The organizer's activities in the console: hours waiting for confirmation (overdue first, with
//! the working days left), activities under way and coming up, only of their own units.

use crate::both_backends;
use crate::support::{
    Scene, TestApp, activity_body, attendances, console_page, create_activity, csrf_token,
    finished_activity, id_of, post_form, this_minute, with,
};
use chrono::Duration;
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::json;

both_backends!(
    organizers_see_what_to_confirm_overdue_first_and_what_is_under_way_and_coming,
    organizers_confirm_adjust_and_reject_on_the_activity_page,
    organizers_create_an_activity_from_the_form_in_local_time,
    a_crowded_activity_lists_its_attendances_a_page_at_a_time_and_downloads_them_all,
);

/// An activity of the scene's community titled `title`, from `starts` to `ends` hours from now.
async fn titled(app: &TestApp, s: &Scene, title: &str, starts: i64, ends: i64) -> i64 {
    let now = this_minute();
    let body = activity_body(
        s.community,
        now + Duration::hours(starts),
        now + Duration::hours(ends),
    );
    id_of(&create_activity(app, &s.organizer, with(body, "title", json!(title))).await)
}

async fn activities_page(app: &TestApp, session: Option<&str>) -> (StatusCode, String) {
    console_page(app, "/console/activities", session).await
}

/// The part of `html` from the element with `id` to the next card.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!(r#"id="{id}""#)).expect(id);
    let rest = &html[start..];
    &rest[..rest[1..]
        .find(r#"class="card""#)
        .map_or(rest.len(), |end| end + 1)]
}

async fn organizers_see_what_to_confirm_overdue_first_and_what_is_under_way_and_coming(
    app: TestApp,
) {
    let s = app.scene().await;
    let (volunteer, _) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let long_ago = titled(&app, &s, "上月敬老活动", -24 * 30, -24 * 30 + 2).await;
    let yesterday = titled(&app, &s, "昨日清洁活动", -24, -22).await;
    for id in [long_ago, yesterday] {
        let a = app.stored_activity(id).await;
        app.served(id, volunteer, a.starts_at, Some(a.ends_at))
            .await;
    }
    titled(&app, &s, "正在进行的义诊", -1, 2).await;
    titled(&app, &s, "下周读书会", 24 * 7, 24 * 7 + 2).await;

    let (status, html) = activities_page(&app, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let to_confirm = section(&html, "to-confirm");
    let (old, recent) = (
        to_confirm
            .find("上月敬老活动")
            .expect("the overdue one is listed"),
        to_confirm
            .find("昨日清洁活动")
            .expect("yesterday's is listed"),
    );
    assert!(old < recent, "overdue first: {to_confirm}");
    assert_eq!(to_confirm.matches("已逾期").count(), 1, "{to_confirm}");
    assert!(to_confirm.contains("剩余工作日"), "{to_confirm}");
    assert!(section(&html, "under_way").contains("正在进行的义诊"));
    assert!(section(&html, "upcoming").contains("下周读书会"));
    assert!(!section(&html, "upcoming").contains("正在进行的义诊"));
    let ended = section(&html, "ended_recently");
    assert!(ended.contains("昨日清洁活动"), "{ended}");
    assert!(!ended.contains("正在进行的义诊") && !ended.contains("下周读书会"));

    // An organizer of another community sees none of them.
    let (_, other_community) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app
        .staff(&s.admin, "organizer-b", "organizer", other_community)
        .await;
    let (status, html) = activities_page(&app, Some(&other)).await;
    assert_eq!(status, StatusCode::OK);
    for title in [
        "上月敬老活动",
        "昨日清洁活动",
        "正在进行的义诊",
        "下周读书会",
    ] {
        assert!(!html.contains(title), "{title} shown to another community");
    }
    // Logged out: the login form.
    let (status, html) = activities_page(&app, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains(r#"name="password""#));
}

async fn organizers_confirm_adjust_and_reject_on_the_activity_page(app: TestApp) {
    let s = app.scene().await;
    let (activity, start) = finished_activity(&app, &s).await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let v = app.registered_by(&s.admin, n, s.community).await;
        let served = app
            .served(activity, v, start, Some(start + Duration::hours(2)))
            .await;
        ids.push(served.to_string());
    }
    let page = format!("/console/activities/{activity}");
    let (status, html) = console_page(&app, &page, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("志愿者1") && html.contains("志愿者3"),
        "{html}"
    );
    let token = csrf_token(&html);
    let reviews = format!("{page}/reviews");
    let post = |form: Vec<(&'static str, String)>| {
        let (app, session, reviews) = (&app, s.organizer.clone(), reviews.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, &reviews, &session, &form).await
        }
    };
    let csrf = || ("csrf_token", token.clone());

    // A reason left out: the page says why, and nothing changes.
    let (status, html) = post(vec![
        csrf(),
        ("action", "adjust".into()),
        ("attendance_id", ids[1].clone()),
        ("minutes", "30".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未作任何更改"), "{html}");
    let adjust = vec![
        csrf(),
        ("action", "adjust".into()),
        ("attendance_id", ids[1].clone()),
        ("minutes", "30".into()),
        ("reason", "迟到一个半小时".into()),
    ];
    assert_eq!(post(adjust).await.0, StatusCode::SEE_OTHER);
    let reject = vec![
        csrf(),
        ("action", "reject".into()),
        ("attendance_id", ids[2].clone()),
        ("reason", "代他人签到".into()),
        ("fraudulent", "1".into()),
    ];
    assert_eq!(post(reject).await.0, StatusCode::SEE_OTHER);
    let confirm_all = vec![csrf(), ("action", "confirm_all".into())];
    assert_eq!(post(confirm_all.clone()).await.0, StatusCode::SEE_OTHER);

    let list = attendances(&app, &s.organizer, activity).await;
    let review_of = |id: &str| {
        let row = list
            .iter()
            .find(|r| r["id"] == json!(id.parse::<i64>().unwrap()))
            .unwrap();
        (row["review"].clone(), row["fraudulent"].clone())
    };
    assert_eq!(review_of(&ids[0]), (json!("confirmed"), json!(false)));
    assert_eq!(review_of(&ids[1]), (json!("adjusted"), json!(false)));
    assert_eq!(review_of(&ids[2]), (json!("rejected"), json!(true)));
    // Everything is reviewed now: confirming all again has nothing to do.
    let (status, html) = post(confirm_all).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");

    // Without the session's token, or for another community's organizer, nothing happens.
    let (status, _) = post_form(&app, &reviews, &s.organizer, &[("action", "confirm_all")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, other_community) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app
        .staff(&s.admin, "organizer-b", "organizer", other_community)
        .await;
    assert_eq!(
        console_page(&app, &page, Some(&other)).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn organizers_create_an_activity_from_the_form_in_local_time(app: TestApp) {
    let s = app.scene().await;
    let (status, html) = console_page(&app, "/console/activities/new", Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains(&format!(r#"<option value="{}""#, s.community)),
        "{html}"
    );
    let token = csrf_token(&html);
    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let tomorrow = (chrono::Utc::now().with_timezone(&china) + Duration::days(1))
        .date_naive()
        .to_string();
    let community = s.community.to_string();
    let form = |ends: &'static str| {
        vec![
            ("csrf_token", token.clone()),
            ("unit_id", community.clone()),
            ("title", "社区义诊".to_owned()),
            ("date", tomorrow.clone()),
            ("starts", "09:00".to_owned()),
            ("ends", ends.to_owned()),
            ("place", "社区卫生服务站".to_owned()),
            ("content", "为老人量血压".to_owned()),
            ("category", "医疗卫生".to_owned()),
            ("qr_mode", "rotating".to_owned()),
            ("capacity", "".to_owned()),
            ("organiser", "".to_owned()),
            ("person_in_charge", "".to_owned()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let (app, session) = (&app, s.organizer.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, "/console/activities", &session, &form).await
        }
    };

    // Ending before it starts: the form again, as typed, saying why.
    let (status, html) = send(form("08:00")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("未作任何更改") && html.contains(r#"value="社区义诊""#),
        "{html}"
    );

    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/console/activities", app.base))
        .header(COOKIE, format!("vledger_session={}", s.organizer))
        .form(&form("11:30"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let (status, activity) = app
        .get(&format!("/api/v1/activities/{id}"), Some(&s.organizer))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(activity["title"], "社区义诊");
    assert_eq!(activity["qr_mode"], "rotating");
    assert_eq!(activity["capacity"], serde_json::Value::Null);
    let starts = crate::support::time(&activity["starts_at"]).with_timezone(&china);
    assert_eq!(
        starts.format("%Y-%m-%d %H:%M").to_string(),
        format!("{tomorrow} 09:00")
    );
    let (status, page) = console_page(&app, &location, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("社区义诊"));

    // Another community's unit is out of the organizer's reach.
    let (_, other_community) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let mut elsewhere = form("11:30");
    elsewhere[1].1 = other_community.to_string();
    assert_eq!(send(elsewhere).await.0, StatusCode::FORBIDDEN);
}

async fn a_crowded_activity_lists_its_attendances_a_page_at_a_time_and_downloads_them_all(
    app: TestApp,
) {
    let s = app.scene().await;
    let (activity, start) = finished_activity(&app, &s).await;
    for n in 1..=52 {
        let v = app.registered_by(&s.admin, n, s.community).await;
        let out = (n != 52).then(|| start + Duration::hours(2));
        app.served(activity, v, start + Duration::seconds(n.into()), out)
            .await;
    }
    let page = format!("/console/activities/{activity}");
    let rows = |html: &str| html.matches(r#"<tr id="attendance-"#).count();

    let (status, first) = console_page(&app, &page, Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(rows(&first), 50, "fifty to a page");
    assert!(first.contains("志愿者1<") && !first.contains("志愿者51<"));
    assert!(
        first.contains(r#"<b>51</b>"#),
        "51 wait for review: {first}"
    );
    let (_, second) = console_page(&app, &format!("{page}?page=2"), Some(&s.organizer)).await;
    assert_eq!(rows(&second), 2, "{second}");
    assert!(second.contains("志愿者51<") && second.contains("志愿者52<"));

    let (_, present) =
        console_page(&app, &format!("{page}?show=present"), Some(&s.organizer)).await;
    assert_eq!(rows(&present), 1);
    assert!(present.contains("志愿者52<"), "{present}");
    let (_, found) = console_page(&app, &format!("{page}?q=志愿者5"), Some(&s.organizer)).await;
    assert_eq!(
        rows(&found),
        4,
        "志愿者5, 50, 51, 52: the names begin with the search"
    );
    let (_, none) = console_page(&app, &format!("{page}?q=%25"), Some(&s.organizer)).await;
    assert_eq!(rows(&none), 0, "a % is a character, not a wildcard");

    let csv = app
        .client
        .get(format!("{}{page}/attendances.csv", app.base))
        .header(COOKIE, format!("vledger_session={}", s.organizer))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = csv.text().await.unwrap();
    assert!(
        body.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 53, "a header and every attendance");
    assert!(lines[0].contains("志愿者编号"), "{}", lines[0]);
    assert!(lines[1].contains("志愿者1,"), "{}", lines[1]);

    // Another community's organizer gets neither the list nor the file.
    let (_, other_community) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app
        .staff(&s.admin, "organizer-b", "organizer", other_community)
        .await;
    let (status, _) = console_page(&app, &format!("{page}/attendances.csv"), Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
