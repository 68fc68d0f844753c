//! Importing volunteers from a CSV file in the console: the file uploaded (or its text pasted)
//! goes through the same import as `POST /api/v1/volunteers/import`, and the answer is a report
//! row by row: registered with the new volunteer number, already registered, or refused and why.

use super::volunteers::{refusal, refusal_of};
use super::{StaffVisit, head, signed_out};
use crate::app::AppState;
use crate::app::import::{ImportReport, import_by_staff};
use crate::error::{Error, Result};
use crate::http::extract::{CsrfUpload, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Texts of the import pages.
pub const TEXTS: &[Text] = &[
    ("import_title", "批量导入志愿者", "Import volunteers"),
    (
        "import_format",
        "UTF-8 编码的 CSV 文件，首行为列名：姓名,身份证号,手机号,社区编号，可加 技能,服务类别（多项以“、”或“;”分隔）；英文列名 name,id_number,phone,community_id,skills,service_categories 亦可。导入人确认每位志愿者均已同意处理其个人信息。",
        "A UTF-8 CSV file whose first line names the columns name,id_number,phone,community_id and optionally skills,service_categories (entries separated by ; or 、); Chinese column names work too. The importer vouches that every volunteer agreed to the processing of their personal information.",
    ),
    ("import_file", "CSV 文件", "CSV file"),
    ("import_paste", "或粘贴 CSV 内容", "Or paste the CSV text"),
    ("import_submit", "导入", "Import"),
    ("import_report", "导入结果", "Import report"),
    ("import_imported", "已注册", "Registered"),
    ("import_already", "此前已注册", "Already registered"),
    ("import_refused", "未导入", "Refused"),
    ("import_row", "行号", "Line"),
    ("import_outcome", "结果", "Outcome"),
    (
        "import_detail",
        "志愿者编号或原因",
        "Volunteer number or reason",
    ),
    ("import_again", "继续导入", "Import another file"),
    (
        "import_empty",
        "请选择文件或粘贴内容",
        "Choose a file or paste the text",
    ),
];

#[derive(Template)]
#[template(path = "console/import.html")]
struct ImportPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    refused: Option<String>,
}

#[derive(Template)]
#[template(path = "console/import_report.html")]
struct ReportPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    imported: usize,
    already: usize,
    refused: usize,
    rows: Vec<ReportRow>,
}

/// One line of the file and what became of it.
struct ReportRow {
    row: u64,
    /// A text key: `import_imported`, `import_already` or `import_refused`.
    outcome: &'static str,
    /// The new volunteer number, or why the line was refused.
    detail: String,
}

fn report_rows(report: ImportReport, lang: Lang) -> Vec<ReportRow> {
    let registered = (report.registered_rows.into_iter()).map(|(row, no)| ReportRow {
        row,
        outcome: "import_imported",
        detail: no,
    });
    let already = (report.already_registered_rows.into_iter()).map(|row| ReportRow {
        row,
        outcome: "import_already",
        detail: String::new(),
    });
    let refused = report.errors.into_iter().map(|e| ReportRow {
        row: e.row,
        outcome: "import_refused",
        detail: refusal(lang, &e.error, &e.message),
    });
    let mut rows: Vec<ReportRow> = registered.chain(already).chain(refused).collect();
    rows.sort_by_key(|r| r.row);
    rows
}

fn form_page(
    lang: Lang,
    session: SignedIn,
    status: StatusCode,
    refused: Option<String>,
) -> Result<Response> {
    let view = ImportPage {
        head: head(lang),
        lang,
        session: Some(session),
        refused,
    };
    page(status, &view)
}

/// `/console/volunteers/import`: the upload form, for unit admins.
pub async fn form(StaffVisit { lang, session }: StaffVisit) -> Result<Response> {
    if !session.caller.is_admin() {
        return Err(Error::forbidden());
    }
    form_page(lang, session, StatusCode::OK, None)
}

/// A file posted from a console form with the session's token ([`CsrfUpload`]), in the language
/// asked for; without a session the visitor is answered the login form (401).
pub struct StaffUpload {
    lang: Lang,
    upload: CsrfUpload,
}

impl FromRequest<AppState> for StaffUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(lang) = Lang::from_request_parts(&mut parts, state).await;
        match CsrfUpload::from_request(Request::from_parts(parts, body), state).await {
            Ok(upload) => Ok(StaffUpload { lang, upload }),
            Err(Error::Unauthorized) => Err(signed_out(lang)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Imports the file (or, without one, the pasted text) and answers the report; a file that
/// cannot be read at all shows the form again, saying why.
pub async fn upload(
    State(state): State<AppState>,
    StaffUpload { lang, upload }: StaffUpload,
) -> Result<Response> {
    let file = upload.field("file");
    let csv = if file.is_empty() {
        upload.field("csv")
    } else {
        file
    };
    let session = upload.session;
    if csv.iter().all(u8::is_ascii_whitespace) {
        let refused = Some(lang.text("import_empty").to_owned());
        return form_page(lang, session, StatusCode::UNPROCESSABLE_ENTITY, refused);
    }
    match import_by_staff(
        &state.store,
        &state.keys,
        &session.caller,
        state.settings.local_now(),
        csv.as_ref(),
    )
    .await
    {
        Ok(report) => {
            let view = ReportPage {
                head: head(lang),
                lang,
                imported: report.imported,
                already: report.already_registered,
                refused: report.errors.len(),
                rows: report_rows(report, lang),
                session: Some(session),
            };
            page(StatusCode::OK, &view)
        }
        Err(e) if e.is_refusal() => {
            // What is wrong with the file, in the words of the import.
            let refused = Some(format!("{} ({e})", refusal_of(lang, &e)));
            form_page(lang, session, e.status(), refused)
        }
        Err(e) => Err(e),
    }
}
