//! The 纠错 inbox: volunteers' reports of a missing or wrong record about activities of the
//! units the caller organizes for, oldest first, each answered — accepted with the minutes to
//! record, or declined — with a reason, through the same use case and access check as
//! `POST /api/v1/reports/{id}/resolution`.

use super::paging::{ListQuery, Pager};
use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::corrections::{Resolution, resolve_as_asked};
use crate::domain::ledger::ReportKind;
use crate::domain::roles::Role;
use crate::error::Result;
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::ledger::ReportInInbox;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("inbox_title", "纠错处理", "Corrections"),
    (
        "inbox_note",
        "志愿者对服务记录的纠错申请，请在核实后采纳或说明原因不予采纳。",
        "Volunteers' reports of a missing or wrong record: check, then accept or decline with a reason.",
    ),
    ("inbox_missing", "漏记", "missing record"),
    ("inbox_wrong", "时长有误", "wrong time"),
    ("inbox_claimed", "申请时长", "claimed"),
    ("inbox_accept", "采纳并记录", "Accept and record"),
    ("inbox_decline", "不予采纳", "Decline"),
    ("inbox_filed", "提交于", "filed"),
    ("inbox_empty", "没有待处理的纠错申请", "No reports waiting"),
];

#[derive(Template)]
#[template(path = "console/corrections.html")]
struct InboxPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    reports: Vec<Report>,
    pager: Pager,
    refused: Option<String>,
}

struct Report {
    id: i64,
    volunteer: String,
    volunteer_no: String,
    activity_id: i64,
    activity: String,
    /// A text key: `inbox_missing` or `inbox_wrong`.
    kind: &'static str,
    minutes_claimed: String,
    message: String,
    filed: String,
}

async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    list: ListQuery,
    status: StatusCode,
    refused: Option<String>,
) -> Result<Response> {
    let zone = state.settings.display_offset();
    let mut found: Vec<ReportInInbox> = Vec::new();
    // The inbox spans every subtree the caller organizes for, each read up to the page's end.
    for root in session.caller.roots(&Role::ORGANIZERS) {
        let upto = list.offset() + list.limit();
        found.extend(state.store.reports_inbox(&root, true, (upto, 0)).await?);
    }
    found.sort_by_key(|r| r.report.id);
    let mut found: Vec<ReportInInbox> = found.into_iter().skip(list.offset() as usize).collect();
    let pager = list.pager("/console/corrections", &mut found);
    let reports = found
        .into_iter()
        .map(|r| Report {
            id: r.report.id,
            volunteer: r.volunteer_name,
            volunteer_no: r.volunteer_no,
            activity_id: r.report.activity_id,
            activity: format!(
                "{} {}",
                r.activity_starts_at.with_timezone(&zone).format("%Y-%m-%d"),
                r.activity_title
            ),
            kind: match r.report.kind {
                ReportKind::Missing => "inbox_missing",
                ReportKind::Wrong => "inbox_wrong",
            },
            minutes_claimed: r
                .report
                .minutes_claimed
                .map_or_else(String::new, |m| m.to_string()),
            message: r.report.message,
            filed: r
                .report
                .created_at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        })
        .collect();
    let view = InboxPage {
        head: head(lang),
        lang,
        session: Some(session),
        reports,
        pager,
        refused,
    };
    page(status, &view)
}

/// `/console/corrections`: the open reports, oldest first.
pub async fn inbox(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(list): Query<ListQuery>,
) -> Result<Response> {
    render(&state, (session, lang), list, StatusCode::OK, None).await
}

/// One report's answer: `accept` is `1` to accept (with `minutes`), `0` to decline.
#[derive(Deserialize)]
pub struct AnswerForm {
    accept: u8,
    minutes: Option<i64>,
    #[serde(default)]
    reason: String,
}

/// Answers a report and returns to the inbox; a refused answer shows the inbox again, saying why.
pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<AnswerForm>,
) -> Result<Response> {
    let answer = Resolution {
        accept: form.accept == 1,
        minutes: form.minutes,
        reason: &form.reason,
    };
    let rules = state.ledger_rules();
    match resolve_as_asked(&state.store, &session.caller, id, answer, &rules).await {
        Ok(_) => Ok(see_other("/console/corrections")),
        Err(e) if e.is_refusal() => {
            let why = Some(e.to_string());
            let list = ListQuery::default();
            render(&state, (session, lang), list, e.status(), why).await
        }
        Err(e) => Err(e),
    }
}
