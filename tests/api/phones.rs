//! Phone numbers 手机号: masked in lists and for staff with no call to make; in full, one volunteer
//! at a time and written to the audit log, for those who must call.

use crate::both_backends;
use crate::support::{TestApp, audit_entries, finished_activity, phone, sorted, volunteers_of};
use chrono::Duration;
use reqwest::StatusCode;

both_backends!(
    lists_show_phone_numbers_masked,
    social_workers_and_admins_of_the_community_see_the_full_number_and_it_is_audited,
    an_organizer_sees_the_number_of_a_volunteer_who_attended_their_activity
);

/// The phone number of `volunteer` in their profile as `token` sees it.
async fn phone_seen(app: &TestApp, token: &str, volunteer: i64) -> String {
    let (status, profile) = app
        .get(&format!("/api/v1/volunteers/{volunteer}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    profile["phone"].as_str().unwrap().to_owned()
}

async fn lists_show_phone_numbers_masked(app: TestApp) {
    let (admin, street, community) = app.district_with_community().await;
    app.registered_by(&admin, 1, community).await;
    app.registered_by(&admin, 2, community).await;
    let (_, worker) = app
        .staff(&admin, "street-worker", "social_worker", street)
        .await;
    for token in [&admin, &worker] {
        let phones: Vec<_> = volunteers_of(&app, token, street)
            .await
            .iter()
            .map(|v| v["phone"].clone())
            .collect();
        assert_eq!(phones, ["139****0001", "139****0002"]);
    }
    let district = app.district_id().await;
    assert!(
        audit_entries(&app, &admin, district, "reveal_phone")
            .await
            .is_empty()
    );
}

async fn social_workers_and_admins_of_the_community_see_the_full_number_and_it_is_audited(
    app: TestApp,
) {
    let (admin, street, community) = app.district_with_community().await;
    let (volunteer, me) = app.quick_volunteer(&admin, 1, community).await;
    let district = app.district_id().await;
    let (station_id, station) = app
        .staff(&admin, "station-admin", "unit_admin", community)
        .await;
    let (worker_id, worker) = app
        .staff(&admin, "street-worker", "social_worker", street)
        .await;
    let (_, organizer) = app.staff(&admin, "organizer", "organizer", community).await;
    let (_, committee) = app.staff(&admin, "committee", "committee", district).await;
    for token in [&station, &worker, &me] {
        assert_eq!(phone_seen(&app, token, volunteer).await, phone(1));
    }
    for token in [&organizer, &committee] {
        assert_eq!(phone_seen(&app, token, volunteer).await, "139****0001");
    }
    let reveals = audit_entries(&app, &admin, community, "reveal_phone").await;
    assert_eq!(
        sorted(
            reveals
                .iter()
                .map(|e| e["actor_id"].as_i64().unwrap())
                .collect()
        ),
        sorted(vec![station_id, worker_id]),
        "{reveals:?}"
    );
    for e in &reveals {
        assert_eq!(
            (
                e["entity"].as_str(),
                e["entity_id"].as_str(),
                e["unit_id"].as_i64()
            ),
            (
                Some("volunteer"),
                Some(volunteer.to_string().as_str()),
                Some(community)
            )
        );
    }
}

async fn an_organizer_sees_the_number_of_a_volunteer_who_attended_their_activity(app: TestApp) {
    let s = app.scene().await;
    let (west_street, west) = app
        .street_and_community(&s.admin, "西山街道", "幸福社区")
        .await;
    let volunteer = app.registered_by(&s.admin, 2, west).await;
    let path = format!("/api/v1/volunteers/{volunteer}");
    let (status, _) = app.get(&path, Some(&s.organizer)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a stranger to them until they attend"
    );
    let (activity, start) = finished_activity(&app, &s).await;
    app.served(activity, volunteer, start, Some(start + Duration::hours(3)))
        .await;
    assert_eq!(phone_seen(&app, &s.organizer, volunteer).await, phone(2));
    let reveals = audit_entries(&app, &s.admin, west, "reveal_phone").await;
    assert_eq!(reveals.len(), 1, "{reveals:?}");
    assert_eq!(reveals[0]["actor_id"], s.organizer_id);
    let (_, west_organizer) = app
        .staff(&s.admin, "west-organizer", "organizer", west_street)
        .await;
    assert_eq!(
        phone_seen(&app, &west_organizer, volunteer).await,
        "139****0002"
    );
}
