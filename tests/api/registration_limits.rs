//! Self-registration is limited per client address, so that one client cannot probe which
//! phones and ID numbers are registered; staff registering on a volunteer's behalf are not.

use crate::both_backends;
use crate::support::{
    Service, TestApp, applicant, assert_error_parts, id_number, phone, send, settings,
};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

both_backends!(self_registrations_from_one_address_are_limited);

async fn self_registrations_from_one_address_are_limited(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let limited = Service::start(
        vledger::config::Settings {
            registrations_per_address_per_hour: 2,
            ..settings(&app.database_url)
        },
        None,
    )
    .await;
    let person = |n| applicant(&format!("志愿者{n}"), &id_number(n), &phone(n), community);
    let url = format!("{}/api/v1/volunteers", limited.base);
    for n in 1..=2 {
        let (status, _, body) = send(limited.client.post(&url).json(&person(n))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, headers, body) = send(limited.client.post(&url).json(&person(3))).await;
    assert_error_parts(
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    let wait: u64 = headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=1800).contains(&wait), "Retry-After {wait}");

    let by_staff = limited
        .client
        .post(&url)
        .bearer_auth(&admin)
        .json(&person(3));
    let (status, _, body) = send(by_staff).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let elsewhere = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let (status, _, body) = send(elsewhere.post(&url).json(&person(4))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    limited.stop().await;
}
