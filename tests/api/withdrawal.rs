//! Withdrawal 注销: a volunteer who came over from another system last year, served and signed up
//! for an activity, withdraws. Nothing of the person is left — no name, phone, ID number or mask
//! in any text column of any table — while the ledger keeps their entries and totals under their
//! number, the targets report drops them from this year only, their place goes to the waiting
//! list, and the same person may register again. A refused withdrawal changes nothing.

use crate::both_backends;
use crate::support::{
    Db, PASSWORD, Scene, TestApp, activity_body, applicant, assert_error, confirm, console_page,
    create_activity, finished_activity, id_number, id_of, import, issue, phone, register, today,
    verify, volunteers_of, with,
};
use chrono::{Datelike, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    withdrawal_erases_the_person_and_keeps_the_ledger,
    a_refused_withdrawal_changes_nothing,
    a_backbone_volunteer_who_withdraws_no_longer_counts,
);

/// This year where the service shows its dates (UTC+8).
fn this_year() -> i32 {
    (Utc::now() + Duration::hours(8)).year()
}

/// A volunteer of the scene's community brought over from another system, registered on 10
/// January last year, who has since chosen [`PASSWORD`]: `(id, token)`.
async fn registered_last_year(app: &TestApp, s: &Scene, n: u32) -> (i64, String) {
    let csv = format!(
        "name,id_number,phone,community_id,registered_on\n志愿者{n},{},{},{},{}-01-10\n",
        id_number(n),
        phone(n),
        s.community,
        this_year() - 1,
    );
    let (status, report) = import(app, &s.admin, &csv).await;
    assert_eq!((status, &report["imported"]), (StatusCode::OK, &json!(1)));
    let hash = app.state.passwords.hash(PASSWORD.into()).await.unwrap();
    let id = crate::sql!(
        app,
        "UPDATE users SET password_hash = $1
         WHERE id = (SELECT id FROM volunteers WHERE phone = $2) RETURNING id",
        hash,
        phone(n),
    )
    .unwrap();
    (id, app.login(&phone(n), PASSWORD).await)
}

/// The registered count of the scene's community at the end of `year`.
async fn registered(app: &TestApp, s: &Scene, year: i32) -> Value {
    target(app, s, year, "registered").await
}

/// The `measure` of the targets report of the scene's community in `year`.
async fn target(app: &TestApp, s: &Scene, year: i32, measure: &str) -> Value {
    let path = format!(
        "/api/v1/reports/targets?unit_id={}&year={year}",
        s.community
    );
    let (status, rows) = app.get(&path, Some(&s.admin)).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    rows[0][measure].clone()
}

/// Every `table.column` of text in the whole database that holds `text` somewhere.
async fn traces(app: &TestApp, text: &str) -> Vec<String> {
    let columns = if app.database_url.starts_with("sqlite:") {
        "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND p.type IN ('TEXT', 'ANY')"
    } else {
        "SELECT table_name || '.' || column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb')"
    };
    let columns = crate::sql!(all String; app, columns);
    assert!(columns.len() > 50, "{columns:?}");
    let holding = columns.iter().map(|at| {
        let (table, column) = at.split_once('.').unwrap();
        format!(
            "SELECT '{at}' WHERE EXISTS (SELECT 1 FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1)"
        )
    });
    let sql = holding.collect::<Vec<_>>().join(" UNION ALL ");
    let like = format!("%{text}%");
    crate::sql!(all String; app, sqlx::AssertSqlSafe(sql), &like)
}

async fn withdraw(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/volunteers/me/withdrawal", Some(token), body)
        .await
}

/// What the ledger holds of volunteer `v`: entries, their minutes, yearly totals, points.
async fn ledger_of(db: &mut Db, v: i64) -> [i64; 4] {
    [
        db.number(
            "SELECT COUNT(*) FROM ledger_entries WHERE volunteer_id = ?",
            &[v],
        )
        .await,
        db.number(
            "SELECT CAST(SUM(minutes) AS BIGINT) FROM ledger_entries WHERE volunteer_id = ?",
            &[v],
        )
        .await,
        db.number(
            "SELECT CAST(SUM(minutes) AS BIGINT) FROM volunteer_year_totals WHERE volunteer_id = ?",
            &[v],
        )
        .await,
        db.balance(v).await,
    ]
}

async fn withdrawal_erases_the_person_and_keeps_the_ledger(app: TestApp) {
    let s = app.scene().await;
    let (v, token) = registered_last_year(&app, &s, 1).await;
    let (other_id, other) = app.volunteer(2, s.community).await;
    let second_session = app.login(&phone(1), PASSWORD).await;
    // Three hours of service, confirmed.
    let (finished, start) = finished_activity(&app, &s).await;
    let attendance = app
        .served(finished, v, start, Some(start + Duration::hours(3)))
        .await;
    let answer = confirm(
        &app,
        &s.organizer,
        finished,
        json!({"confirm": [attendance]}),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    // A certificate, and the one place of next week's activity, with the other on the waiting list.
    let (status, certificate) =
        issue(&app, &token, "me", today() - Duration::days(7), today()).await;
    assert_eq!(status, StatusCode::CREATED, "{certificate}");
    let starts = Utc::now() + Duration::days(7);
    let body = activity_body(s.community, starts, starts + Duration::hours(2));
    let upcoming =
        id_of(&create_activity(&app, &s.organizer, with(body, "capacity", json!(1))).await);
    let signups = format!("/api/v1/activities/{upcoming}/signups");
    for (who, placed) in [(&token, "confirmed"), (&other, "waitlisted")] {
        let (status, body) = app.post(&signups, Some(who), json!({})).await;
        assert_eq!(
            (status, body["state"].as_str()),
            (StatusCode::CREATED, Some(placed))
        );
    }
    let mut db = Db::open(&app).await;
    let ledger = ledger_of(&mut db, v).await;
    assert_eq!(ledger[1], 180);
    let (this_year, last_year) = (this_year(), this_year() - 1);
    assert_eq!(registered(&app, &s, last_year).await, 1);
    assert_eq!(registered(&app, &s, this_year).await, 2);
    let (_, profile) = app.get("/api/v1/volunteers/me", Some(&token)).await;
    let number = profile["volunteer_no"].as_str().unwrap().to_owned();

    let before = traces(&app, &phone(1)).await;
    assert!(before.contains(&"volunteers.phone".into()), "{before:?}");

    let (status, answer) =
        withdraw(&app, &token, json!({"password": PASSWORD, "confirm": true})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["withdrawn"], true);
    assert_eq!(answer["volunteer_no"], number);

    // The row keeps its number, community and registration, and nothing of the person.
    let erased = crate::sql!(
        &app,
        "SELECT COUNT(*) FROM volunteers WHERE volunteer_no = $1 AND name = '已注销志愿者'
             AND id_number_enc IS NULL AND id_number_hash IS NULL AND id_number_masked IS NULL
             AND gender IS NULL AND birth_date IS NULL AND phone IS NULL
             AND CAST(skills AS TEXT) = '[]' AND CAST(service_categories AS TEXT) = '[]'
             AND status = 'withdrawn' AND withdrawn_at IS NOT NULL",
        &number,
    );
    assert_eq!(erased, Some(1));
    assert_eq!(
        db.number(
            "SELECT COUNT(*) FROM users WHERE id = ? AND name = '已注销志愿者' AND password_hash IS NULL",
            &[v],
        )
        .await,
        1
    );
    // Not in any text column of any table: the name, the phone, the ID number, its mask.
    let masked = profile["id_number_masked"].as_str().unwrap().to_owned();
    for trace in [phone(1), "志愿者1".to_owned(), id_number(1), masked] {
        let left = traces(&app, &trace).await;
        assert!(left.is_empty(), "{trace} is still stored in {left:?}");
    }
    // The ledger and the totals stay; the certificate no longer verifies.
    assert_eq!(ledger_of(&mut db, v).await, ledger);
    let (status, verdict) = verify(&app, certificate["number"].as_str().unwrap()).await;
    assert_eq!(
        (status, &verdict["status"]),
        (StatusCode::NOT_FOUND, &json!("unknown"))
    );
    // Registered last year, and no more from this year on.
    assert_eq!(registered(&app, &s, last_year).await, 1);
    assert_eq!(registered(&app, &s, this_year).await, 1);
    let kept = app.state.store.target_count_rows().await.unwrap();
    let offset = app.state.settings.display_offset();
    app.state.store.rebuild_target_counts(offset).await.unwrap();
    assert_eq!(app.state.store.target_count_rows().await.unwrap(), kept);
    // The place went to the waiting list.
    let (_, mine) = app.get(&format!("{signups}/me"), Some(&other)).await;
    assert_eq!(mine["state"], "confirmed", "{mine}");
    // Every session ended, no login opens the account, and staff find no one.
    for session in [&token, &second_session] {
        let (status, _) = app.get("/api/v1/volunteers/me", Some(session)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = app.try_login(&phone(1), PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .get(&format!("/api/v1/volunteers/{v}"), Some(&s.admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let listed = volunteers_of(&app, &s.admin, s.community).await;
    assert!(listed.iter().all(|l| l["id"] != v), "{listed:?}");
    for typed in [phone(1), "志愿者1".to_owned(), number.clone()] {
        let query = serde_urlencoded::to_string([("q", &typed)]).unwrap();
        let path = format!("/console/volunteers?{query}");
        let (status, page) = console_page(&app, &path, Some(&s.admin)).await;
        assert_eq!(status, StatusCode::OK);
        let row = format!("href=\"/console/volunteers/{v}\"");
        assert!(
            !page.contains(&row),
            "{typed} finds the withdrawn volunteer"
        );
    }
    let (_, page) = console_page(&app, "/console/volunteers?q=13900000002", Some(&s.admin)).await;
    assert!(page.contains(&format!("href=\"/console/volunteers/{other_id}\"")));
    // The withdrawal is audited under the number alone.
    let audited = crate::sql!(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'withdraw' AND entity_id = $1
             AND CAST(after AS TEXT) LIKE $2",
        v.to_string(),
        format!("%{number}%"),
    );
    assert_eq!(audited, Some(1));
    // The same person may register again, as someone new.
    let again = register(
        &app,
        applicant("志愿者1", &id_number(1), &phone(1), s.community),
    )
    .await;
    assert_ne!(again["id"], v);
    assert_ne!(again["volunteer_no"], number);
    assert_eq!(registered(&app, &s, this_year).await, 2);
}

async fn a_refused_withdrawal_changes_nothing(app: TestApp) {
    let s = app.scene().await;
    let (v, token) = app.volunteer(1, s.community).await;
    let (_, other) = app.volunteer(2, s.community).await;
    let refusals = [
        (
            &token,
            "me",
            json!({"password": "not-my-password", "confirm": true}),
            StatusCode::FORBIDDEN,
            "wrong_password",
        ),
        (
            &token,
            "me",
            json!({"password": PASSWORD}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "confirmation_required",
        ),
        (
            &token,
            "me",
            json!({"password": PASSWORD, "confirm": false}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "confirmation_required",
        ),
        (
            &other,
            &v.to_string(),
            json!({"password": PASSWORD, "confirm": true}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            &s.admin,
            "me",
            json!({"password": PASSWORD, "confirm": true}),
            StatusCode::FORBIDDEN,
            "not_a_volunteer",
        ),
    ];
    for (who, id, body, status, code) in refusals {
        let path = format!("/api/v1/volunteers/{id}/withdrawal");
        let answer = app.post(&path, Some(who), body).await;
        assert_error(&answer, status, code);
    }
    let (status, _) = app
        .post("/api/v1/volunteers/me/withdrawal", None, json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, me) = app.get("/api/v1/volunteers/me", Some(&token)).await;
    assert_eq!((status, &me["name"]), (StatusCode::OK, &json!("志愿者1")));
    assert_eq!(me["status"], "active");
    app.login(&phone(1), PASSWORD).await;
    assert_eq!(registered(&app, &s, this_year()).await, 2);
    let mut db = Db::open(&app).await;
    assert_eq!(
        db.number(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'withdraw'",
            &[]
        )
        .await,
        0
    );
}

async fn a_backbone_volunteer_who_withdraws_no_longer_counts(app: TestApp) {
    let s = app.scene().await;
    let (v, token) = app.volunteer(1, s.community).await;
    let (_, worker) = app
        .staff(&s.admin, "worker-a", "social_worker", s.community)
        .await;
    let body = json!({"volunteer_id": v, "designated": true, "reason": "长期带队"});
    let (status, answer) = app
        .post("/api/v1/backbone/designations", Some(&worker), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(target(&app, &s, this_year(), "backbone").await, 1);

    let (status, _) = withdraw(&app, &token, json!({"password": PASSWORD, "confirm": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(target(&app, &s, this_year(), "backbone").await, 0);
    let history = app.state.store.backbone_history(v).await.unwrap();
    assert_eq!(
        (
            history[0].backbone,
            history[0].basis.as_str(),
            history[0].reason.as_str()
        ),
        (false, "revocation", "志愿者本人注销")
    );
    let kept = app.state.store.target_count_rows().await.unwrap();
    let offset = app.state.settings.display_offset();
    app.state.store.rebuild_target_counts(offset).await.unwrap();
    assert_eq!(app.state.store.target_count_rows().await.unwrap(), kept);
}
