//! Confirming the hours of an activity 时长确认: confirmed, adjusted with a reason or rejected, each
//! review audited, and overdue after ten working days.

use crate::both_backends;
use crate::support::{
    TestApp, assert_error, attendances, confirm, finished_activity, hours, id_of, time,
};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    confirm_all_and_adjust_one_with_a_reason,
    a_rejection_credits_nothing_and_is_audited,
    a_bad_review_changes_nothing,
    unconfirmed_activities_are_overdue_after_ten_working_days
);

async fn confirm_all_and_adjust_one_with_a_reason(app: TestApp) {
    let s = app.scene().await;
    let (activity, start) = finished_activity(&app, &s).await;
    let (a, a_token) = app.volunteer(1, s.community).await;
    let (b, _) = app.volunteer(2, s.community).await;
    let (c, _) = app.volunteer(3, s.community).await;
    app.served(
        activity,
        a,
        start - Duration::minutes(20),
        Some(start + Duration::minutes(150)),
    )
    .await;
    let late = app
        .served(
            activity,
            b,
            start + Duration::minutes(60),
            Some(start + Duration::minutes(180)),
        )
        .await;
    let open = app.served(activity, c, start, None).await;
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({
            "adjust": [{"attendance_id": late, "minutes": 90, "reason": "迟到，按实际服务计"}],
            "confirm_all_checked_out": true,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reviewed = body["reviewed"].as_array().unwrap();
    assert_eq!(reviewed.len(), 2, "the open attendance waits: {body}");
    let list = attendances(&app, &s.organizer, activity).await;
    let review_of = |id: i64| list.iter().find(|r| r["id"] == id).unwrap()["review"].clone();
    assert_eq!(review_of(late), "adjusted");
    assert_eq!(review_of(open), Value::Null);

    let mine = hours(&app, &a_token, "me").await;
    assert_eq!(mine["total_hours"], "2.50");
    assert_eq!(mine["points"], 2);
    assert_eq!(mine["stars"], 0);
    assert_eq!(mine["entries"][0]["source"], "qr");
    assert_eq!(mine["entries"][0]["hours"], "2.50");
    assert_eq!(mine["entries"][0]["activity_title"], "敬老院义务理发");
    let adjusted = hours(&app, &s.admin, &b.to_string()).await;
    assert_eq!(
        (
            adjusted["total_hours"].as_str(),
            adjusted["points"].as_i64()
        ),
        (Some("1.50"), Some(1))
    );
    assert_eq!(adjusted["entries"][0]["reason"], "迟到，按实际服务计");

    assert_error(
        &confirm(&app, &s.organizer, activity, json!({"confirm": [late]})).await,
        StatusCode::CONFLICT,
        "already_reviewed",
    );
    assert_error(
        &confirm(&app, &s.organizer, activity, json!({"confirm": [open]})).await,
        StatusCode::CONFLICT,
        "still_checked_in",
    );
}

async fn a_rejection_credits_nothing_and_is_audited(app: TestApp) {
    let (s, activity, (_, token), id) = app.served_volunteer().await;
    assert_error(
        &confirm(
            &app,
            &s.organizer,
            activity,
            json!({"reject": [{"attendance_id": id, "reason": ""}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    );
    let (status, body) = confirm(
        &app,
        &s.organizer,
        activity,
        json!({"reject": [{"attendance_id": id, "reason": "代签", "fraudulent": true}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(hours(&app, &token, "me").await["total_hours"], "0.00");
    let list = attendances(&app, &s.organizer, activity).await;
    assert_eq!(
        (list[0]["review"].as_str(), list[0]["fraudulent"].as_bool()),
        (Some("rejected"), Some(true))
    );
    let (_, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", s.community),
            Some(&s.admin),
        )
        .await;
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "rejected")
        .expect("audited");
    assert_eq!(entry["after"]["reason"], "代签");
    assert_eq!(entry["actor_id"].as_i64(), Some(s.organizer_id));
}

async fn a_bad_review_changes_nothing(app: TestApp) {
    let (s, activity, (_, token), id) = app.served_volunteer().await;
    assert_error(&confirm(&app, &s.organizer, activity, json!({"confirm": [id], "adjust": [{"attendance_id": 999999, "minutes": 10, "reason": "x"}]})).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &confirm(
            &app,
            &s.organizer,
            activity,
            json!({"adjust": [{"attendance_id": id, "minutes": 181, "reason": "多算"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_minutes",
    );
    assert_error(
        &confirm(
            &app,
            &s.organizer,
            activity,
            json!({"confirm": [id], "reject": [{"attendance_id": id, "reason": "x"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate_attendance",
    );
    assert_error(
        &confirm(&app, &s.organizer, activity, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_review",
    );
    assert_eq!(hours(&app, &token, "me").await["entries"], json!([]));
    assert_eq!(
        attendances(&app, &s.organizer, activity).await[0]["review"],
        Value::Null
    );
    let (_, elsewhere) = app
        .street_and_community(&s.admin, "西山街道", "光明社区")
        .await;
    let (_, outsider) = app
        .staff(&s.admin, "organizer-b", "organizer", elsewhere)
        .await;
    assert_error(
        &confirm(&app, &outsider, activity, json!({"confirm": [id]})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}

async fn unconfirmed_activities_are_overdue_after_ten_working_days(app: TestApp) {
    let s = app.scene().await;
    let old = s
        .activity(
            &app,
            -Duration::days(20),
            -Duration::days(20) + Duration::hours(2),
            "static",
        )
        .await;
    let recent = s
        .activity(
            &app,
            -Duration::days(1),
            -Duration::days(1) + Duration::hours(2),
            "static",
        )
        .await;
    let (v, _) = app.volunteer(1, s.community).await;
    for a in [&old, &recent] {
        let start = time(&a["starts_at"]);
        app.served(id_of(a), v, start, Some(start + Duration::hours(2)))
            .await;
    }
    let (status, list) = app
        .get(
            &format!("/api/v1/activities/overdue?unit_id={}", s.community),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![id_of(&old)]);
    assert_eq!(list[0]["unreviewed"], 1);
    let attendance = attendances(&app, &s.organizer, id_of(&old)).await[0]["id"]
        .as_i64()
        .unwrap();
    confirm(
        &app,
        &s.organizer,
        id_of(&old),
        json!({"confirm": [attendance]}),
    )
    .await;
    let (_, list) = app
        .get(
            &format!("/api/v1/activities/overdue?unit_id={}", s.community),
            Some(&s.organizer),
        )
        .await;
    assert_eq!(list, json!([]));
}
