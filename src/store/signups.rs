//! Sign-ups 招募报名: the steps of signing up and cancelling, which `app::signups` takes in one
//! transaction after locking the activity ([`super::activities::lock_activity`]); the waiting
//! list moving up; and what the public, a volunteer and an organizer read of them.

use super::activities::Activity;
use super::db::{Arg, Query, Tx, query_as, query_scalar};
use super::{NewAudit, Store, audit};
use crate::domain::attendance::ActivityStatus;
use crate::domain::signup::{Recruitment, SignupState};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// A sign-up and its place in its list: the n-th confirmed, or the n-th on the waiting list.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Placed {
    /// `confirmed` or `waitlisted`.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub state: SignupState,
    /// From 1, in the order of signing up, among the sign-ups of the same state.
    pub position: i64,
}

/// A sign-up in the organizer's list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct SignupRow {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub placed: Placed,
    pub signed_up_at: DateTime<Utc>,
    /// The volunteer's attendance once checked in: `checked_in`, `checked_out` or `auto_closed`.
    pub attendance: Option<String>,
}

/// An activity as anyone may see it, with how far its recruitment has come.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct PublicActivity {
    pub id: i64,
    pub title: String,
    /// The name of the unit that runs it.
    pub unit: String,
    pub unit_id: i64,
    pub place: String,
    /// 服务内容
    pub content: String,
    pub category: String,
    /// 组织单位
    pub organiser: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Places; none for as many as come.
    pub capacity: Option<i32>,
    /// Confirmed sign-ups.
    pub signed_up: i64,
    /// Sign-ups on the waiting list.
    pub waitlisted: i64,
    pub signup_required: bool,
    pub recruitment_open: bool,
    /// `scheduled` or `cancelled`.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: ActivityStatus,
}

impl PublicActivity {
    pub fn recruitment(&self) -> Recruitment {
        Recruitment {
            cancelled: self.status == ActivityStatus::Cancelled,
            open: self.recruitment_open,
            starts_at: self.starts_at,
            capacity: self.capacity,
        }
    }
}

/// A public activity with the state of the viewer's own sign-up to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListedActivity {
    #[serde(flatten)]
    pub activity: PublicActivity,
    /// The viewer's own sign-up: `confirmed` or `waitlisted`; none when they have none (or are
    /// not logged in).
    #[schema(value_type = Option<String>)]
    pub mine: Option<SignupState>,
}

/// A [`ListedActivity`] as read.
#[derive(sqlx::FromRow)]
struct Listed {
    #[sqlx(flatten)]
    activity: PublicActivity,
    mine: Option<String>,
}

impl From<Listed> for ListedActivity {
    fn from(l: Listed) -> ListedActivity {
        ListedActivity {
            activity: l.activity,
            mine: l.mine.as_deref().and_then(SignupState::parse),
        }
    }
}

/// The columns of a [`Placed`] for the sign-up `s`: its state, and its position among the
/// activity's sign-ups in that state.
macro_rules! placed_columns {
    () => {
        "s.state, (SELECT COUNT(*) FROM signups o
             WHERE o.activity_id = s.activity_id AND o.state = s.state AND o.id <= s.id) AS position"
    };
}

/// The columns of a [`PublicActivity`] from `activities a JOIN units u`.
macro_rules! public_activity_columns {
    () => {
        "a.id, a.title, u.name AS unit, a.unit_id, a.place, a.content,
    a.category, a.organiser, a.starts_at, a.ends_at, a.capacity, a.signup_required,
    a.recruitment_open, a.status,
    (SELECT COUNT(*) FROM signups s WHERE s.activity_id = a.id AND s.state = 'confirmed') AS signed_up,
    (SELECT COUNT(*) FROM signups s WHERE s.activity_id = a.id AND s.state = 'waitlisted') AS waitlisted"
    };
}

/// The columns of a [`Listed`] from `activities a JOIN units u`; `$1` is the viewer (a
/// volunteer's id, or 0 for nobody).
const LISTED: &str = concat!(
    "SELECT ",
    public_activity_columns!(),
    ",
    (SELECT s.state FROM signups s WHERE s.activity_id = a.id AND s.volunteer_id = $1) AS mine
    FROM activities a JOIN units u ON u.id = a.unit_id"
);

/// A volunteer's own sign-up, with the activity as anyone may see it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct OwnSignup {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub activity: PublicActivity,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub placed: Placed,
}

/// Which upcoming activities the public list shows, and in what order.
#[derive(Debug, Clone)]
pub struct OpenFilter<'a> {
    /// The viewer, whose own sign-ups show.
    pub viewer: Option<i64>,
    /// Activities starting at this time or later.
    pub from: DateTime<Utc>,
    /// Activities starting before this time.
    pub to: Option<DateTime<Utc>>,
    /// Activities of the unit at this path and of those under it.
    pub within: Option<&'a str>,
    pub category: Option<&'a str>,
    /// The paths of the viewer's community and of its street: activities of the community come
    /// first, then those of the street, then the rest.
    pub near: Option<(&'a str, &'a str)>,
    pub limit: i64,
    pub offset: i64,
}

/// The volunteer's sign-up to the activity, with its place.
fn placed(activity_id: i64, volunteer_id: i64) -> Query<Placed> {
    query_as(concat!(
        "SELECT ",
        placed_columns!(),
        " FROM signups s WHERE s.activity_id = $1 AND s.volunteer_id = $2"
    ))
    .bind(activity_id)
    .bind(volunteer_id)
}

/// The audit entry of a change to a sign-up.
fn signup_audit<'a>(
    a: &'a Activity,
    (signup_id, volunteer_id): (i64, i64),
    actor: i64,
    action: &'static str,
    (before, after): (Option<SignupState>, Option<SignupState>),
) -> NewAudit<'a> {
    let state =
        |s: Option<SignupState>| s.map(|s| json!({"volunteer_id": volunteer_id, "state": s}));
    NewAudit {
        actor_id: Some(actor),
        action,
        entity: "signup",
        entity_id: signup_id.to_string(),
        unit_id: Some(a.unit_id),
        unit_path: Some(&a.unit_path),
        before: state(before),
        after: state(after),
    }
}

/// The volunteer's sign-up to the activity, with its place, inside the transaction.
pub async fn placed_in(tx: &mut Tx, activity_id: i64, volunteer_id: i64) -> Result<Option<Placed>> {
    Ok(placed(activity_id, volunteer_id).fetch_optional(tx).await?)
}

/// How many of the activity's places confirmed sign-ups hold.
pub async fn confirmed(tx: &mut Tx, activity_id: i64) -> Result<i64> {
    Ok(
        query_scalar("SELECT COUNT(*) FROM signups WHERE activity_id = $1 AND state = 'confirmed'")
            .bind(activity_id)
            .one(tx)
            .await?,
    )
}

/// Signs the volunteer up in `state`, audited; false when they already are.
pub async fn add(
    tx: &mut Tx,
    a: &Activity,
    volunteer_id: i64,
    state: SignupState,
    at: DateTime<Utc>,
) -> Result<bool> {
    let id: Option<i64> = query_scalar(
        "INSERT INTO signups (activity_id, volunteer_id, state, signed_up_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (activity_id, volunteer_id) DO NOTHING RETURNING id",
    )
    .bind(a.id)
    .bind(volunteer_id)
    .bind(state.as_str())
    .bind(at)
    .optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    let entry = signup_audit(
        a,
        (id, volunteer_id),
        volunteer_id,
        "sign_up",
        (None, Some(state)),
    );
    audit(tx, entry).await?;
    Ok(true)
}

/// Takes the volunteer's sign-up back, audited: the state it had, or none when there was none.
pub async fn remove(tx: &mut Tx, a: &Activity, volunteer_id: i64) -> Result<Option<SignupState>> {
    let removed: Option<(i64, String)> = query_as(
        "DELETE FROM signups WHERE activity_id = $1 AND volunteer_id = $2 RETURNING id, state",
    )
    .bind(a.id)
    .bind(volunteer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, state)) = removed else {
        return Ok(None);
    };
    let state = SignupState::parse(&state);
    let entry = signup_audit(
        a,
        (id, volunteer_id),
        volunteer_id,
        "cancel_signup",
        (state, None),
    );
    audit(tx, entry).await?;
    Ok(state)
}

/// Gives the activity's free places to the first on its waiting list, in the order they signed
/// up, each move audited as made by `actor` (whose change freed the places); the volunteers who
/// moved up.
pub async fn fill_places(tx: &mut Tx, a: &Activity, actor: i64) -> Result<Vec<i64>> {
    let taken = confirmed(tx, a.id).await?;
    let free = a.recruitment().free_places(taken);
    if free == Some(0) {
        return Ok(Vec::new());
    }
    let moved: Vec<(i64, i64)> = query_as(
        "UPDATE signups SET state = 'confirmed' WHERE id IN (
             SELECT id FROM signups WHERE activity_id = $1 AND state = 'waitlisted' ORDER BY id LIMIT $2
         ) RETURNING id, volunteer_id",
    )
    .bind(a.id)
    .bind(free.unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await?;
    let states = (Some(SignupState::Waitlisted), Some(SignupState::Confirmed));
    for &signup in &moved {
        audit(tx, signup_audit(a, signup, actor, "move_up", states)).await?;
    }
    Ok(moved.into_iter().map(|(_, volunteer)| volunteer).collect())
}

impl Store {
    /// The volunteer's sign-up to the activity, with its place.
    pub async fn signup(&self, activity_id: i64, volunteer_id: i64) -> Result<Option<Placed>> {
        Ok(placed(activity_id, volunteer_id)
            .fetch_optional(&self.db)
            .await?)
    }

    /// The activity's sign-ups: the confirmed, then the waiting list, each in the order of
    /// signing up.
    pub async fn signups_of(&self, activity_id: i64) -> Result<Vec<SignupRow>> {
        Ok(query_as(
            "SELECT s.volunteer_id, v.volunteer_no, v.name, s.state,
                 ROW_NUMBER() OVER (PARTITION BY s.state ORDER BY s.id) AS position, s.signed_up_at,
                 (SELECT t.state FROM attendances t
                  WHERE t.activity_id = s.activity_id AND t.volunteer_id = s.volunteer_id) AS attendance
             FROM signups s JOIN volunteers v ON v.id = s.volunteer_id
             WHERE s.activity_id = $1 ORDER BY s.state, s.id", // 'confirmed' < 'waitlisted'
        )
        .bind(activity_id)
        .fetch_all(&self.db)
        .await?)
    }

    /// The volunteer's sign-ups to activities that end after `after` (cancelled ones too), by
    /// start.
    pub async fn signups_of_volunteer(
        &self,
        volunteer_id: i64,
        after: DateTime<Utc>,
    ) -> Result<Vec<OwnSignup>> {
        Ok(query_as(concat!(
            "SELECT ",
            public_activity_columns!(),
            ", ",
            placed_columns!(),
            " FROM signups s JOIN activities a ON a.id = s.activity_id JOIN units u ON u.id = a.unit_id
             WHERE s.volunteer_id = $1 AND a.ends_at > $2 ORDER BY a.starts_at, a.id"
        ))
        .bind(volunteer_id)
        .bind(after)
        .fetch_all(&self.db)
        .await?)
    }

    /// One activity as anyone may see it, with `viewer`'s own sign-up to it.
    pub async fn public_activity(
        &self,
        id: i64,
        viewer: Option<i64>,
    ) -> Result<Option<ListedActivity>> {
        let listed: Option<Listed> = query_as(format!("{LISTED} WHERE a.id = $2"))
            .bind(viewer.unwrap_or(0))
            .bind(id)
            .fetch_optional(&self.db)
            .await?;
        Ok(listed.map(ListedActivity::from))
    }

    /// The activities still to start whose recruitment is open, as `filter` asks.
    pub async fn open_activities(&self, filter: &OpenFilter<'_>) -> Result<Vec<ListedActivity>> {
        let mut sql = format!(
            "{LISTED} WHERE a.status = 'scheduled' AND a.recruitment_open AND a.starts_at >= $2"
        );
        let mut args: Vec<Arg> = vec![filter.viewer.unwrap_or(0).into(), filter.from.into()];
        let mut and = |condition: &str, arg: Arg| {
            args.push(arg);
            sql.push_str(&condition.replace("$n", &format!("${}", args.len())));
        };
        if let Some(to) = filter.to {
            and(" AND a.starts_at < $n", to.into());
        }
        if let Some(path) = filter.within {
            and(" AND u.path >= $n AND u.path < $n || '~'", path.into());
        }
        if let Some(category) = filter.category {
            and(" AND a.category = $n", category.into());
        }
        // Without a viewer every path is at once in the "community" '' and ranks first.
        let (community, street) = filter.near.unwrap_or(("", ""));
        let n = args.len();
        let mut q = query_as::<Listed>(format!(
            "{sql} ORDER BY CASE WHEN u.path >= ${c} AND u.path < ${c} || '~' THEN 0
                 WHEN u.path >= ${s} AND u.path < ${s} || '~' THEN 1 ELSE 2 END,
                 a.starts_at, a.id
             LIMIT ${l} OFFSET ${o}",
            c = n + 1,
            s = n + 2,
            l = n + 3,
            o = n + 4,
        ));
        for arg in args {
            q = q.bind(arg);
        }
        let listed = q
            .bind(community)
            .bind(street)
            .bind(filter.limit)
            .bind(filter.offset)
            .fetch_all(&self.db)
            .await?;
        Ok(listed.into_iter().map(ListedActivity::from).collect())
    }
}
