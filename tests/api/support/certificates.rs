//! Certificates: a volunteer with credited service, issuing their certificate, and verifying it.

use super::{TestApp, activity_body, create_activity, id_of, with};
use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Runs one statement on the app's database directly, on either backend (`$1`, `$2`… placeholders);
/// answers the `i64` the statement returns, if any. `sql!(all T; app, sql, binds…)` answers every
/// row's one column, as `T`.
#[macro_export]
macro_rules! sql {
    (all $t:ty; $app:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::sql!(@run $t, fetch_all; $app, $sql $(, $bind)*)
    };
    (@run $t:ty, $fetch:ident; $app:expr, $sql:expr $(, $bind:expr)*) => {{
        use sqlx::Connection;
        let url = &$app.database_url;
        if url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar::<_, $t>($sql)$(.bind($bind))*.$fetch(&mut c).await.unwrap()
        } else {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar::<_, $t>($sql)$(.bind($bind))*.$fetch(&mut c).await.unwrap()
        }
    }};
    ($app:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::sql!(@run i64, fetch_optional; $app, $sql $(, $bind)*)
    };
}

/// Appends a ledger entry by hand, as confirmed hours would (the confirmation code is not needed
/// for certificates): `minutes` for the volunteer on `date`, for `activity` (or none), a
/// correction when `corrects` names the entry corrected. Answers the entry's id.
pub async fn credit(
    app: &TestApp,
    volunteer: i64,
    activity: Option<i64>,
    unit: i64,
    minutes: i32,
    date: NaiveDate,
    corrects: Option<i64>,
) -> i64 {
    let source = match (corrects, activity) {
        (Some(_), _) => "correction",
        (None, Some(_)) => "qr",
        (None, None) => "manual",
    };
    let reason = (source != "qr").then_some("测试录入");
    crate::sql!(
        app,
        "INSERT INTO ledger_entries (volunteer_id, activity_id, unit_id, service_date, year,
             minutes, source, corrects_id, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        volunteer,
        activity,
        unit,
        date,
        chrono::Datelike::year(&date),
        minutes,
        source,
        corrects,
        reason,
        Utc::now(),
    )
    .unwrap()
}

/// The verification answer as JSON.
pub async fn verify(app: &TestApp, number: &str) -> (StatusCode, Value) {
    let (status, _, text) = app
        .fetch_text(&format!("/verify/{number}"), None, "application/json")
        .await;
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

/// Today where the service runs (UTC+8).
pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// A volunteer of 花园社区 with service in the last two months, and the people around them.
pub struct Credited {
    pub admin: String,
    pub community: i64,
    pub volunteer_id: i64,
    pub volunteer: String,
    pub from: NaiveDate,
}

impl TestApp {
    /// Credits, within [today − 60 days, today]: 敬老院义务理发 120 min less a 30 min correction,
    /// 社区环境整治 90 min, 45 min recorded without activity; and 600 min before the period.
    pub async fn credited(&self) -> Credited {
        let (admin, _, community) = self.district_with_community().await;
        let (volunteer_id, volunteer) = self.volunteer(1, community).await;
        let starts = Utc::now() - Duration::days(30);
        let body = activity_body(community, starts, starts + Duration::hours(3));
        let haircut = id_of(
            &create_activity(
                self,
                &admin,
                with(body, "organiser", json!("花园社区志愿服务队")),
            )
            .await,
        );
        let body = activity_body(community, starts, starts + Duration::hours(2));
        let cleanup =
            id_of(&create_activity(self, &admin, with(body, "title", json!("社区环境整治"))).await);
        let day = |n: i64| today() - Duration::days(n);
        let v = volunteer_id;
        let first = credit(self, v, Some(haircut), community, 120, day(30), None).await;
        credit(self, v, None, community, -30, day(30), Some(first)).await;
        credit(self, v, Some(cleanup), community, 90, day(10), None).await;
        credit(self, v, None, community, 45, day(5), None).await;
        credit(self, v, Some(cleanup), community, 600, day(90), None).await;
        Credited {
            admin,
            community,
            volunteer_id,
            volunteer,
            from: day(60),
        }
    }
}

/// Issues a certificate of volunteer `who` (`me` for the caller) for `from` to `to`.
pub async fn issue(
    app: &TestApp,
    token: &str,
    who: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/volunteers/{who}/certificates"),
        Some(token),
        json!({"from": from, "to": to}),
    )
    .await
}

/// The volunteer's certificate of the credited period.
pub async fn issued(app: &TestApp, s: &Credited) -> Value {
    let (status, cert) = issue(app, &s.volunteer, "me", s.from, today()).await;
    assert_eq!(status, StatusCode::CREATED, "{cert}");
    cert
}
