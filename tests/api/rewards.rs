//! Partners, rewards and redemptions: balances and stock never below zero, also under
//! simultaneous redemptions, and nothing written when a redemption is refused.

use crate::activities::{Scene, assert_error, id_of, scene, volunteer, with};
use crate::both_backends;
use crate::scans::quick_volunteer;
use crate::support::TestApp;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, SqliteConnection};

/// A connection of its own to the test's database, for what no endpoint does: crediting points
/// (another part of the service earns them) and reading or tampering with the tables.
enum Db {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Db {
    async fn open(app: &TestApp) -> Db {
        if app.database_url.starts_with("sqlite:") {
            Db::Sqlite(SqliteConnection::connect(&app.database_url).await.unwrap())
        } else {
            Db::Postgres(PgConnection::connect(&app.database_url).await.unwrap())
        }
    }

    /// Runs `sql` (`?` placeholders) with `args`; the database's refusal, if any.
    async fn run(&mut self, sql: &str, args: &[i64]) -> Result<u64, sqlx::Error> {
        match self {
            Db::Sqlite(c) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
                for a in args {
                    q = q.bind(*a);
                }
                Ok(q.execute(c).await?.rows_affected())
            }
            Db::Postgres(c) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(numbered(sql)));
                for a in args {
                    q = q.bind(*a);
                }
                Ok(q.execute(c).await?.rows_affected())
            }
        }
    }

    /// The one number `sql` answers (`?` placeholders), 0 for no row or NULL.
    async fn number(&mut self, sql: &str, args: &[i64]) -> i64 {
        let found: Option<Option<i64>> = match self {
            Db::Sqlite(c) => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()));
                for a in args {
                    q = q.bind(*a);
                }
                q.fetch_optional(c).await.unwrap()
            }
            Db::Postgres(c) => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(numbered(sql)));
                for a in args {
                    q = q.bind(*a);
                }
                q.fetch_optional(c).await.unwrap()
            }
        };
        found.flatten().unwrap_or(0)
    }

    async fn balance(&mut self, volunteer: i64) -> i64 {
        self.number(
            "SELECT balance FROM points_balances WHERE volunteer_id = ?",
            &[volunteer],
        )
        .await
    }

    async fn stock(&mut self, reward: i64) -> i64 {
        self.number(
            "SELECT CAST(stock AS BIGINT) FROM rewards WHERE id = ?",
            &[reward],
        )
        .await
    }

    async fn count(&mut self, table: &str) -> i64 {
        self.number(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .await
    }
}

/// `?` placeholders as PostgreSQL's `$1, $2, …`.
fn numbered(sql: &str) -> String {
    let mut n = 0;
    sql.chars()
        .map(|c| match c {
            '?' => {
                n += 1;
                format!("${n}")
            }
            c => c.to_string(),
        })
        .collect()
}

/// Credits `points` earned by service to a volunteer, as confirming their hours would: a
/// `service` points entry and the balance, straight in the database.
async fn give_points(app: &TestApp, volunteer: i64, points: i64) {
    let mut db = Db::open(app).await;
    db.run(
        "INSERT INTO points_entries (volunteer_id, points, source, created_at)
         VALUES (?, ?, 'service', CURRENT_TIMESTAMP)",
        &[volunteer, points],
    )
    .await
    .unwrap();
    db.run(
        "INSERT INTO points_balances (volunteer_id, balance) VALUES (?, ?)
         ON CONFLICT (volunteer_id)
         DO UPDATE SET balance = points_balances.balance + excluded.balance",
        &[volunteer, points],
    )
    .await
    .unwrap();
}

/// The scene of the activity tests, an admin of its community and a partner registered there.
struct Shop {
    s: Scene,
    station_admin: String,
    partner: i64,
}

async fn shop(app: &TestApp) -> Shop {
    let s = scene(app).await;
    let (_, station_admin) = app
        .staff(&s.admin, "station-admin", "unit_admin", s.community)
        .await;
    let partner = create_partner(app, &station_admin, s.community, "惠民超市").await;
    Shop {
        s,
        station_admin,
        partner,
    }
}

async fn create_partner(app: &TestApp, token: &str, unit: i64, name: &str) -> i64 {
    let (status, body) = app
        .post(
            "/api/v1/partners",
            Some(token),
            json!({"unit_id": unit, "name": name}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["unit_id"], unit);
    assert_eq!(body["name"], name);
    id_of(&body)
}

fn reward_body(partner: i64, points_cost: i64, stock: i64) -> Value {
    json!({
        "partner_id": partner,
        "name": "大米一袋",
        "description": "5 kg 东北大米",
        "points_cost": points_cost,
        "stock": stock,
    })
}

async fn create_reward(app: &TestApp, token: &str, partner: i64, cost: i64, stock: i64) -> i64 {
    let (status, body) = app
        .post(
            "/api/v1/rewards",
            Some(token),
            reward_body(partner, cost, stock),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id_of(&body)
}

async fn redeem(app: &TestApp, token: &str, reward: i64) -> (StatusCode, Value) {
    app.request(
        Method::POST,
        &format!("/api/v1/rewards/{reward}/redemptions"),
        Some(token),
        None,
    )
    .await
}

/// Sends each request with `token` and expects each to be refused with `status` and `code`.
async fn refused(
    app: &TestApp,
    token: &str,
    requests: &[(Method, String, Option<Value>)],
    status: StatusCode,
    code: &str,
) {
    for (method, path, body) in requests {
        let answer = app
            .request(method.clone(), path, Some(token), body.clone())
            .await;
        assert_eq!(
            (answer.0, answer.1["error"].as_str()),
            (status, Some(code)),
            "{method} {path}: {}",
            answer.1
        );
    }
}

/// How many of `answers` have `status`.
fn with_status(answers: &[(StatusCode, Value)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

both_backends!(
    a_redemption_spends_points_takes_stock_and_is_recorded_and_audited,
    a_volunteer_sees_the_rewards_of_their_community_street_and_district,
    a_refused_redemption_changes_nothing,
    out_of_stock_and_withdrawn_rewards_are_conflicts_until_restocked,
    simultaneous_redemptions_never_overdraw_a_balance,
    simultaneous_volunteers_never_take_more_than_the_stock,
    points_entries_cannot_be_changed_or_deleted,
    only_admins_of_the_partners_unit_keep_partners_and_rewards,
    bad_input_is_refused_with_clear_codes_and_unknown_ids_are_not_found
);

async fn a_redemption_spends_points_takes_stock_and_is_recorded_and_audited(app: TestApp) {
    let shop = shop(&app).await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 30, 5).await;
    let (volunteer_id, token) = volunteer(&app, 1, shop.s.community).await;
    give_points(&app, volunteer_id, 100).await;

    let (status, body) = redeem(&app, &token, reward).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["points"], 30);
    assert_eq!(body["balance"], 70);
    assert_eq!(body["reward"]["id"], reward);
    assert_eq!(body["reward"]["stock"], 4);
    assert_eq!(body["reward"]["partner_name"], "惠民超市");
    let redemption = body["redemption_id"].as_i64().unwrap();

    let mut db = Db::open(&app).await;
    assert_eq!(db.balance(volunteer_id).await, 70);
    assert_eq!(db.stock(reward).await, 4);
    let sql = "SELECT CAST(points AS BIGINT) FROM points_entries
               WHERE source = 'redemption' AND redemption_id = ? AND volunteer_id = ?";
    assert_eq!(db.number(sql, &[redemption, volunteer_id]).await, -30);

    // An empty JSON object is as good as no body.
    let (status, body) = app
        .post(
            &format!("/api/v1/rewards/{reward}/redemptions"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["balance"], 40);

    let (status, mine) = app
        .get("/api/v1/volunteers/me/redemptions", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[1]["id"], redemption);
    assert_eq!(mine[1]["reward_name"], "大米一袋");
    assert_eq!(mine[1]["points"], 30);
    // Staff of the volunteer's community see them too.
    let (status, theirs) = app
        .get(
            &format!("/api/v1/volunteers/{volunteer_id}/redemptions"),
            Some(&shop.station_admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
    assert_eq!(theirs.as_array().unwrap().len(), 2);

    let (status, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", shop.s.community),
            Some(&shop.station_admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let entity_id = redemption.to_string();
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "redeem" && e["entity_id"] == entity_id.as_str())
        .unwrap_or_else(|| panic!("no audit entry: {audit}"));
    assert_eq!(entry["entity"], "redemption");
    assert_eq!(entry["actor_id"], volunteer_id);
    assert_eq!(entry["unit_id"], shop.s.community);
    assert_eq!(entry["before"]["balance"], 100);
    assert_eq!(entry["after"]["balance"], 70);
    assert_eq!(entry["before"]["stock"], 5);
    assert_eq!(entry["after"]["stock"], 4);
}

async fn a_volunteer_sees_the_rewards_of_their_community_street_and_district(app: TestApp) {
    let shop = shop(&app).await;
    let admin = &shop.s.admin;
    let district = app.state.store.root_unit().await.unwrap().unwrap().id;
    let other = app
        .create_unit(admin, "幸福社区", "community", shop.s.street)
        .await;
    let at_district = create_partner(&app, admin, district, "区图书馆").await;
    let at_street = create_partner(&app, admin, shop.s.street, "街道影院").await;
    let at_other = create_partner(&app, admin, other, "幸福药店").await;
    let mine = create_reward(&app, admin, shop.partner, 10, 1).await;
    let district_reward = create_reward(&app, admin, at_district, 10, 1).await;
    let street_reward = create_reward(&app, admin, at_street, 10, 0).await;
    let elsewhere = create_reward(&app, admin, at_other, 10, 1).await;
    let withdrawn = create_reward(&app, admin, shop.partner, 10, 1).await;
    let (status, body) = app
        .put(
            &format!("/api/v1/rewards/{withdrawn}/active"),
            Some(admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(
        (status, &body["active"]),
        (StatusCode::OK, &json!(false)),
        "{body}"
    );

    let (volunteer_id, token) = volunteer(&app, 1, shop.s.community).await;
    let (status, list) = app.get("/api/v1/rewards", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![mine, district_reward, street_reward]);

    // A reward of another community is not theirs to redeem, points or not.
    give_points(&app, volunteer_id, 100).await;
    assert_error(
        &redeem(&app, &token, elsewhere).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    // Staff list by unit: everything under it, withdrawn rewards included.
    let (status, list) = app
        .get(
            &format!("/api/v1/rewards?unit_id={}", shop.s.community),
            Some(&shop.station_admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![mine, withdrawn]);
    let (status, list) = app
        .get(&format!("/api/v1/rewards?unit_id={district}"), Some(admin))
        .await;
    assert_eq!(
        (status, list.as_array().unwrap().len()),
        (StatusCode::OK, 5)
    );
    let (status, partners) = app
        .get(
            &format!("/api/v1/partners?unit_id={}", shop.s.street),
            Some(admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{partners}");
    let ids: Vec<i64> = partners.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![shop.partner, at_street, at_other]);
    // Staff must name a unit.
    assert_error(
        &app.get("/api/v1/rewards", Some(admin)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_query",
    );
}

async fn a_refused_redemption_changes_nothing(app: TestApp) {
    let shop = shop(&app).await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 30, 5).await;
    let (poor, poor_token) = volunteer(&app, 1, shop.s.community).await;
    let (_, penniless_token) = volunteer(&app, 2, shop.s.community).await;
    give_points(&app, poor, 29).await;
    let mut db = Db::open(&app).await;
    let entries = db.count("points_entries").await;
    let audits = db.count("audit_log").await;

    assert_error(
        &redeem(&app, &poor_token, reward).await,
        StatusCode::CONFLICT,
        "insufficient_points",
    );
    // No balance row at all is a balance of 0.
    assert_error(
        &redeem(&app, &penniless_token, reward).await,
        StatusCode::CONFLICT,
        "insufficient_points",
    );

    assert_eq!(db.balance(poor).await, 29);
    assert_eq!(db.stock(reward).await, 5);
    assert_eq!(db.count("redemptions").await, 0);
    assert_eq!(db.count("points_entries").await, entries);
    assert_eq!(db.count("audit_log").await, audits);
    let (_, mine) = app
        .get("/api/v1/volunteers/me/redemptions", Some(&poor_token))
        .await;
    assert_eq!(mine, json!([]));
}

async fn out_of_stock_and_withdrawn_rewards_are_conflicts_until_restocked(app: TestApp) {
    let shop = shop(&app).await;
    let admin = &shop.station_admin;
    let reward = create_reward(&app, admin, shop.partner, 10, 1).await;
    let (volunteer_id, token) = volunteer(&app, 1, shop.s.community).await;
    give_points(&app, volunteer_id, 100).await;

    assert_eq!(redeem(&app, &token, reward).await.0, StatusCode::CREATED);
    assert_error(
        &redeem(&app, &token, reward).await,
        StatusCode::CONFLICT,
        "out_of_stock",
    );
    let mut db = Db::open(&app).await;
    assert_eq!(
        (db.balance(volunteer_id).await, db.stock(reward).await),
        (90, 0)
    );

    let (status, body) = app
        .put(
            &format!("/api/v1/rewards/{reward}/stock"),
            Some(admin),
            json!({"stock": 2}),
        )
        .await;
    assert_eq!(
        (status, &body["stock"]),
        (StatusCode::OK, &json!(2)),
        "{body}"
    );
    let (status, body) = app
        .put(
            &format!("/api/v1/rewards/{reward}/active"),
            Some(admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &redeem(&app, &token, reward).await,
        StatusCode::CONFLICT,
        "reward_inactive",
    );
    assert_eq!(
        (db.balance(volunteer_id).await, db.stock(reward).await),
        (90, 2)
    );

    app.put(
        &format!("/api/v1/rewards/{reward}/active"),
        Some(admin),
        json!({"active": true}),
    )
    .await;
    let (status, body) = redeem(&app, &token, reward).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["balance"].as_i64(), body["reward"]["stock"].as_i64()),
        (Some(80), Some(1))
    );

    let (_, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", shop.s.community),
            Some(admin),
        )
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "reward")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["activate", "deactivate", "restock", "create"]);
}

async fn simultaneous_redemptions_never_overdraw_a_balance(app: TestApp) {
    let shop = shop(&app).await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 25, 100).await;
    let (volunteer_id, token) = volunteer(&app, 1, shop.s.community).await;
    give_points(&app, volunteer_id, 75).await;

    let answers = join_all((0..10).map(|_| redeem(&app, &token, reward))).await;
    assert_eq!(with_status(&answers, StatusCode::CREATED), 3, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(
            &(*status, body.clone()),
            StatusCode::CONFLICT,
            "insufficient_points",
        );
    }
    let mut balances: Vec<i64> = answers
        .iter()
        .filter_map(|(_, b)| b["balance"].as_i64())
        .collect();
    balances.sort();
    assert_eq!(balances, [0, 25, 50]);

    let mut db = Db::open(&app).await;
    assert_eq!(db.balance(volunteer_id).await, 0);
    assert_eq!(db.stock(reward).await, 97);
    assert_eq!(db.count("redemptions").await, 3);
    let spent = "SELECT CAST(SUM(points) AS BIGINT) FROM points_entries WHERE volunteer_id = ?";
    assert_eq!(db.number(spent, &[volunteer_id]).await, 0);
}

async fn simultaneous_volunteers_never_take_more_than_the_stock(app: TestApp) {
    let shop = shop(&app).await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 10, 3).await;
    let mut volunteers = Vec::new();
    for n in 1..=10 {
        let v = quick_volunteer(&app, &shop.s.admin, n, shop.s.community).await;
        give_points(&app, v.0, 50).await;
        volunteers.push(v);
    }

    let answers = join_all(
        volunteers
            .iter()
            .map(|(_, token)| redeem(&app, token, reward)),
    )
    .await;
    assert_eq!(with_status(&answers, StatusCode::CREATED), 3, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(
            &(*status, body.clone()),
            StatusCode::CONFLICT,
            "out_of_stock",
        );
    }

    let mut db = Db::open(&app).await;
    assert_eq!(db.stock(reward).await, 0);
    assert_eq!(db.count("redemptions").await, 3);
    let mut balances = Vec::new();
    for (id, _) in &volunteers {
        balances.push(db.balance(*id).await);
    }
    balances.sort();
    assert_eq!(balances, [40, 40, 40, 50, 50, 50, 50, 50, 50, 50]);
}

async fn points_entries_cannot_be_changed_or_deleted(app: TestApp) {
    let shop = shop(&app).await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 10, 3).await;
    let (volunteer_id, token) = volunteer(&app, 1, shop.s.community).await;
    give_points(&app, volunteer_id, 50).await;
    assert_eq!(redeem(&app, &token, reward).await.0, StatusCode::CREATED);

    let mut db = Db::open(&app).await;
    let update = db
        .run(
            "UPDATE points_entries SET points = 1000 WHERE volunteer_id = ?",
            &[volunteer_id],
        )
        .await;
    assert!(update.is_err(), "{update:?}");
    let delete = db
        .run(
            "DELETE FROM points_entries WHERE volunteer_id = ?",
            &[volunteer_id],
        )
        .await;
    assert!(delete.is_err(), "{delete:?}");
    assert!(db.run("DELETE FROM points_entries", &[]).await.is_err());
    assert_eq!(db.count("points_entries").await, 2);
    // Neither can a balance go below zero by hand.
    let overdraw = db
        .run(
            "UPDATE points_balances SET balance = balance - 41 WHERE volunteer_id = ?",
            &[volunteer_id],
        )
        .await;
    assert!(overdraw.is_err(), "{overdraw:?}");
    assert_eq!(db.balance(volunteer_id).await, 40);
}

async fn only_admins_of_the_partners_unit_keep_partners_and_rewards(app: TestApp) {
    let shop = shop(&app).await;
    let (s, c) = (&shop.s, shop.s.community);
    let other = app
        .create_unit(&s.admin, "幸福社区", "community", s.street)
        .await;
    let (_, other_admin) = app
        .staff(&s.admin, "other-admin", "unit_admin", other)
        .await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 10, 3).await;
    let (volunteer_id, token) = volunteer(&app, 1, c).await;
    let (_, other_token) = volunteer(&app, 2, other).await;
    give_points(&app, volunteer_id, 50).await;

    let partner = json!({"unit_id": c, "name": "便民药房"});
    let keeping = [
        (
            Method::POST,
            "/api/v1/partners".into(),
            Some(partner.clone()),
        ),
        (
            Method::POST,
            "/api/v1/rewards".into(),
            Some(reward_body(shop.partner, 10, 1)),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{reward}/stock"),
            Some(json!({"stock": 9})),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{reward}/active"),
            Some(json!({"active": false})),
        ),
    ];
    let looking = [
        (Method::GET, format!("/api/v1/partners?unit_id={c}"), None),
        (Method::GET, format!("/api/v1/rewards?unit_id={c}"), None),
        (
            Method::GET,
            format!("/api/v1/volunteers/{volunteer_id}/redemptions"),
            None,
        ),
    ];
    for token in [&s.organizer, &other_admin, &token] {
        refused(&app, token, &keeping, StatusCode::FORBIDDEN, "forbidden").await;
    }
    for token in [&other_admin, &other_token] {
        refused(&app, token, &looking, StatusCode::FORBIDDEN, "forbidden").await;
    }
    // The organizer is staff of the unit: they may look.
    for (_, path, _) in &looking {
        assert_eq!(
            app.get(path, Some(&s.organizer)).await.0,
            StatusCode::OK,
            "{path}"
        );
    }
    // A street admin keeps the partners of its communities.
    let (_, street_admin) = app
        .staff(&s.admin, "street-admin", "unit_admin", s.street)
        .await;
    let created = app
        .post("/api/v1/partners", Some(&street_admin), partner.clone())
        .await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    let again = app
        .post("/api/v1/partners", Some(&street_admin), partner)
        .await;
    assert_error(&again, StatusCode::CONFLICT, "duplicate_partner");

    // Redeeming is for the volunteer themself, of a community the reward is offered to.
    let staff = redeem(&app, &shop.station_admin, reward).await;
    assert_error(&staff, StatusCode::FORBIDDEN, "not_a_volunteer");
    let stranger = redeem(&app, &other_token, reward).await;
    assert_error(&stranger, StatusCode::FORBIDDEN, "forbidden");
    let anonymous = redeem(&app, "not-a-token", reward).await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized");
    let mut db = Db::open(&app).await;
    assert_eq!(
        (db.stock(reward).await, db.balance(volunteer_id).await),
        (3, 50)
    );
}

async fn bad_input_is_refused_with_clear_codes_and_unknown_ids_are_not_found(app: TestApp) {
    let shop = shop(&app).await;
    let (admin, partner, c) = (&shop.station_admin, shop.partner, shop.s.community);
    let reward = create_reward(&app, admin, partner, 10, 3).await;
    let (_, token) = volunteer(&app, 1, c).await;

    let post = |path: &str, body: Value| (Method::POST, path.to_owned(), Some(body));
    let stock = |stock: i64| {
        let path = format!("/api/v1/rewards/{reward}/stock");
        (Method::PUT, path, Some(json!({"stock": stock})))
    };
    let mut names = Vec::new();
    for name in ["", "   ", "坏\u{0}名"] {
        names.push(post(
            "/api/v1/partners",
            json!({"unit_id": c, "name": name}),
        ));
        let body = json!({"partner_id": partner, "name": name, "points_cost": 10, "stock": 1});
        names.push(post("/api/v1/rewards", body));
    }
    let costs = [0, -5, 1_000_001, 10_000_000_000]
        .map(|cost| post("/api/v1/rewards", reward_body(partner, cost, 1)));
    let mut stocks = Vec::new();
    for n in [-1, 1_000_001, 10_000_000_000] {
        stocks.push(post("/api/v1/rewards", reward_body(partner, 10, n)));
        stocks.push(stock(n));
    }
    let long = with(
        reward_body(partner, 10, 1),
        "description",
        json!("长".repeat(2001)),
    );
    let description = [post("/api/v1/rewards", long)];
    let unreadable = [
        post(
            "/api/v1/rewards",
            with(reward_body(partner, 10, 1), "points_cost", json!("ten")),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{reward}/stock"),
            Some(json!({})),
        ),
    ];
    for (requests, code) in [
        (&names[..], "invalid_name"),
        (&costs[..], "invalid_points_cost"),
        (&stocks[..], "invalid_stock"),
        (&description[..], "invalid_description"),
        (&unreadable[..], "invalid_body"),
    ] {
        refused(
            &app,
            admin,
            requests,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
    }

    let unknown = 987_654;
    let missing = [
        post(
            "/api/v1/partners",
            json!({"unit_id": unknown, "name": "店"}),
        ),
        (
            Method::GET,
            format!("/api/v1/partners?unit_id={unknown}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/rewards?unit_id={unknown}"),
            None,
        ),
        post("/api/v1/rewards", reward_body(unknown, 10, 1)),
        (
            Method::PUT,
            format!("/api/v1/rewards/{unknown}/stock"),
            Some(json!({"stock": 1})),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{unknown}/active"),
            Some(json!({"active": true})),
        ),
        (
            Method::GET,
            format!("/api/v1/volunteers/{unknown}/redemptions"),
            None,
        ),
        // Staff have no redemptions of their own.
        (
            Method::GET,
            "/api/v1/volunteers/me/redemptions".into(),
            None,
        ),
    ];
    refused(&app, admin, &missing, StatusCode::NOT_FOUND, "not_found").await;
    for id in [unknown, -1] {
        assert_error(
            &redeem(&app, &token, id).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let mut db = Db::open(&app).await;
    assert_eq!(
        (db.count("rewards").await, db.count("partners").await),
        (1, 1)
    );
}
