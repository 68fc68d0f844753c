//! Trainings in the console: recorded from the form with attendees named by volunteer number,
//! attendees added later all or nothing, and only for social workers and admins.

use crate::both_backends;
use crate::support::{
    TestApp, console_page, csrf_token, my_trainings, post_fields, record, training_body,
    trainings_of_unit,
};
use chrono::{Datelike, FixedOffset, Utc};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use vledger::domain::volunteer_no::volunteer_no;

both_backends!(
    social_workers_record_a_training_with_its_attendees_from_the_form,
    an_unknown_volunteer_number_is_refused_naming_it_and_no_attendee_is_stored,
    organizers_may_not_open_the_trainings,
);

/// Today in the display time zone.
fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
}

/// A training of `community` held today, recorded through the API, attended by `volunteer`.
async fn held_today(app: &TestApp, token: &str, community: i64, volunteer: i64) -> Value {
    let held_on = today().to_string();
    let body = training_body(community, &held_on, json!("2"), &[volunteer]);
    record(app, token, body).await
}

/// The form of a training held today by `community`, attended by `volunteers`.
fn training_form(community: i64, token: &str, volunteers: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", token.to_owned()),
        ("unit_id", community.to_string()),
        ("name", "急救技能培训".to_owned()),
        ("content", "心肺复苏\n止血包扎".to_owned()),
        ("study_hours", "2.5".to_owned()),
        ("host", "花园社区社会服务站".to_owned()),
        ("held_on", today().to_string()),
        ("volunteers", volunteers.to_owned()),
    ]
}

async fn social_workers_record_a_training_with_its_attendees_from_the_form(app: TestApp) {
    let c = app.classroom().await;
    let (status, html) = console_page(&app, "/console/trainings", Some(&c.social_worker)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token = csrf_token(&html);
    let numbers = format!(
        "{}\n{},",
        volunteer_no(c.v1.0),
        volunteer_no(c.v2.0).to_lowercase()
    );

    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/console/trainings", app.base))
        .header(COOKIE, format!("vledger_session={}", c.social_worker))
        .form(&training_form(c.community, &token, &numbers))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(page.starts_with("/console/trainings/"), "{page}");

    let (status, html) = console_page(&app, &page, Some(&c.social_worker)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for v in [c.v1.0, c.v2.0] {
        assert!(html.contains(&volunteer_no(v)), "{html}");
    }
    assert!(
        html.contains("急救技能培训") && html.contains("2.50"),
        "{html}"
    );

    let mine = my_trainings(&app, &c.v1.1, today().year()).await;
    assert_eq!(mine["study_hours"], "2.50");
    assert_eq!(mine["trainings"][0]["name"], "急救技能培训");
    assert_eq!(mine["trainings"][0]["host"], "花园社区社会服务站");
    let (_, html) = console_page(&app, "/console/trainings", Some(&c.social_worker)).await;
    assert!(html.contains("急救技能培训"), "{html}");
}

async fn an_unknown_volunteer_number_is_refused_naming_it_and_no_attendee_is_stored(app: TestApp) {
    let c = app.classroom().await;
    let (_, html) = console_page(&app, "/console/trainings", Some(&c.social_worker)).await;
    let token = csrf_token(&html);

    // On the new training's form: nothing recorded.
    let numbers = format!("{}, V999999999", volunteer_no(c.v1.0));
    let (status, html) = post_fields(
        &app,
        "/console/trainings",
        &c.social_worker,
        &training_form(c.community, &token, &numbers),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("未作任何更改") && html.contains("V999999999"),
        "{html}"
    );
    assert!(html.contains("急救技能培训"), "the form as typed: {html}");
    assert!(
        trainings_of_unit(&app, &c.admin, c.community)
            .await
            .is_empty()
    );

    // Adding to a recorded training: neither the known nor the unknown one is added.
    let training = held_today(&app, &c.social_worker, c.community, c.v1.0).await;
    let page = format!("/console/trainings/{}", training["id"]);
    let attendees = format!("{page}/attendees");
    let other = volunteer_no(c.other.0);
    for refused in ["V999999999", other.as_str()] {
        let typed = format!("{}\n{refused}", volunteer_no(c.v2.0));
        let form = vec![("csrf_token", token.clone()), ("volunteers", typed)];
        let (status, html) = post_fields(&app, &attendees, &c.social_worker, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(
            html.contains("未作任何更改") && html.contains(refused),
            "{html}"
        );
    }
    let (_, detail) = app
        .get(
            &format!("/api/v1/trainings/{}", training["id"]),
            Some(&c.social_worker),
        )
        .await;
    assert_eq!(detail["attendees"].as_array().unwrap().len(), 1, "{detail}");

    let form = vec![
        ("csrf_token", token.clone()),
        ("volunteers", volunteer_no(c.v2.0)),
    ];
    assert_eq!(
        post_fields(&app, &attendees, &c.social_worker, &form)
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    let (_, html) = console_page(&app, &page, Some(&c.social_worker)).await;
    assert!(html.contains(&volunteer_no(c.v2.0)), "{html}");
}

async fn organizers_may_not_open_the_trainings(app: TestApp) {
    let c = app.classroom().await;
    let training = held_today(&app, &c.social_worker, c.community, c.v1.0).await;
    for path in [
        "/console/trainings".to_owned(),
        format!("/console/trainings/{}", training["id"]),
    ] {
        let (status, _) = console_page(&app, &path, Some(&c.organizer)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (_, html) = console_page(&app, "/console", Some(&c.organizer)).await;
    let form = training_form(c.community, &csrf_token(&html), "");
    assert_eq!(
        post_fields(&app, "/console/trainings", &c.organizer, &form)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        trainings_of_unit(&app, &c.admin, c.community).await.len(),
        1
    );
}
