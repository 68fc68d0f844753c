//! The audit log 操作日志 in the console: the entries about a unit the caller administers and
//! every unit under it, newest first, fifty a page, filtered by action, by actor and by a span of
//! days in the display time zone — all of it in SQL, as `GET /api/v1/audit` reads the log.

use super::paging::{ListQuery, Pager};
use super::scope::Scope;
use super::{StaffVisit, head};
use crate::app::AppState;
use crate::domain::roles::Role;
use crate::error::codes::INVALID_QUERY;
use crate::error::{Error, Result};
use crate::http::extract::{Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Unit;
use crate::store::{AuditFilter, AuditLine};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

pub const TEXTS: &[Text] = &[
    ("audit_title", "操作日志", "Audit log"),
    ("audit_all_actions", "全部操作", "All actions"),
    (
        "audit_actor_hint",
        "操作人账号或姓名",
        "Actor's login or name",
    ),
    ("audit_from", "起始日期", "From"),
    ("audit_to", "截止日期", "To"),
    ("audit_time", "时间", "Time"),
    ("audit_actor", "操作人", "Actor"),
    ("audit_action", "操作", "Action"),
    ("audit_subject", "对象", "Subject"),
    ("audit_details", "变更前 → 变更后", "Before → after"),
    ("audit_system", "系统", "System"),
    ("audit_bad_filter", "筛选条件有误：", "Check the filter:"),
];

/// Details longer than this many characters are cut.
const DETAILS_CHARS: usize = 600;

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    units: Vec<Unit>,
    actions: Vec<String>,
    asked: AuditQuery,
    /// The unit shown.
    unit_id: i64,
    lines: Vec<Line>,
    pager: Pager,
    /// Why the filter could not be applied; nothing is listed.
    refused: Option<String>,
}

/// `?unit_id=&action=&actor=&from=&to=&page=`: every filter as typed, empty for none.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    unit_id: String,
    action: String,
    actor: String,
    /// `YYYY-MM-DD`, days in the display time zone, both included.
    from: String,
    to: String,
    #[serde(skip_serializing)]
    page: Option<i64>,
}

/// One entry as the page shows it.
struct Line {
    time: String,
    /// The actor's name, and their login when they have one; none for the service itself.
    actor: Option<(String, Option<String>)>,
    action: String,
    subject: String,
    details: String,
}

impl AuditQuery {
    /// The start of the day `text` names in `zone`, `after` days later; none when empty.
    fn day(text: &str, after: u64, zone: FixedOffset) -> Result<Option<DateTime<Utc>>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.checked_add_days(Days::new(after)))
            .and_then(|d| {
                zone.from_local_datetime(&d.and_time(Default::default()))
                    .single()
            })
            .map(|t| Some(t.to_utc()))
            .ok_or_else(|| {
                Error::invalid(
                    INVALID_QUERY,
                    format!("{text:?} is not a date (YYYY-MM-DD)"),
                )
            })
    }

    /// The filter for the entries under `path`.
    fn filter<'a>(&'a self, path: &'a str, zone: FixedOffset) -> Result<AuditFilter<'a>> {
        let given = |s: &'a str| Some(s.trim()).filter(|s| !s.is_empty());
        Ok(AuditFilter {
            path,
            action: given(&self.action),
            actor: given(&self.actor),
            from: Self::day(&self.from, 0, zone)?,
            to: Self::day(&self.to, 1, zone)?,
        })
    }

    /// The page's address with these filters, at `page`.
    fn href(&self, unit_id: i64, page: i64) -> String {
        let query = serde_urlencoded::to_string(AuditQuery {
            unit_id: unit_id.to_string(),
            ..self.clone()
        })
        .unwrap_or_default();
        format!("/console/audit?{query}&page={page}")
    }
}

fn line(entry: AuditLine, zone: FixedOffset) -> Line {
    let json = |v: Option<sqlx::types::Json<serde_json::Value>>| v.map(|v| v.0.to_string());
    let details = match (json(entry.before), json(entry.after)) {
        (Some(before), Some(after)) => format!("{before} → {after}"),
        (None, Some(only)) | (Some(only), None) => only,
        (None, None) => String::new(),
    };
    let details = match details.char_indices().nth(DETAILS_CHARS) {
        Some((cut, _)) => format!("{}…", &details[..cut]),
        None => details,
    };
    Line {
        time: entry
            .at
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        actor: entry.actor_name.map(|name| (name, entry.actor_login)),
        action: entry.action,
        subject: format!("{} {}", entry.entity, entry.entity_id),
        details,
    }
}

/// `/console/audit`: for unit and district admins.
pub async fn audit_log(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(asked): Query<AuditQuery>,
) -> Result<Response> {
    let Scope { units, unit } =
        Scope::of(&state, &session.caller, &Role::ADMINS, &asked.unit_id).await?;
    let zone = state.settings.display_offset();
    let paging = ListQuery {
        q: String::new(),
        page: asked.page,
    };
    let (mut entries, status, refused) = match asked.filter(&unit.path, zone) {
        Ok(filter) => {
            let entries = state
                .store
                .audit_page(&filter, paging.limit(), paging.offset())
                .await?;
            (entries, StatusCode::OK, None)
        }
        Err(e) if e.is_refusal() => (Vec::new(), e.status(), Some(e.to_string())),
        Err(e) => return Err(e),
    };
    let pager = paging
        .pager("/console/audit", &mut entries)
        .linked(|page| asked.href(unit.id, page));
    let view = AuditPage {
        head: head(lang),
        lang,
        session: Some(session),
        actions: state.store.audit_actions().await?,
        units,
        unit_id: unit.id,
        lines: entries.into_iter().map(|e| line(e, zone)).collect(),
        asked,
        pager,
        refused,
    };
    page(status, &view)
}
