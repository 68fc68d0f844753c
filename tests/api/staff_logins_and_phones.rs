//! Staff logins and volunteers' phones are separate: a staff login that looks like a phone number
//! takes nothing from the volunteer who owns that number, and each logs in with their own
//! password.

use crate::both_backends;
use crate::support::{PASSWORD, TestApp, applicant, id_number, register, with};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_staff_login_that_looks_like_a_phone_does_not_take_it_from_a_volunteer);

const NUMBER: &str = "13800000000";
const VOLUNTEER_PASSWORD: &str = "volunteer-pass-1";

async fn a_staff_login_that_looks_like_a_phone_does_not_take_it_from_a_volunteer(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let staff_id = app.account(&admin, NUMBER).await;
    let body = applicant("陈静", &id_number(1), NUMBER, community);
    let volunteer = register(&app, with(body, "password", json!(VOLUNTEER_PASSWORD))).await;

    let staff = app.me(&app.login(NUMBER, PASSWORD).await).await;
    assert_eq!(
        (&staff["id"], &staff["is_volunteer"]),
        (&json!(staff_id), &json!(false))
    );
    for typed in [NUMBER, "+86 138 0000 0000"] {
        let me = app.me(&app.login(typed, VOLUNTEER_PASSWORD).await).await;
        assert_eq!(
            (&me["id"], &me["is_volunteer"]),
            (&volunteer["id"], &json!(true))
        );
    }
    let (status, _, _) = app.try_login(NUMBER, "neither-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
