//! The panel 扫志愿者码 of an activity's console page: the organizer reads a volunteer's personal
//! code with the camera (`console.js`, where the browser can detect QR codes, posting to
//! `POST /api/v1/activities/{id}/code_scans`) or types it into the panel's form, to check the
//! volunteer in, or out when checked in. The form goes through the same use case and access
//! check as the API, and returns to the page saying whom it checked in or out, or why not.

use super::StaffForm;
use super::activity::{AttendanceView, Notices, answer_form};
use crate::app::AppState;
use crate::app::personal_codes;
use crate::domain::roles::Role;
use crate::error::codes::{ACTIVITY_CANCELLED, ACTIVITY_FULL, INVALID_CODE, OUTSIDE_WINDOW};
use crate::error::{Error, Result};
use crate::http::access::run_activity;
use crate::http::extract::Path;
use crate::http::pages::texts::{Lang, Text};
use crate::store::Store;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

/// Texts of the panel.
pub const TEXTS: &[Text] = &[
    ("code_scan_heading", "扫志愿者码", "Scan a volunteer's code"),
    (
        "code_scan_hint",
        "扫描或输入志愿者“我的”页面或志愿者卡上的志愿者码，为其签到；已签到的志愿者再次扫码即签退。",
        "Scan or type the code on the volunteer's own page or card to check them in; scanning it again checks them out.",
    ),
    ("code_scan_camera", "用摄像头扫码", "Use the camera"),
    ("code_scan_submit", "签到 / 签退", "Check in or out"),
    (
        "code_scan_no_camera",
        "无法打开摄像头，请输入志愿者码。",
        "The camera cannot be opened; type the code instead.",
    ),
    (
        "invalid_code",
        "志愿者码无效或已过期：请志愿者刷新“我的”页面后重新出示，或出示志愿者卡。",
        "This code is not valid or has expired: ask the volunteer to show their page again, or their card.",
    ),
];

/// The texts the camera's script shows, by key: outcomes and refusals.
const SCRIPT_TEXTS: [&str; 9] = [
    "checked_in",
    "checked_out",
    "repeat",
    "network",
    "code_scan_no_camera",
    INVALID_CODE,
    OUTSIDE_WINDOW,
    ACTIVITY_FULL,
    ACTIVITY_CANCELLED,
];

/// What the panel says above its form.
#[derive(Default)]
pub struct CodeScanPanel {
    /// The attendance a code just changed: name, volunteer number and its state's text key.
    pub scanned: Option<(String, String, &'static str)>,
    /// Why the last code was refused; nothing was changed.
    pub refused: Option<String>,
}

impl CodeScanPanel {
    /// The panel after the form checked in or out attendance `scanned` of the activity.
    pub async fn after(store: &Store, activity_id: i64, scanned: Option<i64>) -> Result<Self> {
        let Some(id) = scanned else {
            return Ok(CodeScanPanel::default());
        };
        let row = store.attendance_row(activity_id, id).await?;
        Ok(CodeScanPanel {
            scanned: row.map(|r| (r.name, r.volunteer_no, r.attendance.state.as_str())),
            refused: None,
        })
    }

    fn refusal(lang: Lang, e: &Error) -> Self {
        let said = match lang.text(e.code()) {
            "" => e.to_string(),
            text => text.to_owned(),
        };
        CodeScanPanel {
            scanned: None,
            refused: Some(said),
        }
    }

    /// `(key, text)` of each text the camera's script may show.
    pub fn script_texts(lang: Lang) -> Vec<(&'static str, &'static str)> {
        SCRIPT_TEXTS.iter().map(|&k| (k, lang.text(k))).collect()
    }
}

/// `?scanned=ID`: set on the way back from the panel's form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScannedQuery {
    pub scanned: Option<i64>,
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// Checks in or out the volunteer whose code the organizer typed; back to the activity's page
/// saying whom, or the page again saying why not.
pub async fn scan(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<CodeForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let activity = run_activity(&state, caller, id, &Role::ORGANIZERS).await?;
    let outcome =
        personal_codes::scan_code(&state, caller, activity.clone(), &form.code, Utc::now())
            .await
            .map(|scan| {
                let attendance = scan.recorded.attendance.id;
                format!("/console/activities/{id}?scanned={attendance}#code-scan")
            });
    let refused = |lang, e: &Error| Notices {
        refused: None,
        code_scan: CodeScanPanel::refusal(lang, e),
    };
    let page = (activity, AttendanceView::default());
    answer_form(&state, (session, lang), page, outcome, refused).await
}
