//! The year's selection on the demo district, from the scheduled opening to a verified award: the
//! job opens every street's and community's round once; a street's committee reviews one,
//! publishes it, answers an objection and finalises; the winners see their award and a
//! certificate of it verifies.

use crate::both_backends;
use crate::selections::last_year;
use crate::support::{Db, TestApp, assert_error, id_of, verify};
use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vledger::demo::{DEMO_ADMIN, DEMO_PASSWORD};

both_backends!(without_jobs: the_year_runs_from_the_scheduled_opening_to_a_verified_award);

async fn the_year_runs_from_the_scheduled_opening_to_a_verified_award(app: TestApp) {
    let y = last_year();
    vledger::demo::build(&app.state, 2000, y, 7).await.unwrap();
    let mut db = Db::open(&app).await;
    let units = db
        .number(
            "SELECT COUNT(*) FROM units WHERE kind IN ('street', 'community')",
            &[],
        )
        .await;
    // 2 January, after the default opening day.
    let at = Utc.with_ymd_and_hms(y + 1, 1, 2, 2, 0, 0).unwrap();
    let opened = vledger::app::jobs::selection(&app.state, at).await.unwrap();
    assert_eq!(opened, Some(units as usize));
    let again = vledger::app::jobs::selection(&app.state, at).await.unwrap();
    assert_eq!(again, None, "the year has been run");
    let rounds = "SELECT COUNT(*) FROM selections WHERE year = ?";
    assert_eq!(db.number(rounds, &[i64::from(y)]).await, units);

    // The street round with the most ranked candidates, in its committee's hands.
    let id = db
        .number(
            "SELECT s.id FROM selections s JOIN units u ON u.id = s.unit_id WHERE u.kind = 'street'
             ORDER BY (SELECT COUNT(*) FROM selection_candidates c
                       WHERE c.selection_id = s.id AND c.rank IS NOT NULL) DESC, s.id
             LIMIT 1",
            &[],
        )
        .await;
    let street = db
        .number("SELECT unit_id FROM selections WHERE id = ?", &[id])
        .await;
    let admin = app.login(DEMO_ADMIN, DEMO_PASSWORD).await;
    let (_, committee) = app
        .staff(&admin, "committee-year", "committee", street)
        .await;
    let round = format!("/api/v1/selections/{id}");
    let (status, draft) = app.get(&round, Some(&committee)).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    let quota = draft["quota"].as_u64().unwrap() as usize;
    let ranked: Vec<&Value> = draft["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["rank"].is_null())
        .collect();
    assert!(
        quota >= 1 && ranked.len() > quota,
        "{quota} of {}",
        ranked.len()
    );
    let number = |c: &Value| c["volunteer_no"].as_str().unwrap().to_owned();
    let (first, below) = (number(ranked[0]), number(ranked[quota]));

    // The committee excludes the first and nominates the first below the line, with reasons.
    let decisions = format!("{round}/decisions");
    for (who, decision, reason) in [
        (&first, "exclude", "本年度有服务对象投诉，经核实属实"),
        (&below, "nominate", "组织社区应急演练，群众评价高"),
    ] {
        let body = json!({"volunteer_no": who, "decision": decision, "reason": reason});
        let (status, answer) = app.post(&decisions, Some(&committee), body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let (_, reviewed) = app.get(&round, Some(&committee)).await;
    let winners: Vec<String> = reviewed["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(number)
        .collect();
    assert_eq!(winners.len(), quota);
    assert!(
        !winners.contains(&first) && winners.contains(&below),
        "{winners:?}"
    );

    let (status, _) = app
        .post(&format!("{round}/publish"), Some(&committee), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let objector = app
        .session_of(ranked[1]["volunteer_id"].as_i64().unwrap())
        .await;
    let objection = json!({"volunteer_no": below, "reason": "请核实其服务时长"});
    let (status, filed) = app
        .post(&format!("{round}/objections"), Some(&objector), objection)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let finalize = format!("{round}/finalize");
    let refused = app.post(&finalize, Some(&committee), json!({})).await;
    assert_error(&refused, StatusCode::CONFLICT, "notice_running");
    crate::selection_review::end_notice(&app, id).await;
    let refused = app.post(&finalize, Some(&committee), json!({})).await;
    assert_error(&refused, StatusCode::CONFLICT, "objections_open");
    let resolution = format!("{round}/objections/{}/resolution", id_of(&filed));
    let dismissed = json!({"upheld": false, "reason": "时长与签到记录、组织方确认一致"});
    let (status, _) = app.post(&resolution, Some(&committee), dismissed).await;
    assert_eq!(status, StatusCode::OK);
    let (status, done) = app.post(&finalize, Some(&committee), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");

    // Each winner has the award on their phone; its certificate verifies.
    let awarded = db
        .number("SELECT COUNT(*) FROM awards WHERE selection_id = ?", &[id])
        .await;
    assert_eq!(awarded, quota as i64);
    let nominee = reviewed["winners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| number(w) == below)
        .unwrap()["volunteer_id"]
        .as_i64()
        .unwrap();
    let phone = app.session_of(nominee).await;
    let (status, me) = app.get("/api/v1/volunteers/me", Some(&phone)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let award = &me["awards"][0];
    assert_eq!(award["name"], format!("{y}年度优秀志愿者"));
    let (status, certificate) = app
        .post(
            "/api/v1/volunteers/me/certificates",
            Some(&phone),
            json!({"award_id": id_of(award)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{certificate}");
    let (status, verified) = verify(&app, certificate["number"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    assert_eq!(verified["status"], "genuine");
    assert_eq!(verified["award"]["name"], format!("{y}年度优秀志愿者"));
}
