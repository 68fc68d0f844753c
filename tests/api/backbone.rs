//! Backbone volunteers 骨干志愿者: the daily rule (here 2 hours and 2 activities, to keep the
//! story short) run once a day across instances, and social workers' designations and
//! revocations with their reasons, in the history, the audit log, the profile and the report.

use crate::both_backends;
use crate::support::{
    Scene, Service, TestApp, assert_error, audit_entries, confirm, id_of, settings, stdout, vledger,
};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vledger::app::jobs;

both_backends!(
    settings(|s| {
        s.backbone_hours = 2;
        s.backbone_activities = 2;
        s.jobs = false;
    }):
    the_rule_runs_once_a_day_across_two_instances,
    a_person_stands_over_the_rule_and_both_are_kept_with_their_reasons,
    only_social_workers_and_admins_of_the_community_decide,
);

/// Serves `volunteers` at a new 90-minute activity of the scene that ended `ended_ago`, confirmed.
async fn served(app: &TestApp, s: &Scene, ended_ago: Duration, volunteers: &[i64]) {
    let end = -ended_ago;
    let activity = id_of(
        &s.activity(app, end - Duration::minutes(90), end, "static")
            .await,
    );
    let a = app.stored_activity(activity).await;
    let mut attendances = Vec::new();
    for &v in volunteers {
        attendances.push(app.served(activity, v, a.starts_at, Some(a.ends_at)).await);
    }
    let (status, body) =
        confirm(app, &s.organizer, activity, json!({"confirm": attendances})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn profile_backbone(app: &TestApp, token: &str, volunteer: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/volunteers/{volunteer}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["backbone"].clone()
}

async fn history(app: &TestApp, token: &str, volunteer: i64) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/api/v1/volunteers/{volunteer}/backbone"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["history"].as_array().unwrap().clone()
}

async fn decide(
    app: &TestApp,
    token: &str,
    volunteer: i64,
    designated: bool,
    reason: &str,
) -> (StatusCode, Value) {
    app.post(
        "/api/v1/backbone/designations",
        Some(token),
        json!({"volunteer_id": volunteer, "designated": designated, "reason": reason}),
    )
    .await
}

async fn backbone_count(app: &TestApp, token: &str, unit: i64) -> i64 {
    let (status, rows) = app
        .get(
            &format!("/api/v1/reports/targets?unit_id={unit}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    rows[0]["backbone"].as_i64().unwrap()
}

async fn the_rule_runs_once_a_day_across_two_instances(app: TestApp) {
    let s = app.scene().await;
    let (keen, keen_token) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let (once, _) = app.quick_volunteer(&s.admin, 2, s.community).await;
    // Two activities of 90 minutes: 3 hours and 2 activities for one; one activity for the other.
    served(&app, &s, Duration::hours(3), &[keen, once]).await;
    served(&app, &s, Duration::hours(1), &[keen]).await;

    let mut second_settings = settings(&app.database_url);
    second_settings.jobs = false;
    second_settings.backbone_hours = 2;
    second_settings.backbone_activities = 2;
    let second = Service::start(second_settings, None).await;
    let now = Utc::now();
    let (a, b) = tokio::join!(
        jobs::backbone(&app.state, now),
        jobs::backbone(&second.app.state, now)
    );
    let runs: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(runs.len(), 1, "exactly one instance runs the day: {runs:?}");
    assert_eq!(runs[0].meeting, 1);
    assert_eq!(runs[0].became_backbone, 1);
    second.stop().await;

    let status = profile_backbone(&app, &keen_token, "me").await;
    assert_eq!(status["status"], "backbone");
    assert_eq!(status["basis"], "rule");
    let reason = status["reason"].as_str().unwrap();
    assert!(
        reason.contains("3.00小时") && reason.contains("2项"),
        "{reason}"
    );
    assert!(status["since"].is_string());
    let other = profile_backbone(&app, &s.admin, &once.to_string()).await;
    assert_eq!(other["status"], "none");
    assert!(
        other["reason"].as_str().unwrap().contains("2小时"),
        "{other}"
    );
    assert_eq!(history(&app, &s.admin, keen).await.len(), 1);
    assert_eq!(backbone_count(&app, &s.admin, s.community).await, 1);
    let audited = audit_entries(&app, &s.admin, s.community, "backbone_rule").await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert_eq!(audited[0]["entity_id"], keen.to_string());

    // The same day again, from the command line: skipped, nothing added.
    let out = stdout(&vledger(&app.database_url, &["jobs", "run", "backbone"]).await);
    assert!(out.contains("skipped"), "{out}");
    // The next day runs, and finds nothing to change.
    let next = jobs::backbone(&app.state, now + Duration::days(1))
        .await
        .unwrap();
    let next = next.expect("a new day runs");
    assert_eq!((next.meeting, next.became_backbone, next.ceased), (1, 0, 0));
    assert_eq!(history(&app, &s.admin, keen).await.len(), 1);
    let (status, list) = app
        .get(
            &format!("/api/v1/backbone?unit_id={}", s.street),
            Some(&s.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["volunteer_id"], keen);
}

async fn a_person_stands_over_the_rule_and_both_are_kept_with_their_reasons(app: TestApp) {
    let s = app.scene().await;
    let (_, worker) = app
        .staff(&s.admin, "worker-a", "social_worker", s.street)
        .await;
    let (keen, _) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let (quiet, quiet_token) = app.quick_volunteer(&s.admin, 2, s.community).await;
    served(&app, &s, Duration::hours(3), &[keen]).await;
    served(&app, &s, Duration::hours(1), &[keen]).await;
    jobs::backbone(&app.state, Utc::now())
        .await
        .unwrap()
        .unwrap();

    // Revoked by a person: the rule no longer gives the status back.
    let (status, body) = decide(&app, &worker, keen, false, "服务中多次违反纪律").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "none");
    assert_eq!(body["basis"], "revocation");
    assert_eq!(body["reason"], "服务中多次违反纪律");
    jobs::backbone(&app.state, Utc::now() + Duration::days(1))
        .await
        .unwrap()
        .unwrap();
    let status = profile_backbone(&app, &s.admin, &keen.to_string()).await;
    assert_eq!(status["status"], "none");
    let kept = history(&app, &s.admin, keen).await;
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0]["basis"], "revocation");
    assert_eq!(kept[1]["basis"], "rule");

    // Designated by a person without the hours: shown to the volunteer with the reason.
    let (status, body) = decide(&app, &worker, quiet, true, "长期组织楼栋志愿服务").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mine = profile_backbone(&app, &quiet_token, "me").await;
    assert_eq!(mine["status"], "backbone");
    assert_eq!(mine["basis"], "designation");
    assert_eq!(mine["reason"], "长期组织楼栋志愿服务");
    assert_eq!(backbone_count(&app, &s.admin, s.community).await, 1);

    let designations = audit_entries(&app, &s.admin, s.community, "backbone_designation").await;
    assert_eq!(designations.len(), 1, "{designations:?}");
    assert_eq!(designations[0]["after"]["backbone"], true);
    assert_eq!(designations[0]["after"]["reason"], "长期组织楼栋志愿服务");
    let revocations = audit_entries(&app, &s.admin, s.community, "backbone_revocation").await;
    assert_eq!(revocations.len(), 1, "{revocations:?}");
    assert_eq!(revocations[0]["after"]["backbone"], false);
}

async fn only_social_workers_and_admins_of_the_community_decide(app: TestApp) {
    let s = app.scene().await;
    let other = app
        .create_unit(&s.admin, "翠竹社区", "community", s.street)
        .await;
    let (_, elsewhere) = app
        .staff(&s.admin, "worker-b", "social_worker", other)
        .await;
    let (volunteer, token) = app.quick_volunteer(&s.admin, 1, s.community).await;
    let refused = decide(&app, &elsewhere, volunteer, true, "理由").await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let refused = decide(&app, &s.organizer, volunteer, true, "理由").await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let refused = decide(&app, &token, volunteer, true, "理由").await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN, "{}", refused.1);
    let refused = decide(&app, &s.admin, volunteer, true, "  ").await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    );
    let unknown = decide(&app, &s.admin, 999_999, true, "理由").await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "not_found");
    assert!(history(&app, &s.admin, volunteer).await.is_empty());
    assert_eq!(profile_backbone(&app, &token, "me").await["status"], "none");
}
